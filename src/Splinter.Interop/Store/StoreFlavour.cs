using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The two flavours of the format: the default build's slots, and SPLINTER_EMBEDDINGS builds whose slots carry an
/// embedding vector after the same fields. The header is the same in both, so a store's flavour is told by its size
/// for its geometry, and the rest of the C# layer knows it as the slot size (the stride of the slot array).
/// </summary>
internal static unsafe class StoreFlavour
{
    /// <summary>Slot size of the default flavour.</summary>
    public static int PlainSlotSize =>
#if SPLINTER_EMBEDDINGS
        RoundToSlotAlignment(sizeof(splinter_slot) - EmbeddingBytes);
#else
        sizeof(splinter_slot);
#endif

    /// <summary>Slot size of the embeddings flavour.</summary>
    public static int EmbeddingsSlotSize =>
#if SPLINTER_EMBEDDINGS
        sizeof(splinter_slot);
#else
        RoundToSlotAlignment(sizeof(splinter_slot) + EmbeddingBytes);
#endif

    /// <summary>The flavour this build's mirrors describe.</summary>
    public static bool MirrorIsEmbeddings =>
#if SPLINTER_EMBEDDINGS
        true;
#else
        false;
#endif

    /// <summary>Floats per embedding vector in SPLINTER_EMBEDDINGS builds (the header defines it only there).</summary>
    public const int EmbeddingDimension =
#if SPLINTER_EMBEDDINGS
        LibSplinter.SPLINTER_EMBED_DIM;
#else
        768; // SPLINTER_EMBED_DIM; the layout tests of the embeddings configuration compare it with the generated constant
#endif

    private static int EmbeddingBytes => EmbeddingDimension * sizeof(float);

    /// <summary>The slot size of a flavour.</summary>
    public static int SlotSize(bool embeddings) => embeddings ? EmbeddingsSlotSize : PlainSlotSize;

    /// <summary>True for a slot size of one of the two flavours.</summary>
    public static bool IsKnown(int slotSize) => slotSize == PlainSlotSize || slotSize == EmbeddingsSlotSize;

    /// <summary>"the default flavour (128-byte slots)", "the embeddings flavour (...)" or the size itself, for messages.</summary>
    public static string Describe(int slotSize) =>
        slotSize == PlainSlotSize ? $"the default flavour ({slotSize}-byte slots)"
        : slotSize == EmbeddingsSlotSize ? $"the embeddings flavour ({slotSize}-byte slots, SPLINTER_EMBEDDINGS)"
        : $"{slotSize}-byte slots";

    /// <summary>
    /// The slot size a store of this geometry and object size has, when it is one of the two flavours; otherwise the
    /// mirror's own (so that the format check names the difference).
    /// </summary>
    public static int SlotSizeOf(uint slots, uint maxValueSize, ulong objectSize)
    {
        foreach (int candidate in (int[])[sizeof(splinter_slot), PlainSlotSize, EmbeddingsSlotSize])
        {
            if (StoreMapping.ExpectedSize(slots, maxValueSize, candidate) == objectSize)
            {
                return candidate;
            }
        }

        return sizeof(splinter_slot);
    }

    private static int RoundToSlotAlignment(int size) => (size + 63) & ~63;
}
