using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Per-slot metadata and upkeep of one store (<see cref="SplinterStore.Slots"/>): named types, creation and access
/// times, system slots, user flags, slot snapshots, slot indices, recovery of a slot a dead writer left busy, and purge.
/// </summary>
public sealed unsafe class SplinterSlots
{
    private readonly SplinterStore _store;

    internal SplinterSlots(SplinterStore store) => _store = store;

    private enum UserFlagOperation
    {
        Read,
        Set,
        Clear,
        Test,
    }

    /// <summary>Tests only: runs where a concurrent remove and set would make the slot change owner under a user-flag call.</summary>
    internal static Action? UserFlagsRaceWindow { get; set; }

    /// <summary>
    /// Replaces the slot's type bits (splinter_set_named_type). Setting <see cref="SplinterSlotTypes.BigUInt"/>
    /// on a value shorter than 8 bytes converts it to a 64-bit integer (ASCII digits are parsed, with 0x/0 prefixes).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="type">The new type bits.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void SetType(string key, SplinterSlotTypes type)
    {
        KeyBuffer buffer;
        SetTypeCore(KeyBytes.FromString(key, &buffer), type);
    }

    /// <summary>Replaces the type bits of a UTF-8 key's slot.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="type">The new type bits.</param>
    [SkipLocalsInit]
    public void SetType(ReadOnlySpan<byte> key, SplinterSlotTypes type)
    {
        KeyBuffer buffer;
        SetTypeCore(KeyBytes.FromUtf8(key, &buffer), type);
    }

    /// <summary>Replaces the type bits of a pre-encoded key's slot.</summary>
    /// <param name="key">The key.</param>
    /// <param name="type">The new type bits.</param>
    public void SetType(SplinterKey key, SplinterSlotTypes type)
    {
        SetTypeCore(key.Pointer, type);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Reads the slot's type bits (from a slot snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The type bits.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public SplinterSlotTypes GetSlotType(string key) => GetSnapshot(key).Type;

    /// <summary>Reads the type bits of a pre-encoded key's slot.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The type bits.</returns>
    public SplinterSlotTypes GetSlotType(SplinterKey key) => GetSnapshot(key).Type;

    /// <summary>Sets the slot's creation or access time to <paramref name="time"/> - <paramref name="offset"/> (client-defined units, wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void SetTime(string key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        KeyBuffer buffer;
        SetTimeCore(KeyBytes.FromString(key, &buffer), which, time, offset);
    }

    /// <summary>Sets a UTF-8 key's creation or access time.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    [SkipLocalsInit]
    public void SetTime(ReadOnlySpan<byte> key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        KeyBuffer buffer;
        SetTimeCore(KeyBytes.FromUtf8(key, &buffer), which, time, offset);
    }

    /// <summary>Sets a pre-encoded key's creation or access time.</summary>
    /// <param name="key">The key.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    public void SetTime(SplinterKey key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        SetTimeCore(key.Pointer, which, time, offset);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Marks the key as a system slot (splinter_set_as_system): type Binary and value length
    /// MaxValueSize (the extra bytes are whatever the region holds). No epoch change, no notification.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void MarkAsSystem(string key)
    {
        KeyBuffer buffer;
        MarkAsSystemCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Marks a UTF-8 key as a system slot.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void MarkAsSystem(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        MarkAsSystemCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Marks a pre-encoded key as a system slot.</summary>
    /// <param name="key">The key.</param>
    public void MarkAsSystem(SplinterKey key)
    {
        MarkAsSystemCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Reads the key's slot user flags (splinter_slot_usr_snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flags.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public SplinterSlotUserFlags GetUserFlags(string key)
    {
        KeyBuffer buffer;
        return (SplinterSlotUserFlags)UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Read, 0);
    }

    /// <summary>Reads a pre-encoded key's slot user flags.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The flags.</returns>
    public SplinterSlotUserFlags GetUserFlags(SplinterKey key)
    {
        byte* padded = key.Pointer;
        SplinterSlotUserFlags answer = (SplinterSlotUserFlags)UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Read, 0);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Atomically sets slot user flag bits (splinter_slot_usr_set).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to set.</param>
    [SkipLocalsInit]
    public void SetUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Set, flags);
    }

