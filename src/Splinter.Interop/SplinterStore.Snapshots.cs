using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Header and slot snapshots.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Copies the header's scalar fields (splinter_get_header_snapshot).</summary>
    /// <returns>The snapshot.</returns>
    public SplinterHeaderSnapshot GetHeaderSnapshot()
    {
        using (Lease())
        {
            splinter_header_snapshot snapshot;
            int result = _api.splinter_get_header_snapshot(&snapshot);
            if (result != 0)
            {
                StoreErrors.Throw("GetHeaderSnapshot", result, 0, null);
            }

            return new SplinterHeaderSnapshot(
                snapshot.magic,
                snapshot.version,
                snapshot.slots,
                snapshot.max_val_sz,
                snapshot.epoch,
                (SplinterCoreFlags)snapshot.core_flags,
                snapshot.user_flags,
                snapshot.parse_failures,
                snapshot.last_failure_epoch);
        }
    }

    /// <summary>Copies one slot's metadata consistently (splinter_get_slot_snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGetSlotSnapshot(string key, out SplinterSlotSnapshot snapshot)
    {
        KeyBuffer buffer;
        return TrySlotSnapshotCore(KeyBytes.FromString(key, &buffer), out snapshot);
    }

    /// <summary>Copies a UTF-8 key's slot metadata.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGetSlotSnapshot(ReadOnlySpan<byte> key, out SplinterSlotSnapshot snapshot)
    {
        KeyBuffer buffer;
        return TrySlotSnapshotCore(KeyBytes.FromUtf8(key, &buffer), out snapshot);
    }

    /// <summary>Copies a pre-encoded key's slot metadata.</summary>
    /// <param name="key">The key.</param>
    /// <param name="snapshot">The snapshot, or default when missing.</param>
    /// <returns>False when the key does not exist.</returns>
    public bool TryGetSlotSnapshot(SplinterKey key, out SplinterSlotSnapshot snapshot)
    {
        bool answer = TrySlotSnapshotCore(key.Pointer, out snapshot);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Copies one slot's metadata.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public SplinterSlotSnapshot GetSlotSnapshot(string key)
    {
        KeyBuffer buffer;
        byte* k = KeyBytes.FromString(key, &buffer);
        if (!TrySlotSnapshotCore(k, out SplinterSlotSnapshot snapshot))
        {
            StoreErrors.ThrowKeyNotFound("GetSlotSnapshot", k);
        }

        return snapshot;
    }

    /// <summary>Copies a pre-encoded key's slot metadata.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public SplinterSlotSnapshot GetSlotSnapshot(SplinterKey key)
    {
        if (!TrySlotSnapshotCore(key.Pointer, out SplinterSlotSnapshot snapshot))
        {
            StoreErrors.ThrowKeyNotFound("GetSlotSnapshot", key.Pointer);
        }

        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return snapshot;
    }

    private bool TrySlotSnapshotCore(byte* key, out SplinterSlotSnapshot result)
    {
        using (Lease())
        {
            // Upstream's snapshot spins without limit on a slot that is busy at entry (quirk Q23):
            // only call it once the slot was seen idle, within the contention budget.
            ContentionRetry retry = default;
            while (true)
            {
                ulong epoch = _api.splinter_get_epoch((sbyte*)key);
                if (epoch == 0)
                {
                    result = default;
                    return false;
                }

                if ((epoch & 1) == 0)
                {
                    break;
                }

                if (!retry.Wait(_contentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }

            splinter_slot_snapshot snapshot;
            int status = _api.splinter_get_slot_snapshot((sbyte*)key, &snapshot);
            if (status == -1)
            {
                result = default;
                return false;
            }

            if (status != 0)
            {
                StoreErrors.Throw("GetSlotSnapshot", status, 0, key);
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
}
