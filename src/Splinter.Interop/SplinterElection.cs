namespace Splinter.Interop;

/// <summary>The result of a shard election: the winning shard (0 when no live bid exists) and its intent.</summary>
/// <param name="ShardId">The winning shard id, or 0.</param>
/// <param name="Intent">The winner's intent (None when there is no winner).</param>
public readonly record struct SplinterElection(uint ShardId, SplinterIntent Intent)
{
    /// <summary>True when some live bid won.</summary>
    public bool HasWinner => ShardId != 0;
}