    /// <summary>Atomically sets a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to set.</param>
    public void SetUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Set, flags);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Atomically clears slot user flag bits (splinter_slot_usr_clear).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to clear.</param>
    [SkipLocalsInit]
    public void ClearUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Clear, flags);
    }

    /// <summary>Atomically clears a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to clear.</param>
    public void ClearUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Clear, flags);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Tests slot user flag bits (splinter_slot_usr_test).</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    [SkipLocalsInit]
    public bool TestUserFlags(string key, SplinterSlotUserFlags flags)
    {
        KeyBuffer buffer;
        return UserFlagsCore(KeyBytes.ForLookup(key, &buffer, out ulong hash), hash, UserFlagOperation.Test, flags) != 0;
    }

    /// <summary>Tests a pre-encoded key's slot user flag bits.</summary>
    /// <param name="key">The key.</param>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    public bool TestUserFlags(SplinterKey key, SplinterSlotUserFlags flags)
    {
        byte* padded = key.Pointer;
        bool answer = UserFlagsCore(padded, SplinterKey.HashAt(padded), UserFlagOperation.Test, flags) != 0;
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Copies one slot's metadata consistently (splinter_get_slot_snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGetSnapshot(string key, out SplinterSlotSnapshot snapshot)
    {
        KeyBuffer buffer;
        return TrySnapshotCore(KeyBytes.FromString(key, &buffer), out snapshot);
    }

    /// <summary>Copies a UTF-8 key's slot metadata.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGetSnapshot(ReadOnlySpan<byte> key, out SplinterSlotSnapshot snapshot)
    {
        KeyBuffer buffer;
        return TrySnapshotCore(KeyBytes.FromUtf8(key, &buffer), out snapshot);
    }

    /// <summary>Copies a pre-encoded key's slot metadata.</summary>
    /// <param name="key">The key.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    public bool TryGetSnapshot(SplinterKey key, out SplinterSlotSnapshot snapshot)
    {
        bool answer = TrySnapshotCore(key.Pointer, out snapshot);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Copies one slot's metadata.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public SplinterSlotSnapshot GetSnapshot(string key)
    {
        KeyBuffer buffer;
        byte* k = KeyBytes.FromString(key, &buffer);
        if (!TrySnapshotCore(k, out SplinterSlotSnapshot snapshot))
        {
            StoreErrors.ThrowKeyNotFound("Slots.GetSnapshot", k);
        }

        return snapshot;
    }

    /// <summary>Copies a pre-encoded key's slot metadata.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public SplinterSlotSnapshot GetSnapshot(SplinterKey key)
    {
        if (!TrySnapshotCore(key.Pointer, out SplinterSlotSnapshot snapshot))
        {
            StoreErrors.ThrowKeyNotFound("Slots.GetSnapshot", key.Pointer);
        }

        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return snapshot;
    }

    /// <summary>Finds the index of the slot that holds the key, by the format's hash and probe order (for <see cref="SplinterSignals.PulseSlot"/>).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot index, or -1 when absent.</returns>
    [SkipLocalsInit]
    public int IndexOf(string key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return IndexOfCore(padded, hash);
    }

    /// <summary>Finds the slot index of a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot index, or -1 when absent.</returns>
    public int IndexOf(SplinterKey key)
    {
        byte* padded = key.Pointer;
        int answer = IndexOfCore(padded, SplinterKey.HashAt(padded));
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>
    /// Frees the key's slot (splinter_retrain_slot): recovers a slot left busy by a writer that died inside it, and
    /// leaves the value as it is. Our library waits about 20 ms for a live writer before taking the slot over and moves
    /// the epoch forward; upstream's stores epoch 4 at once, whatever a live writer is doing. Meant for dead writers.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Retrain(string key)
    {
        KeyBuffer buffer;
        RetrainCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Retrains a UTF-8 key's slot.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void Retrain(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        RetrainCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Retrains a pre-encoded key's slot.</summary>
    /// <param name="key">The key.</param>
    public void Retrain(SplinterKey key)
    {
        RetrainCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Zeroes the unused tail of every idle slot's value region (splinter_purge); advances each idle slot's epoch by 2.</summary>
    public void Purge()
    {
        using (_store.Lease())
        {
            _store.Api.splinter_purge();
        }

        _store.OnLocalWrite(-1);
    }

    private void SetTypeCore(byte* key, SplinterSlotTypes type)
    {
        using (_store.Lease())
        {
            var call = new NativeCall(_store, "Slots.SetType", key, ResultConvention.ErrnoDecides);
            int result, error;
            do
            {
                error = 0;
                result = _store.Api.splinter_set_named_type_errno((sbyte*)key, (ushort)type, &error);
                if (result == -1 && error == Errno.EMSGSIZE)
                {
                    throw new InvalidOperationException(
                        $"Slots.SetType '{KeyBytes.Decode(key)}': a BigUInt needs 8 bytes of value space but this store's MaxValueSize is {_store.MaxValueSize} (EMSGSIZE).");
                }
            }
            while (call.Again(result, error));

            call.ThrowIfMissing();
            _store.OnLocalWrite(-1);
        }
    }

    private void SetTimeCore(byte* key, SplinterSlotTime which, ulong time, ulong offset)
    {
        if (which is not (SplinterSlotTime.Creation or SplinterSlotTime.Access))
        {
            throw new ArgumentOutOfRangeException(nameof(which), which, "Unknown slot time.");
        }

        using (_store.Lease())
        {
            var call = new NativeCall(_store, "Slots.SetTime", key, ResultConvention.ErrnoDecides);
            int result, error;
            do
            {
                error = 0;
                result = _store.Api.splinter_set_slot_time_errno((sbyte*)key, (ushort)which, time, (nuint)offset, &error);
            }
            while (call.Again(result, error));

            call.ThrowIfMissing();
            _store.OnLocalWrite(-1);
        }
    }

    private void MarkAsSystemCore(byte* key)
    {
        using (_store.Lease())
        {
            int result = _store.Api.splinter_set_as_system((sbyte*)key);
            NativeCall.Ensure(_store, "Slots.MarkAsSystem", key, ResultConvention.MinusOneIsMissing, result);
            _store.OnLocalWrite(-1);
        }
    }

    private void RetrainCore(byte* key)
    {
        using (_store.Lease())
        {
            int result = _store.Api.splinter_retrain_slot((sbyte*)key);
            NativeCall.Ensure(_store, "Slots.Retrain", key, ResultConvention.MinusOneIsMissing, result);
            _store.OnLocalWrite(-1);
        }
    }

    private int IndexOfCore(byte* paddedKey, ulong hash)
    {
        using (_store.Lease())
        {
            return _store.SlotIndexOf(paddedKey, hash);
        }
    }

    private bool TrySnapshotCore(byte* key, out SplinterSlotSnapshot result)
    {
        using (_store.Lease())
        {
            // Upstream's snapshot spins without limit on a slot that is busy at entry (native/README.md, divergence 14): call it only
            // once the slot was seen idle, within the contention budget (a seqlock wait, not a native result).
            SplinterApi api = _store.Api;
            ContentionRetry retry = default;
            ulong epoch;
            while (((epoch = api.splinter_get_epoch((sbyte*)key)) & 1) != 0)
            {
                if (!retry.Wait(_store.ContentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }

            splinter_slot_snapshot snapshot;
            if (epoch == 0
                || NativeCall.Check(_store, "Slots.GetSnapshot", key, ResultConvention.MinusOneIsMissing, api.splinter_get_slot_snapshot((sbyte*)key, &snapshot)) == NativeOutcome.Missing)
            {
                result = default;
                return false;
            }

            result = new SplinterSlotSnapshot(
                KeyBytes.Decode((byte*)snapshot.key),
                snapshot.hash,
                snapshot.epoch,
                snapshot.val_off,
                snapshot.val_len,
                (SplinterSlotTypes)snapshot.type_flag,
                (SplinterSlotUserFlags)snapshot.user_flag,
                snapshot.ctime,
                snapshot.atime,
                snapshot.bloom);
            return true;
        }
    }

    /// <summary>
    /// The user-flag calls take a slot pointer (libsplinter has no key-addressed form), so the slot is found in the mapping
    /// and the call made inside a seqlock pass that checks the slot holds the key: if a write entered the slot meanwhile
    /// (it may have changed owner), bits this call changed on a slot that no longer holds the key are put back and the
    /// call is made again on the key's slot (setting and clearing bits is idempotent). The window in which another
    /// process could change the same bits of the new owner between the two is a few instructions wide.
    /// </summary>
    private int UserFlagsCore(byte* key, ulong hash, UserFlagOperation operation, SplinterSlotUserFlags flags)
    {
        using (_store.Lease())
        {
            SplinterApi api = _store.Api;
            ref MappedStore mapped = ref _store.Mapped;
            ContentionRetry retry = default;
            ulong epoch = 0;
            while (true)
            {
                splinter_slot* slot = mapped.Find(key, hash);
                if (slot == null)
                {
                    StoreErrors.ThrowKeyNotFound($"Slots.{operation}UserFlags", key);
                }

                if (MappedStore.TryBegin(slot, out epoch) && MappedStore.Holds(slot, key, hash))
                {
                    UserFlagsRaceWindow?.Invoke();
                    byte before = Volatile.Read(ref slot->user_flag);
                    int answer = operation switch
                    {
                        UserFlagOperation.Set => Apply(api, slot, flags, set: true),
                        UserFlagOperation.Clear => Apply(api, slot, flags, set: false),
                        UserFlagOperation.Test => api.splinter_slot_usr_test(slot, (ushort)flags),
                        _ => api.splinter_slot_usr_snapshot(slot),
                    };

                    if (MappedStore.End(slot, epoch))
                    {
                        if (operation is UserFlagOperation.Set or UserFlagOperation.Clear)
                        {
                            _store.OnLocalWrite(mapped.IndexOf(slot));
                        }

                        return answer;
                    }

                    if (operation is UserFlagOperation.Set or UserFlagOperation.Clear && !MappedStore.Holds(slot, key, hash))
                    {
                        // The bits may have landed on the slot's new owner: undo exactly what this call changed.
                        byte changed = operation == UserFlagOperation.Set ? (byte)((byte)flags & ~before) : (byte)((byte)flags & before);
                        Apply(api, slot, (SplinterSlotUserFlags)changed, set: operation != UserFlagOperation.Set);
                    }
                }

                // A seqlock pass, not a native result: the store's contention budget bounds it all the same.
                if (!retry.Wait(_store.ContentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }
        }
    }

    private static int Apply(SplinterApi api, splinter_slot* slot, SplinterSlotUserFlags flags, bool set)
    {
        if (set)
        {
            api.splinter_slot_usr_set(slot, (ushort)flags);
        }
        else
        {
            api.splinter_slot_usr_clear(slot, (ushort)flags);
        }

        return 0;
    }
}
