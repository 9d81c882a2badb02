using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Store;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// Many stores at once in one process, of both variants: each is held by its own library copy, so each has its own
/// state (values, event bus), and a second open of one of them is another handle on it.
/// </summary>
[TestFixture]
[Category("Store")]
public sealed class MultiStoreTests
{
    private static readonly TimeSpan WakeBound = TimeSpan.FromSeconds(10);

    private StoreTestNames _shm = null!;
    private StoreTestNames _persistent = null!;

    [SetUp]
    public void CreateNames()
    {
        _shm = new StoreTestNames(SplinterVariant.SharedMemory);
        _persistent = new StoreTestNames(SplinterVariant.Persistent);
    }

    [TearDown]
    public void CleanUp()
    {
        _shm.Dispose();
        _persistent.Dispose();
    }

    [Test]
    public void SixteenStoresOfBothVariants_AreOpenAtOnce_EachWithItsOwnValuesAndChanges_AndOneOpensTwice()
    {
        var stores = new List<SplinterStore>();
        for (int i = 0; i < 16; i++)
        {
            StoreTestNames names = i % 2 == 0 ? _shm : _persistent;
            stores.Add(names.Create(slots: 32, maxValueSize: 64, purpose: $"multi{i}"));
        }

        for (int i = 0; i < stores.Count; i++)
        {
            stores[i].Set("shared-key", $"value of store {i}");
            stores[i].Set($"only-in-{i}", "here");
        }

        byte[] buffer = new byte[64];
        for (int i = 0; i < stores.Count; i++)
        {
            SplinterStore store = stores[i];
            Assert.Multiple(() =>
            {
                Assert.That(store.GetString("shared-key"), Is.EqualTo($"value of store {i}"), "native read");
                Assert.That(store.TryGet("shared-key", buffer, out int length), Is.True, "mapping read");
                Assert.That(System.Text.Encoding.UTF8.GetString(buffer, 0, length), Is.EqualTo($"value of store {i}"));
                Assert.That(store.GetKeys().Order(StringComparer.Ordinal), Is.EqualTo(new[] { $"only-in-{i}", "shared-key" }), "no other store's key");
            });
        }

        var copies = stores.Select(s => s.Shared.Library).ToList();
        Assert.That(copies.Distinct().Count(), Is.EqualTo(16), "each open store has its own library copy");
        Assert.That(copies.Select(c => c.Handle).Distinct().Count(), Is.EqualTo(16), "sixteen loaded objects");

        // A second open of store 5 is another handle on the same open store.
        SplinterStore again = (stores[5].Variant == SplinterVariant.SharedMemory ? _shm : _persistent)
            .Track(SplinterStore.Open(stores[5].Name, new SplinterStoreOptions { Variant = stores[5].Variant }));
        Assert.That(again.Shared, Is.SameAs(stores[5].Shared));
        again.Set("from-second-handle", "2");
        stores[5].Set("from-first-handle", "1");
        Assert.That(stores[5].GetString("from-second-handle"), Is.EqualTo("2"));
        Assert.That(again.GetString("from-first-handle"), Is.EqualTo("1"));
        stores[5].Dispose();
        Assert.That(again.GetString("shared-key"), Is.EqualTo("value of store 5"), "disposing one handle keeps the other working");
        again.Set("after", "dispose");
        Assert.That(again.TryGet("after", buffer, out _), Is.True);

        // The other fifteen are untouched by all of it.
        for (int i = 0; i < stores.Count; i++)
        {
            if (i != 5)
            {
                Assert.That(stores[i].Contains("from-second-handle"), Is.False, $"store {i}");
            }
        }

        // A subscription on each store sees that store's writes and nobody else's.
        stores[5] = again;
        var subscriptions = stores.Select(store => store.Events.Subscribe()).ToList();
        try
        {
            for (int i = 0; i < stores.Count; i++)
            {
                stores[i].Set($"watched-{i}", "w");
            }

            for (int i = 0; i < stores.Count; i++)
            {
                Assert.That(subscriptions[i].Wait(WakeBound), Is.True, $"subscription of store {i} woke");
                Assert.That(subscriptions[i].ReadChanges().Select(change => change.Key), Is.EqualTo(new[] { $"watched-{i}" }), $"store {i} sees only its own change");
            }
        }
        finally
        {
            subscriptions.ForEach(subscription => subscription.Dispose());
        }
    }

    [Test]
    public void ACopyWhoseStoreClosed_ServesTheNextStore()
    {
        // Stores open and close under StoreRegistry.Lock (a Monitor, so this thread may take it again inside): holding it
        // keeps the tests running in parallel from taking the freed copy between the close and the next open, which an
        // earlier version of this test could only retry, and lost under load.
        lock (StoreRegistry.Lock)
        {
            SplinterStore first = _shm.Create(purpose: "pool");
            LibraryInstance copy = first.Shared.Library;
            int copies = copy.Pool.InstanceCount;
            first.Dispose();

            SplinterStore next = _shm.Create(purpose: "pool");
            Assert.That(next.Shared.Library, Is.SameAs(copy), "the freed copy serves the next store");
            Assert.That(copy.Pool.InstanceCount, Is.EqualTo(copies), "no copy was loaded for it");
            next.Dispose();
        }
    }

    [Test]
    public void EachStoresBus_IsArmedInItsOwnCopy_AndWakesOnlyItsOwnSubscribers()
    {
        var stores = new List<SplinterStore>();
        var subscriptions = new List<EventSubscription>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                SplinterStore store = (i % 2 == 0 ? _shm : _persistent).Create(purpose: $"bus{i}");
                store.Events.Arm();
                stores.Add(store);
                subscriptions.Add(store.Events.Subscribe());
            }

            for (int i = 0; i < stores.Count; i++)
            {
                Assert.That(stores[i].Events.IsOwner, Is.True, $"store {i} is armed");
                Assert.That(stores[i].Events.OwnerProcessId, Is.EqualTo(Environment.ProcessId));
            }

            for (int writer = 0; writer < stores.Count; writer++)
            {
                stores[writer].Set($"written-{writer}", "x");
                Assert.That(subscriptions[writer].Wait(WakeBound), Is.True, $"store {writer}'s subscriber wakes");
                Assert.That(subscriptions[writer].ReadChanges().Select(c => c.Key), Is.EqualTo(new[] { $"written-{writer}" }));
                for (int other = 0; other < stores.Count; other++)
                {
                    if (other != writer)
                    {
                        Assert.That(subscriptions[other].ReadChanges().Count, Is.Zero, $"store {other} saw nothing of store {writer}'s write");
                    }
                }
            }
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }
}
