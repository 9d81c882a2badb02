using System;
using System.Collections.Generic;
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

    [Test]
    public void SetTandem_RacingOnAFullStore_NeverReportsFull()
    {
        // Two slots, one tandem of two orders filling them, two threads writing it again and again: a set that meets
        // an order's slot busy finds no other slot (the library skips busy slots); the store is not full.
        _store.Dispose();
        _store = Names.Track(SplinterStore.Create(Names.NewName("race"), 2, 32, Options with { ContentionTimeout = TimeSpan.FromSeconds(60) }));
        SplinterStore store = _store;
        store.Tandem.Set("pair", "a0"u8.ToArray(), "a1"u8.ToArray());
        List<Exception> failures = StoreTestNames.RunConcurrently(2, writer =>
        {
            string fill = writer == 0 ? "a" : "b";
            byte[] first = System.Text.Encoding.ASCII.GetBytes(fill + "0");
            byte[] second = System.Text.Encoding.ASCII.GetBytes(fill + "1");
            for (int i = 0; i < 300_000; i++)
            {
                store.Tandem.Set("pair", first, second);
            }
        });
        Assert.That(failures, Is.Empty, () => $"a racing tandem write failed: {failures[0]}");
        Assert.That(store.GetString("pair"), Is.EqualTo("a0").Or.EqualTo("b0"));
        Assert.That(store.GetString("pair.1"), Is.EqualTo("a1").Or.EqualTo("b1"));
    }
}
