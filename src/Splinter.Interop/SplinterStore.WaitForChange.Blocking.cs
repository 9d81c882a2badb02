using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>WaitForChange: a blocking wait for one key's change (splinter_poll); the async form has its own part.</content>
public sealed unsafe partial class SplinterStore
{
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
