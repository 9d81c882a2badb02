using System;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreTandemTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 16, maxValueSize: 32);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void SetTandem_WritesBaseAndOrders_RemoveTandemRemovesThem()
    {
        _store.Tandem.Set("car", "red"u8.ToArray(), "fast"u8.ToArray(), "old"u8.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(_store.GetString("car"), Is.EqualTo("red"));
            Assert.That(_store.GetString(SplinterTandem.GetKey("car", 1)), Is.EqualTo("fast"));
            Assert.That(_store.GetString("car.2"), Is.EqualTo("old"));
            Assert.That(_store.Contains("car.3"), Is.False);
        });

        _store.Tandem.Remove("car", 3);
        Assert.That(_store.GetKeys(), Is.Empty);

        var key = new SplinterKey("bike");
        _store.Tandem.Set(key, "one"u8.ToArray());
        Assert.That(_store.GetString("bike"), Is.EqualTo("one"));
        _store.Tandem.Remove(key, 1);
        Assert.That(_store.Contains("bike"), Is.False);
    }

    [Test]
    public void GetTandemKey_Names()
    {
        Assert.That(SplinterTandem.GetKey("base", 0), Is.EqualTo("base"));
        Assert.That(SplinterTandem.GetKey("base", 12), Is.EqualTo("base.12"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplinterTandem.GetKey("base", -1));
    }

    [Test]
    public void SetTandem_BadInput_WritesNothing()
    {
        Assert.Throws<ArgumentException>(() => _store.Tandem.Set("t"));
        Assert.Throws<ArgumentNullException>(() => _store.Tandem.Set("t", "a"u8.ToArray(), null!));
        Assert.Throws<ArgumentException>(() => _store.Tandem.Set("t", "a"u8.ToArray(), Array.Empty<byte>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Tandem.Set("t", new byte[33]));
        Assert.Throws<ArgumentException>(() => _store.Tandem.Set(new string('x', 62), "a"u8.ToArray(), "b"u8.ToArray()), "'x...x.1' would be 64 bytes");
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Tandem.Remove("t", 0));
        Assert.That(_store.GetKeys(), Is.Empty);
    }

    [Test]
    public void SetTandem_WhenTheStoreFills_Throws()
    {
        for (int i = 0; i < 15; i++)
        {
            _store.Set($"fill{i}", "v");
        }

        Assert.Throws<SplinterStoreFullException>(() => _store.Tandem.Set("t", "a"u8.ToArray(), "b"u8.ToArray()));
        Assert.That(_store.GetString("t"), Is.EqualTo("a"), "earlier orders stay written");
    }
}
