#if SPLINTER_EMBEDDINGS
using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreEmbeddingTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 8, maxValueSize: 32);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void Embedding_RoundTrips()
    {
        Assert.That(_store.Embeddings.IsSupported, Is.True);
        float[] vector = Enumerable.Range(0, SplinterEmbeddings.Dimension).Select(i => i * 0.5f).ToArray();
        _store.Set("e", "v");
        ulong epoch = _store.GetEpoch("e");
        _store.Embeddings.Set("e", vector);
        float[] read = new float[SplinterEmbeddings.Dimension];
        Assert.That(_store.Embeddings.TryGet(new SplinterKey("e"), read), Is.True);
        Assert.That(read, Is.EqualTo(vector));
        Assert.That(_store.GetEpoch("e"), Is.EqualTo(epoch + 2));
    }

    [Test]
    public void Embedding_BadInput()
    {
        _store.Set("e", "v");
        Assert.Throws<ArgumentException>(() => _store.Embeddings.Set("e", new float[10]));
        Assert.Throws<ArgumentException>(() => _store.Embeddings.TryGet("e", new float[10]));
        Assert.Throws<KeyNotFoundException>(() => _store.Embeddings.Set("missing", new float[SplinterEmbeddings.Dimension]));
        Assert.That(_store.Embeddings.TryGet("missing", new float[SplinterEmbeddings.Dimension]), Is.False);
    }
}
#endif
