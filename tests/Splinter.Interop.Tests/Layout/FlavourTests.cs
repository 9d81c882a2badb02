using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop.Tests.Layout;

/// <summary>The two slot flavours the open path knows agree with the generated header of this configuration.</summary>
[TestFixture]
[Category("Layout")]
public sealed unsafe class FlavourTests
{
    [Test]
    public void TheMirrorsFlavour_IsThisConfigurationsSlot()
    {
        Assert.That(StoreFormat.SlotSize(StoreFormat.MirrorIsEmbeddings), Is.EqualTo(sizeof(splinter_slot)));
        Assert.That(StoreFormat.IsKnown(sizeof(splinter_slot)), Is.True);
        Assert.That(StoreFormat.EmbeddingsSlotSize - StoreFormat.PlainSlotSize, Is.EqualTo(StoreFormat.EmbeddingDimension * sizeof(float)),
            "the embedding vector is the only difference (both sizes are multiples of the slot's 64-byte alignment)");
    }

#if SPLINTER_EMBEDDINGS
    [Test]
    public void TheEmbeddingDimension_IsTheHeadersConstant() =>
        Assert.That(StoreFormat.EmbeddingDimension, Is.EqualTo(LibSplinter.SPLINTER_EMBED_DIM));
#endif

    [Test]
    public void TheBindingsMirrorLayout_MatchesTheLoadedShimsTable()
    {
        // The same comparison the library check makes at run time, made visible: every row of the shim's table.
        nuint count = LibSplinterShim.SplinterShim_layout_count();
        MirrorLayoutRow[] mirrors = SplinterBindings.MirrorLayout();
        Assert.That(mirrors.Length, Is.EqualTo((int)count), "one mirror row per row of the shim's table");
        for (nuint i = 0; i < count; i++)
        {
            SplinterShim_layout_entry entry;
            Assert.That(LibSplinterShim.SplinterShim_layout_get(i, &entry), Is.Zero);
            MirrorLayoutRow row = mirrors[(int)i];
            string what = $"{row.Struct}.{row.Field ?? "(struct)"}";
            Assert.That((row.Offset, row.Size), Is.EqualTo((entry.offset, entry.size)), what);
        }
    }
}
