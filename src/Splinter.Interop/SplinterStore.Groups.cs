using System.Runtime.CompilerServices;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>
/// The specialist features, each behind a property of its own so that the store's own members are the everyday ones
/// (values, keys, labels, events), and the internal seams those feature classes call.
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

    /// <summary>Tells the event layer about a successful mutating call (slot index, or -1 when unknown).</summary>
    internal void NotifyLocalWrite(int slotIndexOrMinus1) => OnLocalWrite(slotIndexOrMinus1);

    /// <summary>A stable read of a key's value handed to a consumer (see SplinterStore.MappingReads); false when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReadStableValue<TConsumer, TResult>(byte* paddedKey, ulong hash, ref TConsumer consumer, out TResult result)
        where TConsumer : IValueConsumer<TResult>, allows ref struct =>
        ReadStable<TConsumer, TResult>(paddedKey, hash, ref consumer, out result);

    /// <summary>The index of the slot holding a key, or -1 (a hint that can be stale at once).</summary>
    internal int FindSlotIndex(byte* paddedKey, ulong hash) => SlotIndexOf(paddedKey, hash);
}
