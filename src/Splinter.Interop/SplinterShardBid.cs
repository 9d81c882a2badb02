namespace Splinter.Interop;

/// <summary>One record of the shard bid table with its evaluated state (splinter_shard_table_snapshot).</summary>
/// <param name="ShardId">Shard id; 0 for a free record.</param>
/// <param name="ProcessId">Claimant process id.</param>
/// <param name="Intent">Recorded intent (unvalidated by the library: may hold any byte).</param>
/// <param name="Priority">Bid priority; higher wins.</param>
/// <param name="DurationTicks">Bid window in <see cref="SplinterShards.GetTicks"/> ticks.</param>
/// <param name="ClaimedAt">Tick count at claim or re-bid.</param>
/// <param name="Expired">The record is free or its window has passed.</param>
/// <param name="Sovereign">The record belongs to the current election winner.</param>
public readonly record struct SplinterShardBid(
    uint ShardId,
    uint ProcessId,
    SplinterIntent Intent,
    byte Priority,
    ulong DurationTicks,
    ulong ClaimedAt,
    bool Expired,
    bool Sovereign);
