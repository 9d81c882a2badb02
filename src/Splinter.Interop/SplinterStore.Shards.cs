using System;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Logic-shard bids, elections and the cooperative madvise.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Number of records in the shard bid table.</summary>
    public const int ShardTableSize = 32;

    /// <summary>Timeout for the Advise methods: try once.</summary>
    public const ulong AdviseTryOnce = 0;

    /// <summary>Timeout for the Advise methods: wait until the shard wins, however long.</summary>
    public const ulong AdviseWaitForever = ulong.MaxValue;

    /// <summary>Claims (or refreshes) a bid for this process, stamped now (splinter_shard_claim).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority; higher wins.</param>
    /// <param name="durationTicks">Bid window in <see cref="GetTicks"/> ticks; 0 is already expired.</param>
    /// <exception cref="SplinterException">All 32 records are taken (errno ENOSPC; expired bids are never reclaimed).</exception>
    public void ClaimShard(uint shardId, SplinterIntent intent, byte priority, ulong durationTicks)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            int error = 0;
            int result = _api.splinter_shard_claim_errno(shardId, (byte)intent, priority, durationTicks, &error);
            if (result != 0)
            {
                StoreErrors.Throw($"ClaimShard {shardId}", result, error, null);
            }
        }
    }

    /// <summary>Claims (or refreshes) a bid with an explicit process id and claim time (splinter_shard_claim_ex).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="processId">The claimant pid recorded in the bid.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority; higher wins.</param>
    /// <param name="durationTicks">Bid window in ticks.</param>
    /// <param name="claimedAt">Claim time in ticks.</param>
    public void ClaimShard(uint shardId, uint processId, SplinterIntent intent, byte priority, ulong durationTicks, ulong claimedAt)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            int error = 0;
            int result = _api.splinter_shard_claim_ex_errno(shardId, processId, (byte)intent, priority, durationTicks, claimedAt, &error);
            if (result != 0)
            {
                StoreErrors.Throw($"ClaimShard {shardId}", result, error, null);
            }
        }
    }

    /// <summary>Renews an existing bid with a new intent, priority and a window starting now (splinter_shard_rebid).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority.</param>
    /// <param name="durationTicks">Bid window in ticks.</param>
    /// <returns>False when no record holds the shard.</returns>
    public bool RebidShard(uint shardId, SplinterIntent intent, byte priority, ulong durationTicks)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            int result = _api.splinter_shard_rebid(shardId, (byte)intent, priority, durationTicks);
            if (result == -1)
            {
                return false;
            }

            if (result != 0)
            {
                StoreErrors.Throw($"RebidShard {shardId}", result, 0, null);
            }

            return true;
        }
    }

    /// <summary>Frees the first record holding the shard (splinter_shard_release).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <returns>False when no record holds it.</returns>
    public bool ReleaseShard(uint shardId)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            int result = _api.splinter_shard_release(shardId);
            if (result == -1)
            {
                return false;
            }

            if (result != 0)
            {
                StoreErrors.Throw($"ReleaseShard {shardId}", result, 0, null);
            }

            return true;
        }
    }

    /// <summary>Runs the election: highest priority, then earliest claim, then lowest pid (splinter_shard_election).</summary>
    /// <returns>The winner (ShardId 0 when no live bid exists).</returns>
    public SplinterElection ElectShard()
    {
        using (Lease())
        {
            byte intent = 0;
            uint winner = _api.splinter_shard_election(&intent);
            return new SplinterElection(winner, (SplinterIntent)intent);
        }
    }

    /// <summary>Tells whether the shard currently wins the election (splinter_shard_is_sovereign).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <returns>True if it wins.</returns>
    public bool IsSovereign(uint shardId)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            int result = _api.splinter_shard_is_sovereign(shardId);
            if (result < 0)
            {
                StoreErrors.Throw($"IsSovereign {shardId}", result, 0, null);
            }

            return result == 1;
        }
    }

    /// <summary>Copies the 32 bid records with their expiry and sovereignty (splinter_shard_table_snapshot); free records have ShardId 0.</summary>
    /// <returns>The records, in table order.</returns>
    public SplinterShardBid[] GetShardTable()
    {
        using (Lease())
        {
            splinter_shard_bid_snapshot* records = stackalloc splinter_shard_bid_snapshot[ShardTableSize];
            int count = _api.splinter_shard_table_snapshot(records, ShardTableSize);
            if (count < 0)
            {
                StoreErrors.Throw("GetShardTable", count, 0, null);
            }

            var table = new SplinterShardBid[Math.Min(count, ShardTableSize)];
            for (int i = 0; i < table.Length; i++)
            {
                splinter_shard_bid_snapshot* record = records + i;
                table[i] = new SplinterShardBid(
                    record->shard_id,
                    record->pid,
                    (SplinterIntent)record->intent,
                    record->priority,
                    record->duration_tsc,
                    record->claimed_at,
                    record->expired != 0,
                    record->sovereign != 0);
            }

            return table;
        }
    }

    /// <summary>
    /// Cooperative madvise over the whole value arena: waits until <paramref name="shardId"/> wins
    /// the election, then applies <paramref name="advice"/> (splinter_madvise with a NULL range).
    /// While waiting it drains the event-bus counter like splinter_event_bus_wait, and a Dispose
    /// meanwhile closes the store only after it returns.
    /// </summary>
    /// <param name="shardId">A shard that holds a bid.</param>
    /// <param name="advice">The advice (POSIX numbering).</param>
    /// <param name="timeoutTicks"><see cref="AdviseTryOnce"/>, <see cref="AdviseWaitForever"/>, or a tick budget.</param>
    /// <returns>True when applied; false when the shard did not win in time.</returns>
    /// <exception cref="SplinterException">No bid holds the shard (EINVAL), or posix_madvise failed.</exception>
    public bool AdviseShard(uint shardId, SplinterMemoryAdvice advice, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        using (Lease())
        {
            return AdviseCore(shardId, null, 0, advice, timeoutTicks);
        }
    }

    /// <summary>Cooperative madvise over the value regions of slots [<paramref name="firstSlot"/>, firstSlot + slotCount).</summary>
    /// <param name="shardId">A shard that holds a bid.</param>
    /// <param name="advice">The advice.</param>
    /// <param name="firstSlot">First slot whose value region is advised.</param>
    /// <param name="slotCount">Number of slots.</param>
    /// <param name="timeoutTicks">As for <see cref="AdviseShard"/>.</param>
    /// <returns>True when applied; false when the shard did not win in time.</returns>
    public bool AdviseShardSlots(uint shardId, SplinterMemoryAdvice advice, int firstSlot, int slotCount, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSlot);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slotCount);
        if ((ulong)firstSlot + (ulong)slotCount > _slotCount)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, $"Slots {firstSlot}..{firstSlot + (long)slotCount - 1} exceed the store's {_slotCount} slots.");
        }

        using (Lease())
        {
            byte* start = _arena + ((nuint)firstSlot * _maxValueSize); // after the slots at the store's own slot size
            return AdviseCore(shardId, start, (nuint)slotCount * _maxValueSize, advice, timeoutTicks);
        }
    }

    /// <summary>Cooperative madvise over bytes [<paramref name="offset"/>, offset + length) of the store's mapping (header at 0).</summary>
    /// <param name="shardId">A shard that holds a bid.</param>
    /// <param name="advice">The advice.</param>
    /// <param name="offset">Start offset in the mapping.</param>
    /// <param name="length">Length in bytes.</param>
    /// <param name="timeoutTicks">As for <see cref="AdviseShard"/>.</param>
    /// <returns>True when applied; false when the shard did not win in time.</returns>
    public bool AdviseShardRange(uint shardId, SplinterMemoryAdvice advice, long offset, long length, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ulong mapped = _handle.Length;
        if ((ulong)offset > mapped || (ulong)length > mapped - (ulong)offset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The range exceeds the store's {mapped}-byte mapping.");
        }

        using (Lease())
        {
            return AdviseCore(shardId, (byte*)_header + offset, (nuint)length, advice, timeoutTicks);
        }
    }

    private static void ValidateShard(uint shardId)
    {
        if (shardId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shardId), shardId, "Shard id 0 marks a free record; use 1 or more.");
        }
    }

    private bool AdviseCore(uint shardId, byte* address, nuint length, SplinterMemoryAdvice advice, ulong timeoutTicks)
    {
        if (advice is < SplinterMemoryAdvice.Normal or > SplinterMemoryAdvice.DontNeed)
        {
            throw new ArgumentOutOfRangeException(nameof(advice), advice, "Unknown advice.");
        }

        int error = 0;
        int result = _api.splinter_madvise_errno(shardId, address, length, (int)advice, timeoutTicks, &error);
        if (result == 0)
        {
            return true;
        }

        if (result == -1 && (error == Errno.EAGAIN || error == Errno.ETIMEDOUT))
        {
            return false;
        }

        if (result == -2 && error == Errno.EINVAL)
        {
            throw new SplinterException($"AdviseShard: no bid holds shard {shardId}; claim it first (EINVAL).", error);
        }

        StoreErrors.Throw($"AdviseShard {shardId}", result, error, null);
        return false;
    }
}
