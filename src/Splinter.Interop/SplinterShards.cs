using System;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Logic-shard bids, elections and the cooperative madvise of one store (<see cref="SplinterStore.Shards"/>). Processes
/// claim shards with a priority and a window of ticks; the election picks one winner, and the Advise methods apply
/// memory advice only while their shard wins.
/// </summary>
public sealed unsafe class SplinterShards
{
    /// <summary>Number of records in the shard bid table.</summary>
    public const int TableSize = 32;

    /// <summary>Timeout for the Advise methods: try once.</summary>
    public const ulong AdviseTryOnce = 0;

    /// <summary>Timeout for the Advise methods: wait until the shard wins, however long.</summary>
    public const ulong AdviseWaitForever = ulong.MaxValue;

    private readonly SplinterStore _store;

    internal SplinterShards(SplinterStore store) => _store = store;

    /// <summary>Reads the tick counter libsplinter uses for shard bids and deadlines (TSC on x86_64; not nanoseconds).</summary>
    /// <returns>The current tick count.</returns>
    public static ulong GetTicks() => StoreNative.Now();

    /// <summary>Claims (or refreshes) a bid for this process, stamped now (splinter_shard_claim).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority; higher wins.</param>
    /// <param name="durationTicks">Bid window in <see cref="GetTicks"/> ticks; 0 is already expired.</param>
    /// <exception cref="SplinterException">All 32 records are taken (errno ENOSPC; expired bids are never reclaimed).</exception>
    public void Claim(uint shardId, SplinterIntent intent, byte priority, ulong durationTicks)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            int error = 0;
            int result = _store.Api.splinter_shard_claim_errno(shardId, (byte)intent, priority, durationTicks, &error);
            NativeCall.Check(_store, $"Shards.Claim {shardId}", null, ResultConvention.NegativeFails, result, error);
        }
    }

    /// <summary>Claims (or refreshes) a bid with an explicit process id and claim time (splinter_shard_claim_ex).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="processId">The claimant pid recorded in the bid.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority; higher wins.</param>
    /// <param name="durationTicks">Bid window in ticks.</param>
    /// <param name="claimedAt">Claim time in ticks.</param>
    public void Claim(uint shardId, uint processId, SplinterIntent intent, byte priority, ulong durationTicks, ulong claimedAt)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            int error = 0;
            int result = _store.Api.splinter_shard_claim_ex_errno(shardId, processId, (byte)intent, priority, durationTicks, claimedAt, &error);
            NativeCall.Check(_store, $"Shards.Claim {shardId}", null, ResultConvention.NegativeFails, result, error);
        }
    }

    /// <summary>Renews an existing bid with a new intent, priority and a window starting now (splinter_shard_rebid).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <param name="intent">The access intent.</param>
    /// <param name="priority">Priority.</param>
    /// <param name="durationTicks">Bid window in ticks.</param>
    /// <returns>False when no record holds the shard.</returns>
    public bool Rebid(uint shardId, SplinterIntent intent, byte priority, ulong durationTicks)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            int result = _store.Api.splinter_shard_rebid(shardId, (byte)intent, priority, durationTicks);
            return NativeCall.Check(_store, $"Shards.Rebid {shardId}", null, ResultConvention.MinusOneIsMissing, result) == NativeOutcome.Done;
        }
    }

    /// <summary>Frees the first record holding the shard (splinter_shard_release).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <returns>False when no record holds it.</returns>
    public bool Release(uint shardId)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            int result = _store.Api.splinter_shard_release(shardId);
            return NativeCall.Check(_store, $"Shards.Release {shardId}", null, ResultConvention.MinusOneIsMissing, result) == NativeOutcome.Done;
        }
    }

    /// <summary>Runs the election: highest priority, then earliest claim, then lowest pid (splinter_shard_election).</summary>
    /// <returns>The winner (ShardId 0 when no live bid exists).</returns>
    public SplinterElection Elect()
    {
        using (_store.Lease())
        {
            byte intent = 0;
            uint winner = _store.Api.splinter_shard_election(&intent);
            return new SplinterElection(winner, (SplinterIntent)intent);
        }
    }

    /// <summary>Tells whether the shard currently wins the election (splinter_shard_is_sovereign).</summary>
    /// <param name="shardId">Shard id, not 0.</param>
    /// <returns>True if it wins.</returns>
    public bool IsSovereign(uint shardId)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            int result = _store.Api.splinter_shard_is_sovereign(shardId);
            NativeCall.Check(_store, $"Shards.IsSovereign {shardId}", null, ResultConvention.NegativeFails, result);
            return result == 1;
        }
    }

    /// <summary>Copies the 32 bid records with their expiry and sovereignty (splinter_shard_table_snapshot); free records have ShardId 0.</summary>
    /// <returns>The records, in table order.</returns>
    public SplinterShardBid[] GetTable()
    {
        using (_store.Lease())
        {
            splinter_shard_bid_snapshot* records = stackalloc splinter_shard_bid_snapshot[TableSize];
            int count = _store.Api.splinter_shard_table_snapshot(records, TableSize);
            NativeCall.Check(_store, "Shards.GetTable", null, ResultConvention.NegativeFails, count);

            var table = new SplinterShardBid[Math.Min(count, TableSize)];
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
    public bool Advise(uint shardId, SplinterMemoryAdvice advice, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        using (_store.Lease())
        {
            return AdviseCore(shardId, null, 0, advice, timeoutTicks);
        }
    }

    /// <summary>Cooperative madvise over the value regions of slots [<paramref name="firstSlot"/>, firstSlot + slotCount).</summary>
    /// <param name="shardId">A shard that holds a bid.</param>
    /// <param name="advice">The advice.</param>
    /// <param name="firstSlot">First slot whose value region is advised.</param>
    /// <param name="slotCount">Number of slots.</param>
    /// <param name="timeoutTicks">As for <see cref="Advise"/>.</param>
    /// <returns>True when applied; false when the shard did not win in time.</returns>
    public bool AdviseSlots(uint shardId, SplinterMemoryAdvice advice, int firstSlot, int slotCount, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSlot);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slotCount);
        uint slots = _store.SlotCount;
        if ((ulong)firstSlot + (ulong)slotCount > slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, $"Slots {firstSlot}..{firstSlot + (long)slotCount - 1} exceed the store's {slots} slots.");
        }

        using (_store.Lease())
        {
            uint maxValueSize = _store.MaxValueSize;
            byte* start = _store.Mapped.Arena + ((nuint)firstSlot * maxValueSize);
            return AdviseCore(shardId, start, (nuint)slotCount * maxValueSize, advice, timeoutTicks);
        }
    }

    /// <summary>Cooperative madvise over bytes [<paramref name="offset"/>, offset + length) of the store's mapping (header at 0).</summary>
    /// <param name="shardId">A shard that holds a bid.</param>
    /// <param name="advice">The advice.</param>
    /// <param name="offset">Start offset in the mapping.</param>
    /// <param name="length">Length in bytes.</param>
    /// <param name="timeoutTicks">As for <see cref="Advise"/>.</param>
    /// <returns>True when applied; false when the shard did not win in time.</returns>
    public bool AdviseRange(uint shardId, SplinterMemoryAdvice advice, long offset, long length, ulong timeoutTicks = AdviseTryOnce)
    {
        ValidateShard(shardId);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ulong mapped = _store.Shared.Length;
        if ((ulong)offset > mapped || (ulong)length > mapped - (ulong)offset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"The range exceeds the store's {mapped}-byte mapping.");
        }

        using (_store.Lease())
        {
            return AdviseCore(shardId, (byte*)_store.MappedHeader + offset, (nuint)length, advice, timeoutTicks);
        }
    }

    private static void ValidateShard(uint shardId)
    {
        if (shardId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shardId), shardId, "Shard id 0 marks a free record; use 1 or more.");
        }
    }

    /// <summary>splinter_madvise's own convention: -1 with EAGAIN or ETIMEDOUT is "not won in time", -2 with EINVAL "no bid".</summary>
    private bool AdviseCore(uint shardId, byte* address, nuint length, SplinterMemoryAdvice advice, ulong timeoutTicks)
    {
        if (advice is < SplinterMemoryAdvice.Normal or > SplinterMemoryAdvice.DontNeed)
        {
            throw new ArgumentOutOfRangeException(nameof(advice), advice, "Unknown advice.");
        }

        int error = 0;
        int result = _store.Api.splinter_madvise_errno(shardId, address, length, (int)advice, timeoutTicks, &error);
        if (result == -1 && (error == Errno.EAGAIN || error == Errno.ETIMEDOUT))
        {
            return false;
        }

        if (result == -2 && error == Errno.EINVAL)
        {
            throw new SplinterException($"Shards.Advise: no bid holds shard {shardId}; claim it first (EINVAL).", error);
        }

        NativeCall.Check(_store, $"Shards.Advise {shardId}", null, ResultConvention.NegativeFails, result, error);
        return true;
    }
}
