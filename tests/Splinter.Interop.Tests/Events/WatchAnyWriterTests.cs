using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Events;

/// <summary>
/// A subscription works on every store: through the bus when one is reachable, otherwise by polling the store's global
/// epoch, moving between the two on its own; every change is reported whoever made it (a C writer that never arms the
/// bus, an owner that dies mid-stream), each batch stays valid, filters narrow what is reported, and a write no slot
/// explains is flagged instead of lost.
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Events")]
public sealed class WatchAnyWriterTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Test]
    public void AStoreNobodyArmed_IsWatchedByPolling_AndWritesWakeBothKindsOfWait()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        using EventSubscription subscription = store.Events.Subscribe();
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Polling));
        Assert.That(subscription.PollingReason, Does.Contain("not armed"));

        store.Set("sync", "1"u8);
        Assert.That(subscription.Wait(Guard), Is.True, "a blocking wait notices the write by polling");
        Assert.That(subscription.ReadChanges().Select(change => change.Key), Is.EqualTo(new[] { "sync" }));
        Assert.That(subscription.Wait(TimeSpan.FromMilliseconds(30)), Is.False, "nothing more was written");

        ValueTask<bool> pending = subscription.WaitAsync(Guard);
        store.Set("async", "2"u8);
        Assert.That(pending.AsTask().Wait(Guard) && pending.Result, Is.True, "an async wait notices the write by polling");
        Assert.That(subscription.ReadChanges().Select(change => change.Key), Is.EqualTo(new[] { "async" }));
    }

    [Test]
    public void APollingSubscription_MovesToTheBus_WhenAWriterArmsIt()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        using EventSubscription subscription = store.Events.Subscribe();
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Polling));

        store.Events.Arm();
        var clock = Stopwatch.StartNew();
        while (subscription.Mode != SubscriptionMode.Bus && clock.Elapsed < Guard)
        {
            subscription.Wait(TimeSpan.FromMilliseconds(10)); // each look without a wake-up also looks for a bus
        }

        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Bus));
        Assert.That(subscription.PollingReason, Is.Null);
        Assert.That(subscription.SafeHandle, Is.Not.Null);
        subscription.ReadChanges();

        subscription.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan; // only the bus can wake it now
        store.Set("k", "1"u8);
        Assert.That(subscription.Wait(Guard), Is.True, "the bus woke the wait");
        Assert.That(subscription.ReadChanges().Select(change => change.Key), Is.EqualTo(new[] { "k" }));
    }

    [Test]
    public void EveryBatchStaysValid_AfterTheNextOneIsRead()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        using EventSubscription subscription = store.Events.Subscribe();
        store.Set("first", "1"u8);
        ChangeBatch first = subscription.ReadChanges();
        store.Set("second", "2"u8);
        store.Set("third", "3"u8);
        ChangeBatch second = subscription.ReadChanges();
        ChangeBatch empty = subscription.ReadChanges();

        Assert.That(first.Select(change => change.Key), Is.EqualTo(new[] { "first" }));
        Assert.That(second.Select(change => change.Key).Order(), Is.EqualTo(new[] { "second", "third" }));
        Assert.That(empty.Count, Is.Zero);
        Assert.That(empty, Is.SameAs(ChangeBatch.Empty));
    }

    [Test]
    public async Task EveryBatchIsNew_AlsoWhenWaitsPreparedIt()
    {
        // A wait allocates the batch of the next read that finds a change ahead of time; whichever thread waits, that
        // batch goes to one read only, and no batch changes after it was returned.
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        using EventSubscription subscription = store.Events.Subscribe();
        using var stop = new CancellationTokenSource();
        Task waits = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await subscription.WaitAsync(TimeSpan.Zero);
            }
        });

        var seen = new HashSet<ChangeBatch>(ReferenceEqualityComparer.Instance);
        var kept = new List<(ChangeBatch Batch, string Key)>();
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                if (i % 3 == 0)
                {
                    subscription.Wait(TimeSpan.Zero); // the blocking wait prepares one too
                }

                string key = $"k{i % 40}";
                store.Set(key, BitConverter.GetBytes(i));
                ChangeBatch batch = subscription.ReadChanges();
                Assert.That(seen.Add(batch), Is.True, $"read {i} returned a batch an earlier read returned");
                kept.Add((batch, key));
            }
        }
        finally
        {
            stop.Cancel();
            await waits.WaitAsync(Guard);
        }

        foreach ((ChangeBatch batch, string key) in kept)
        {
            Assert.That(batch.Select(change => change.Key), Is.EqualTo(new[] { key }));
        }
    }

    [Test]
    public async Task WatchAsync_YieldsBatchesThatCanBeBuffered()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        using EventSubscription subscription = store.Events.Subscribe();
        using var stop = new CancellationTokenSource(Guard);
        var batches = new List<ChangeBatch>();
        Task feed = Task.Run(async () =>
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(stop.Token))
            {
                batches.Add(batch);
                if (batches.Sum(b => b.Count) >= 3)
                {
                    return;
                }
            }
        });

        foreach (string key in new[] { "a", "b", "c" })
        {
            store.Set(key, "v"u8);
            await Task.Delay(20);
        }

        await feed;
        Assert.That(batches.SelectMany(batch => batch).Select(change => change.Key).Order(), Is.EqualTo(new[] { "a", "b", "c" }));
    }

    [Test]
    [OurLibrary("epochs never go back (a remove ends above the epoch the slot had)")]
    public void ARemoveFollowedByASetOfTheSameKey_IsReported()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        store.Set("k", "1"u8);
        store.Set("k", "2"u8);
        using EventSubscription subscription = store.Events.Subscribe();
        store.Remove("k");
        store.Set("k", "3"u8);

        ChangeBatch changes = subscription.ReadChanges();
        Assert.That(changes.Select(change => (change.Key, change.Kind)), Is.EqualTo(new[] { ("k", SlotChangeKind.Written) }));
        Assert.That(changes.HasUnidentifiedChanges, Is.False);
    }

    [Test]
    public unsafe void AWriteThatLeavesNoTraceInTheSlots_IsFlagged_NotLost()
    {
        // What an upstream writer's remove + set of the same key looks like: the slot is back at the epoch it had, only
        // the global epoch moved (the set's +1; the remove moves none).
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        store.Set("k", "1"u8);
        using EventSubscription subscription = store.Events.Subscribe();
        for (int i = 0; i < 50; i++)
        {
            store.Set("k", "2"u8);
            store.Set("other", "x"u8);
            Assert.That(subscription.ReadChanges().HasUnidentifiedChanges, Is.False, "ordinary writes are explained by their slots");
        }

        using (var editor = new SlotEditor(store))
        {
            Interlocked.Increment(ref editor.Header->epoch);
        }

        ChangeBatch flagged = subscription.ReadChanges();
        Assert.That(flagged.HasUnidentifiedChanges, Is.True);
        Assert.That(flagged.Count, Is.Zero);
        Assert.That(subscription.ReadChanges().HasUnidentifiedChanges, Is.False, "told once");
    }

    [Test]
    public void AKeyPrefix_ReportsOnlyItsKeys_IncludingTheirRemoval()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        store.Set("b.gone", "x"u8);
        store.Set("a.gone", "x"u8);
        using EventSubscription subscription = store.Events.Subscribe(new SubscriptionOptions { KeyPrefix = "a." });
        store.Set("a.1", "1"u8);
        store.Set("b.1", "1"u8);
        store.Remove("a.gone");
        store.Remove("b.gone");

        Assert.That(
            subscription.ReadChanges().Select(change => (change.Key, change.Kind)).Order(),
            Is.EqualTo(new[] { ("a.1", SlotChangeKind.Written), ("a.gone", SlotChangeKind.Removed) }));
    }

    [Test]
    public void ALabelFilter_ReportsSlotsThatHaveOrHadTheLabels()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        const ulong Hot = 0b100;
        store.Set("plain", "1"u8);
        store.Set("tagged", "1"u8);
        using EventSubscription subscription = store.Events.Subscribe(new SubscriptionOptions { Labels = Hot });
        store.AddLabels("tagged", Hot);
        store.Set("plain", "2"u8);
        Assert.That(subscription.ReadChanges().Select(change => (change.Key, change.Kind)), Is.EqualTo(new[] { ("tagged", SlotChangeKind.LabelsChanged) }));

        store.RemoveLabels("tagged", Hot);
        Assert.That(subscription.ReadChanges().Select(change => change.Key), Is.EqualTo(new[] { "tagged" }), "losing the label is a change of a slot that had it");
        store.Set("tagged", "2"u8);
        Assert.That(subscription.ReadChanges().Count, Is.Zero, "without the label, its writes are not reported");
    }

    [Test]
    public void AWriterProcessThatNeverArmsTheBus_HasEveryChangeReported()
    {
        const int Count = 300;
        SplinterStore store = Names.Create(slots: 1024, maxValueSize: 64);
        using CProgram writer = CProgram.Build("c_writer", Variant);
        using EventSubscription subscription = store.Events.Subscribe();
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Polling), "nobody armed the bus");

        var seen = new ConcurrentDictionary<string, byte>();
        using var guard = new CancellationTokenSource(Guard);
        Task feed = CollectUntil(subscription, seen, Count, guard.Token);
        using ChildProcess child = ChildProcess.StartProgram(writer.Path, store.Name, Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "200", "c.");
        child.WaitReady();
        Assert.That(child.Finish(Guard), Does.Contain($"done {Count}"));

        Assert.That(feed.Wait(Guard), Is.True, $"the feed saw {seen.Count} of {Count} keys");
        Assert.That(seen.Keys.Order(StringComparer.Ordinal), Is.EqualTo(Enumerable.Range(0, Count).Select(i => $"c.{i}").Order(StringComparer.Ordinal)));
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Polling));
    }

    [Test]
    public void AnOwnerThatDiesMidStream_LeavesTheSubscriptionPolling_AndNothingIsLost()
    {
        if (Variant != SplinterVariant.SharedMemory)
        {
            Assert.Ignore("the owner child (TestChild rel-own) opens shared-memory stores only");
        }

        const int Count = 200;
        SplinterStore store = Names.Create(slots: 1024, maxValueSize: 64);
        using CProgram writer = CProgram.Build("c_writer", Variant);
        using ChildProcess owner = ChildProcess.Start("rel-own", store.Name, "-1");
        owner.ReadLine(Guard); // "stat owner PID"
        owner.WaitReady();
        using EventSubscription subscription = store.Events.Subscribe();
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Bus), subscription.PollingReason);

        var seen = new ConcurrentDictionary<string, byte>();
        using var guard = new CancellationTokenSource(Guard);
        Task feed = CollectUntil(subscription, seen, Count + 1, guard.Token, key => key.StartsWith("c.", StringComparison.Ordinal) || key == "owner.wrote");
        store.Set("owner.go", "1"u8); // the owner writes "owner.wrote" through its bus
        var clock = Stopwatch.StartNew();
        while (!seen.ContainsKey("owner.wrote") && clock.Elapsed < Guard)
        {
            Thread.Sleep(5);
        }

        Assert.That(seen.ContainsKey("owner.wrote"), Is.True, "the owner's write was reported through the bus");
        owner.Dispose(); // SIGKILL, mid-stream
        using ChildProcess child = ChildProcess.StartProgram(writer.Path, store.Name, Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "200", "c.");
        child.WaitReady();
        Assert.That(child.Finish(Guard), Does.Contain($"done {Count}"));

        Assert.That(feed.Wait(Guard), Is.True, $"the feed saw {seen.Count} of {Count + 1} keys");
        Assert.That(seen.Keys.Count(key => key.StartsWith("c.", StringComparison.Ordinal)), Is.EqualTo(Count));
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Polling));
        Assert.That(subscription.PollingReason, Does.Contain("exited"));
    }

    [Test]
    public async Task WaitForChangeAsync_CompletesOnAWrite_TimesOut_AndCancels()
    {
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        store.Set("k", "1"u8);
        Task<bool> changed = store.WaitForChangeAsync("k", Guard);
        await Task.Delay(20);
        store.Set("k", "2"u8);
        Assert.That(await changed.WaitAsync(Guard), Is.True);

        Assert.That(await store.WaitForChangeAsync("k", TimeSpan.FromMilliseconds(30)).WaitAsync(Guard), Is.False);

        using var cancel = new CancellationTokenSource();
        Task<bool> cancelled = store.WaitForChangeAsync("k", Timeout.InfiniteTimeSpan, cancel.Token);
        cancel.Cancel();
        Assert.That(async () => await cancelled.WaitAsync(Guard), Throws.InstanceOf<OperationCanceledException>());

        Assert.That(async () => await store.WaitForChangeAsync("missing", Guard), Throws.InstanceOf<KeyNotFoundException>());
    }

    [Test]
    public void ArmForSubscribersOutsideDescendants_StillArmsTheBus()
    {
        // This kernel has no Yama (the option's prctl answers EINVAL, which means there is nothing to relax); the test
        // proves the option arms the bus and wakes subscribers like a plain Arm.
        SplinterStore store = Names.Create(slots: 64, maxValueSize: 64);
        store.Events.Arm(allowSubscribersOutsideDescendants: true);
        using EventSubscription subscription = store.Events.Subscribe(new SubscriptionOptions { RequireBus = true });
        subscription.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan;
        store.Set("k", "1"u8);
        Assert.That(subscription.Wait(Guard), Is.True);
    }

    private static Task CollectUntil(EventSubscription subscription, ConcurrentDictionary<string, byte> seen, int wanted, CancellationToken cancellation, Func<string, bool>? counts = null) =>
        Task.Run(async () =>
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(cancellation))
            {
                foreach (SlotChange change in batch)
                {
                    if (counts is null || counts(change.Key))
                    {
                        seen.TryAdd(change.Key, 0);
                    }
                }

                if (seen.Count >= wanted)
                {
                    return;
                }
            }
        });
}
