namespace Splinter.Interop;

/// <content>
/// The specialist features, each behind a property of its own so that the store's own members are the everyday ones
/// (values, keys, labels, events).
/// </content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Logic-shard bids, elections and the cooperative madvise.</summary>
    public SplinterShards Shards { get; }

    /// <summary>Signal groups: which keys and labels pulse which group, the groups' counters, pulses and bumps.</summary>
    public SplinterSignals Signals { get; }

    /// <summary>Per-slot metadata and upkeep: types, times, system slots, user flags, snapshots, slot indices, retrain, purge.</summary>
    public SplinterSlots Slots { get; }

    /// <summary>The store's header: its snapshot, the core flags and the scrub (mop) mode.</summary>
    public SplinterHeader Header { get; }

    /// <summary>64-bit integer operations on BigUInt slots.</summary>
    public SplinterIntegers Integers { get; }

    /// <summary>Tandem keys: a base key and its orders "base.1", "base.2", ...</summary>
    public SplinterTandem Tandem { get; }

#if SPLINTER_EMBEDDINGS
    /// <summary>Embedding vectors (SPLINTER_EMBEDDINGS builds only).</summary>
    public SplinterEmbeddings Embeddings { get; }
#endif
}
