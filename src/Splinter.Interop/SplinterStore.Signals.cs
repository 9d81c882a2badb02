using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Signal groups: watch registration, counters, pulses, bump, retrain and polling.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Number of signal groups (valid group ids 0..63).</summary>
    public const int SignalGroupCount = 64;

    /// <summary>Makes writes to the key pulse signal group <paramref name="group"/> (0..63).</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Watch(string key, int group)
    {
        KeyBuffer buffer;
        WatchCore(KeyBytes.FromString(key, &buffer), group, register: true);
    }

    /// <summary>Makes writes to a UTF-8 key pulse a signal group.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="group">The signal group, 0..63.</param>
    [SkipLocalsInit]
    public void Watch(ReadOnlySpan<byte> key, int group)
    {
        KeyBuffer buffer;
        WatchCore(KeyBytes.FromUtf8(key, &buffer), group, register: true);
    }

    /// <summary>Makes writes to a pre-encoded key pulse a signal group.</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void Watch(SplinterKey key, int group)
    {
        WatchCore(key.Pointer, group, register: true);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Stops writes to the key from pulsing signal group <paramref name="group"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Unwatch(string key, int group)
    {
        KeyBuffer buffer;
        WatchCore(KeyBytes.FromString(key, &buffer), group, register: false);
    }

    /// <summary>Stops writes to a UTF-8 key from pulsing a signal group.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="group">The signal group, 0..63.</param>
    [SkipLocalsInit]
    public void Unwatch(ReadOnlySpan<byte> key, int group)
    {
        KeyBuffer buffer;
        WatchCore(KeyBytes.FromUtf8(key, &buffer), group, register: false);
    }

    /// <summary>Stops writes to a pre-encoded key from pulsing a signal group.</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void Unwatch(SplinterKey key, int group)
    {
        WatchCore(key.Pointer, group, register: false);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Maps every label bit in <paramref name="labels"/> to signal group <paramref name="group"/> (a label bit maps to one group; it cannot be unmapped).</summary>
    /// <param name="labels">Label bits to map.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void WatchLabels(ulong labels, int group)
    {
        ValidateGroup(group);
        using (Lease())
        {
            int result = _api.splinter_watch_label_register(labels, (byte)group);
            if (result != 0)
            {
                StoreErrors.Throw("WatchLabels", result, 0, null);
            }
        }
    }

    /// <summary>Reads signal group <paramref name="group"/>'s pulse counter (only ever increases).</summary>
    /// <param name="group">The signal group, 0..63.</param>
    /// <returns>The counter.</returns>
    public ulong GetSignalCount(int group)
    {
        ValidateGroup(group);
        using (Lease())
        {
            return _api.splinter_get_signal_count((byte)group);
        }
    }

    /// <summary>Pulses the key's signal groups (watchers and label mappings) without changing it (splinter_pulse_keygroup).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Pulse(string key)
    {
        KeyBuffer buffer;
        PulseCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Pulses a UTF-8 key's signal groups.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void Pulse(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        PulseCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Pulses a pre-encoded key's signal groups.</summary>
    /// <param name="key">The key.</param>
    public void Pulse(SplinterKey key)
    {
        PulseCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Pulses the signal groups of the slot at <paramref name="slotIndex"/> (splinter_pulse_watchers
    /// on that slot of the store's mapping). An empty slot has no watchers, so nothing happens.
    /// </summary>
    /// <param name="slotIndex">The slot index, 0..SlotCount-1 (see <see cref="FindSlot(string)"/>).</param>
    public void PulseSlot(int slotIndex)
    {
        ValidateSlotIndex(slotIndex);
        using (Lease())
        {
            _api.splinter_pulse_watchers(_mapped.Slot((uint)slotIndex));
        }
    }

    /// <summary>Finds the slot index that holds the key, by the format's hash and probe order.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot index, or -1 when absent.</returns>
    [SkipLocalsInit]
    public int FindSlot(string key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return FindSlotCore(padded, hash);
    }

    /// <summary>Finds the slot index of a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot index, or -1 when absent.</returns>
    public int FindSlot(SplinterKey key)
    {
        byte* padded = key.Pointer;
        int answer = FindSlotCore(padded, SplinterKey.HashAt(padded));
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Advances the key's slot epoch by 2 and pulses its signal groups, without changing the value (no store epoch change, no bus notification).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Bump(string key)
    {
        KeyBuffer buffer;
        BumpCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Bumps a UTF-8 key's slot epoch.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void Bump(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        BumpCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Bumps a pre-encoded key's slot epoch.</summary>
    /// <param name="key">The key.</param>
    public void Bump(SplinterKey key)
    {
        BumpCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
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

    /// <summary>
    /// Blocks until the key's slot epoch changes or <paramref name="timeout"/> passes
    /// (splinter_poll: 10 ms steps; label changes are not seen). Blocks the calling thread;
    /// a Dispose meanwhile closes the store only after it returns.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>True if the epoch changed (or a writer is inside the slot), false on timeout.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public bool WaitForChange(string key, TimeSpan timeout)
    {
        KeyBuffer buffer;
        return WaitForChangeCore(KeyBytes.FromString(key, &buffer), timeout);
    }

    /// <summary>Blocks until a UTF-8 key's slot epoch changes or the timeout passes.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True if the epoch changed, false on timeout.</returns>
    [SkipLocalsInit]
    public bool WaitForChange(ReadOnlySpan<byte> key, TimeSpan timeout)
    {
        KeyBuffer buffer;
        return WaitForChangeCore(KeyBytes.FromUtf8(key, &buffer), timeout);
    }

    /// <summary>Blocks until a pre-encoded key's slot epoch changes or the timeout passes.</summary>
    /// <param name="key">The key.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True if the epoch changed, false on timeout.</returns>
    public bool WaitForChange(SplinterKey key, TimeSpan timeout)
    {
        bool answer = WaitForChangeCore(key.Pointer, timeout);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>The slot a key is in now and its epoch (false when odd: a writer is inside); KeyNotFoundException when missing.</summary>
    private bool TryStartWatchingSlot(SplinterKey key, out int slot, out ulong epoch)
    {
        byte* padded = key.Pointer; // throws for default(SplinterKey)
        ulong hash = SplinterKey.HashAt(padded);
        slot = StoreFormat.MappingReadsSupported ? SlotIndexOf(padded, hash) : 0;
        epoch = ReadEpoch(padded, hash);
        GC.KeepAlive(key.Owner);
        if (epoch == 0 || slot < 0)
        {
            StoreErrors.ThrowKeyNotFound("WaitForChangeAsync", padded);
        }

        return (epoch & 1) == 0;
    }

    /// <summary>True when the watched slot's epoch is even and no longer <paramref name="start"/> (like splinter_poll, the physical slot is watched).</summary>
    private bool SlotEpochMoved(SplinterKey key, int slot, ulong start)
    {
        ulong epoch;
        if (StoreFormat.MappingReadsSupported)
        {
            epoch = Volatile.Read(ref _mapped.Slot((uint)slot)->epoch);
            ThrowIfClosed(); // a closed store's range reads zeros: never take them for a change
        }
        else
        {
            byte* padded = key.Pointer;
            epoch = ReadEpoch(padded, SplinterKey.HashAt(padded));
            GC.KeepAlive(key.Owner);
        }

        return (epoch & 1) == 0 && epoch != start;
    }

    private static void ValidateGroup(int group)
    {
        if ((uint)group >= SignalGroupCount)
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, $"Signal groups are 0..{SignalGroupCount - 1}.");
        }
    }

    private void WatchCore(byte* key, int group, bool register)
    {
        ValidateGroup(group);
        using (Lease())
        {
            int error = 0;
            int result = register
                ? _api.splinter_watch_register_errno((sbyte*)key, (byte)group, &error)
                : _api.splinter_watch_unregister((sbyte*)key, (byte)group);
            string operation = register ? "Watch" : "Unwatch";
            if (result == 0)
            {
                return;
            }

            if (result == -1)
            {
                StoreErrors.ThrowKeyNotFound(operation, key);
            }

            StoreErrors.Throw(operation, result, error, key);
        }
    }

    private void PulseCore(byte* key)
    {
        using (Lease())
        {
            int result = _api.splinter_pulse_keygroup((sbyte*)key);
            if (result == -1)
            {
                StoreErrors.ThrowKeyNotFound("Pulse", key);
            }

            if (result != 0)
            {
                StoreErrors.Throw("Pulse", result, 0, key);
            }
        }
    }

    private int FindSlotCore(byte* paddedKey, ulong hash)
    {
        using (Lease())
        {
            return (int)SlotIndexOf(paddedKey, hash);
        }
    }

    private void ValidateSlotIndex(int slotIndex)
    {
        if ((uint)slotIndex >= SlotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(slotIndex), slotIndex, $"Slot indices are 0..{SlotCount - 1}.");
        }
    }

    private void BumpCore(byte* key)
    {
        using (Lease())
        {
            ContentionRetry retry = default;
            while (true)
            {
                int result = _api.splinter_bump_slot((sbyte*)key);
                if (result == 0)
                {
                    OnLocalWrite(-1);
                    return;
                }

                if (result != -1)
                {
                    StoreErrors.Throw("Bump", result, 0, key);
                }

                // -1 without errno: missing, or busy (odd epoch / lost CAS).
                ulong epoch = _api.splinter_get_epoch((sbyte*)key);
                if (epoch == 0)
                {
                    StoreErrors.ThrowKeyNotFound("Bump", key);
                }

                if (!retry.Wait(_contentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }
        }
    }

    private void RetrainCore(byte* key)
    {
        using (Lease())
        {
            int result = _api.splinter_retrain_slot((sbyte*)key);
            if (result == 0)
            {
                OnLocalWrite(-1);
                return;
            }

            if (result == -1)
            {
                StoreErrors.ThrowKeyNotFound("Retrain", key);
            }

            StoreErrors.Throw("Retrain", result, 0, key);
        }
    }

    private bool WaitForChangeCore(byte* key, TimeSpan timeout)
    {
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        if (timeout < TimeSpan.Zero && !infinite)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
        }

        // splinter_poll computes a wall-clock deadline: keep each call's timeout small enough not to overflow it.
        const ulong ChunkMilliseconds = 3_600_000;
        ulong remaining = infinite ? ulong.MaxValue : (ulong)Math.Ceiling(timeout.TotalMilliseconds);
        using (Lease())
        {
            while (true)
            {
                ulong step = Math.Min(remaining, ChunkMilliseconds);
                int error = 0;
                int result = _api.splinter_poll_errno((sbyte*)key, step, &error);
                if (result == 0)
                {
                    return true;
                }

                if (result == -1 && error == Errno.ETIMEDOUT)
                {
                    if (!infinite)
                    {
                        remaining -= step;
                    }

                    if (remaining == 0)
                    {
                        return false;
                    }

                    continue;
                }

                if (result == -1 && error == Errno.EAGAIN)
                {
                    // Busy at entry: a writer is inside the slot, so its content is changing now.
                    return true;
                }

                if (result == -1 && error == 0)
                {
                    StoreErrors.ThrowKeyNotFound("WaitForChange", key);
                }

                StoreErrors.Throw("WaitForChange", result, error, key);
            }
        }
    }
}
