using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Events;

/// <summary>The event bus inside one process: this test process is the owner and the subscriber.</summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Events")]
[NonParallelizable] // Not in parallel: counts of the whole process's descriptors and per-wait allocation measurements.
public sealed class EventBusTests(SplinterVariant variant)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(5);
    private string? _name;
    private SplinterStore? _store;

    private SplinterStore Store => _store ?? throw new InvalidOperationException("no store");

    /// <summary>Address of a key's slot epoch in the library's mapping (arena = raw pointer - val_off).</summary>
    private unsafe ulong* SlotEpoch(string key)
    {
        Assert.That(Store.Slots.TryGetSnapshot(key, out SplinterSlotSnapshot snapshot), Is.True, key);
        byte[] name = System.Text.Encoding.UTF8.GetBytes(key + "\0");
        nuint size;
        ulong epoch;
        byte* value;
        fixed (byte* pointer = name)
        {
            value = (byte*)Store.Api.splinter_get_raw_ptr((sbyte*)pointer, &size, &epoch);
        }

        Assert.That(value != null, Is.True);
        byte* slots = value - snapshot.ValueOffset - ((nuint)Store.SlotCount * (nuint)sizeof(splinter_slot));
        return &((splinter_slot*)slots + SlotOf(key))->epoch;
    }

    /// <summary>The slot of the first key set in a fresh store: its FNV-1a 64 hash modulo the slot count (native/FORMAT.md).</summary>
    private int SlotOf(string key) => (int)(SlotEditor.Fnv1a(System.Text.Encoding.UTF8.GetBytes(key)) % Store.SlotCount);

    [SetUp]
    public void CreateStore()
    {
        _name = EventStores.UniqueName("bus", variant);
        _store = SplinterStore.Create(_name, 64, 64, new SplinterStoreOptions { Variant = variant });
    }

    [TearDown]
    public void RemoveStore()
    {
        _store?.Dispose();
        _store = null;
        EventStores.Remove(_name, variant);
    }

    [Test]
    public void SubscribingBeforeAnyoneArmedSaysSoAndWhatToDo()
    {
        Assert.That(Store.Events.IsArmed, Is.False);
        EventBusUnavailableException failure = Assert.Throws<EventBusUnavailableException>(() => Store.Events.Subscribe(new SubscriptionOptions { RequireBus = true }))!;
        Assert.That(failure.Reason, Is.EqualTo(EventBusUnavailableReason.NotArmed));
        Assert.That(failure.Errno, Is.EqualTo(Errno.ENODEV));
        Assert.That(failure.Message, Does.Contain("Arm"));

        // Without RequireBus the same store is watched by polling, and the reason is the same message.
        using EventSubscription polling = Store.Events.Subscribe();
        Assert.That(polling.Mode, Is.EqualTo(SubscriptionMode.Polling));
        Assert.That(polling.PollingReason, Is.EqualTo(failure.Message));
        Assert.That(polling.SafeHandle, Is.Null);
    }

    [Test]
    public void ArmMakesThisProcessTheOwnerAndIsIdempotent()
    {
        Store.Events.Arm();
        int descriptors = EventStores.SettledDescriptorCount();
        Store.Events.Arm();
        Assert.That(EventStores.DescriptorCountReturningTo(descriptors), Is.EqualTo(descriptors), "a second Arm must not open another eventfd");
        Assert.That(Store.Events.IsArmed, Is.True);
        Assert.That(Store.Events.IsOwner, Is.True);
        Assert.That(Store.Events.OwnerProcessId, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void AWriteWakesTheSubscriberAndReadChangesNamesSlotKeyAndEpoch()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Assert.That(subscription.Wait(TimeSpan.Zero), Is.False, "nothing written yet");

        Store.Set("alpha", "1"u8);
        Assert.That(subscription.Wait(HangGuard), Is.True);
        SlotChange[] changes = subscription.ReadChanges().ToArray();
        Assert.That(changes, Has.Length.EqualTo(1));
        Assert.That(changes[0].Key, Is.EqualTo("alpha"));
        Assert.That(changes[0].Kind, Is.EqualTo(SlotChangeKind.Written));
        Assert.That(changes[0].Epoch, Is.EqualTo(Store.GetEpoch("alpha")));
        Assert.That(changes[0].SlotIndex, Is.EqualTo(SlotOf("alpha")));
        Assert.That(subscription.ReadChanges().Count, Is.Zero, "reported once only");
    }

    [Test]
    public void DirtyMaskGainsTheBitOfEachSlotWrittenByTheOwner()
    {
        Store.Events.Arm();
        ulong[] before = new ulong[EventBus.DirtyMaskWords];
        Assert.That(Store.Events.CopyDirtyMask(before), Is.EqualTo(EventBus.DirtyMaskWords));

        Store.Set("dirty-a", "1"u8);
        Store.Set("dirty-b", "2"u8);
        int a = SlotOf("dirty-a");
        int b = SlotOf("dirty-b");

        // A longer destination gets 16 words; the rest is left as it was.
        ulong[] after = new ulong[EventBus.DirtyMaskWords + 4];
        Array.Fill(after, 0xDEADBEEFUL);
        Assert.That(Store.Events.CopyDirtyMask(after), Is.EqualTo(EventBus.DirtyMaskWords));
        Assert.Multiple(() =>
        {
            Assert.That(after[a / 64] & (1UL << (a % 64)), Is.Not.Zero, "slot of dirty-a");
            Assert.That(after[b / 64] & (1UL << (b % 64)), Is.Not.Zero, "slot of dirty-b");
            for (int word = 0; word < EventBus.DirtyMaskWords; word++)
            {
                Assert.That(after[word] & before[word], Is.EqualTo(before[word]), "the mask is cumulative");
            }

            Assert.That(after[EventBus.DirtyMaskWords..], Is.All.EqualTo(0xDEADBEEFUL));
            Assert.That(Store.Events.CopyDirtyMask(Span<ulong>.Empty), Is.Zero);
        });

        Span<ulong> two = stackalloc ulong[2];
        Assert.That(Store.Events.CopyDirtyMask(two), Is.EqualTo(2));
        Assert.That(two[0], Is.EqualTo(after[0]));
    }

    [Test]
    public void ChangesBeforeSubscribingAreNotReported()
    {
        Store.Events.Arm();
        Store.Set("early", "x"u8);
        using EventSubscription subscription = Store.Events.Subscribe();
        Assert.That(subscription.ReadChanges().Count, Is.Zero);
    }

    [Test]
    public void ManyWritesCoalesceIntoOneWakeButEveryKeyIsReported()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        for (int i = 0; i < 40; i++)
        {
            Store.Set($"k{i % 20}", BitConverter.GetBytes(i));
        }

        Assert.That(subscription.Wait(HangGuard), Is.True);
        Dictionary<string, ulong> reported = subscription.ReadChanges().ToArray().ToDictionary(change => change.Key, change => change.Epoch);
        Assert.That(reported, Has.Count.EqualTo(20));
        foreach ((string key, ulong epoch) in reported)
        {
            Assert.That(epoch, Is.EqualTo(Store.GetEpoch(key)), key);
        }
    }

    [Test]
    public void RemovalAndLabelsAreReportedAlthoughTheLibraryDoesNotSignalRemoval()
    {
        Store.Events.Arm();
        Store.Set("gone", "x"u8);
        Store.Set("tagged", "y"u8);
        using EventSubscription subscription = Store.Events.Subscribe();

        Assert.That(Store.Remove("gone"), Is.True);
        Store.AddLabels("tagged", 0b100);
        Assert.That(subscription.Wait(HangGuard), Is.True, "the label change signals the bus");
        SlotChange[] changes = subscription.ReadChanges().ToArray();
        Assert.That(changes.Select(change => (change.Key, change.Kind)), Is.EquivalentTo(new[]
        {
            ("gone", SlotChangeKind.Removed),
            ("tagged", SlotChangeKind.LabelsChanged),
        }));
    }

    [Test]
    public void EverySubscriptionWakesOnEveryWriteWhenNobodyDrains()
    {
        Store.Events.Arm();
        using EventSubscription first = Store.Events.Subscribe();
        using EventSubscription second = Store.Events.Subscribe();

        // Edges only: the global-epoch check is off, so a wake here can only come from epoll.
        first.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan;
        second.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan;
        for (int round = 0; round < 3; round++)
        {
            Store.Set("shared", BitConverter.GetBytes(round));
            Assert.That(first.Wait(HangGuard), Is.True, $"first, round {round}");
            Assert.That(second.Wait(HangGuard), Is.True, $"second, round {round}");
            Assert.That(first.Wait(TimeSpan.Zero), Is.False, "one edge per write");
        }
    }

    [Test]
    public unsafe void EverySubscriptionHearsEveryWriteEvenWhenAnotherReaderDrainsTheCounterFirst()
    {
        Store.Events.Arm();
        using EventSubscription first = Store.Events.Subscribe();
        using EventSubscription second = Store.Events.Subscribe();
        SplinterApi api = Store.Api; // the store's own library copy (the raw layer's global library holds no store)
        int drainer = api.splinter_event_bus_open();
        Assert.That(drainer, Is.GreaterThanOrEqualTo(0));
        try
        {
            for (int round = 0; round < 3; round++)
            {
                Store.Set("shared", BitConverter.GetBytes(round));

                // Upstream-style consumer reads (drains) the shared counter first.
                Assert.That(api.splinter_event_bus_wait(drainer, 1000), Is.Zero);
                Assert.That(first.Wait(HangGuard), Is.True, $"first, round {round}");
                Assert.That(second.Wait(HangGuard), Is.True, $"second, round {round}");
                Assert.That(first.ReadChanges().Single().Key, Is.EqualTo("shared"));
                Assert.That(second.ReadChanges().Single().Key, Is.EqualTo("shared"));
            }
        }
        finally
        {
            api.splinter_event_bus_close(drainer);
        }
    }

    [Test]
    public async Task WaitAsyncWakesOnAWriteAndTimesOutWithFalse()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Assert.That(await subscription.WaitAsync(TimeSpan.FromMilliseconds(20)), Is.False);
        ValueTask<bool> wait = subscription.WaitAsync(HangGuard);
        Store.Set("async", "1"u8);
        Assert.That(await wait, Is.True);
        Assert.That(subscription.ReadChanges().Single().Key, Is.EqualTo("async"));
    }

    [Test]
    public async Task WatchAsyncYieldsBatchesOfRealChanges()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        using CancellationTokenSource cancellation = new(HangGuard);
        IAsyncEnumerator<ChangeBatch> feed = subscription.WatchAsync(cancellation.Token).GetAsyncEnumerator(cancellation.Token);
        try
        {
            ValueTask<bool> next = feed.MoveNextAsync();
            Store.Set("feed", "a"u8);
            Assert.That(await next, Is.True);
            Assert.That(feed.Current.ToArray().Select(change => change.Key), Is.EqualTo(new[] { "feed" }));

            next = feed.MoveNextAsync();
            Store.Set("feed", "b"u8);
            Assert.That(await next, Is.True);
            Assert.That(feed.Current[0].Epoch, Is.EqualTo(Store.GetEpoch("feed")));
        }
        finally
        {
            await feed.DisposeAsync();
        }
    }

    [Test]
    public async Task WatchAsyncFollowsTheAsyncEnumeratorProtocol()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        using CancellationTokenSource outer = new(HangGuard);
        using CancellationTokenSource inner = new();

        // Either token ends the enumeration: the one given to WatchAsync, or the one of WithCancellation.
        IAsyncEnumerator<ChangeBatch> feed = subscription.WatchAsync(outer.Token).GetAsyncEnumerator(inner.Token);
        ValueTask<bool> next = feed.MoveNextAsync();
        Store.Set("protocol", "a"u8);
        Assert.That(await next, Is.True);
        Assert.That(feed.Current.Single().Key, Is.EqualTo("protocol"));

        // From here the test runs on the subscription's waiter thread (the await above resumed there): it must await, a
        // blocking wait for the feed would hold the very thread that completes it.
        next = feed.MoveNextAsync();
        inner.Cancel();
        OperationCanceledException? canceled = null;
        try
        {
            await next;
        }
        catch (OperationCanceledException exception)
        {
            canceled = exception;
        }

        Assert.That(canceled, Is.Not.Null, "cancelling the token of WithCancellation ends the feed");
        Assert.That(await feed.MoveNextAsync(), Is.False, "an enumeration that ended with an exception is over");
        await feed.DisposeAsync();

        // Each GetAsyncEnumerator is a new enumeration; after DisposeAsync it is over.
        IAsyncEnumerator<ChangeBatch> second = subscription.WatchAsync(outer.Token).GetAsyncEnumerator();
        Store.Set("protocol", "b"u8);
        Assert.That(await second.MoveNextAsync(), Is.True);
        Assert.That(second.Current.Single().Key, Is.EqualTo("protocol"));
        await second.DisposeAsync();
        Assert.That(await second.MoveNextAsync(), Is.False);
    }

    [Test]
    public void WatchAsyncEndsWithCancellationFromTheWaiterThread()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        using CancellationTokenSource cancellation = new();
        IAsyncEnumerator<ChangeBatch> feed = subscription.WatchAsync(cancellation.Token).GetAsyncEnumerator(cancellation.Token);
        ConfiguredValueTaskAwaitable<bool>.ConfiguredValueTaskAwaiter awaiter = feed.MoveNextAsync().ConfigureAwait(false).GetAwaiter();
        int continuationThread = 0;
        using ManualResetEventSlim ran = new();
        awaiter.UnsafeOnCompleted(() =>
        {
            continuationThread = Environment.CurrentManagedThreadId;
            ran.Set();
        });

        cancellation.Cancel();
        Assert.That(ran.Wait(HangGuard), Is.True, "cancellation did not end the feed");
        Assert.That(continuationThread, Is.Not.EqualTo(Environment.CurrentManagedThreadId));
        Assert.Throws<OperationCanceledException>(() => awaiter.GetResult());
    }

    [Test]
    public void ASubscriberStuckInItsOwnCodeDoesNotDelayAnother()
    {
        Store.Events.Arm();
        using EventSubscription stuck = Store.Events.Subscribe();
        using EventSubscription other = Store.Events.Subscribe();
        using ManualResetEventSlim stuckEntered = new();
        using ManualResetEventSlim release = new();
        using ManualResetEventSlim otherResumed = new();

        ConfiguredValueTaskAwaitable<bool>.ConfiguredValueTaskAwaiter stuckAwaiter = stuck.WaitAsync().ConfigureAwait(false).GetAwaiter();
        stuckAwaiter.UnsafeOnCompleted(() =>
        {
            stuckEntered.Set();
            release.Wait(HangGuard); // the subscriber's own slow code, running on its waiter thread
        });
        Store.Set("first", "1"u8);
        Assert.That(stuckEntered.Wait(HangGuard), Is.True, "the first subscriber never woke");

        ConfiguredValueTaskAwaitable<bool>.ConfiguredValueTaskAwaiter otherAwaiter = other.WaitAsync().ConfigureAwait(false).GetAwaiter();
        otherAwaiter.UnsafeOnCompleted(otherResumed.Set);
        Store.Set("second", "2"u8);
        bool otherWoke = otherResumed.Wait(HangGuard);
        bool stuckStillInside = !release.IsSet;
        release.Set();
        Assert.That(otherWoke, Is.True, "the second subscriber was held up by the first one's code");
        Assert.That(stuckStillInside, Is.True);
        Assert.That(otherAwaiter.GetResult(), Is.True);
    }

    [Test]
    public void DisposingAnAwaitedSubscriptionEndsTheAwait()
    {
        Store.Events.Arm();
        EventSubscription subscription = Store.Events.Subscribe();
        Task<bool> wait = subscription.WaitAsync().AsTask();
        ThreadPool.QueueUserWorkItem(_ => subscription.Dispose());
        AggregateException failure = Assert.Throws<AggregateException>(() => wait.Wait(HangGuard))!;
        Assert.That(failure.InnerException, Is.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void DisposingEndsABlockingWait()
    {
        Store.Events.Arm();
        EventSubscription subscription = Store.Events.Subscribe();
        Task<bool> wait = Task.Factory.StartNew(() => subscription.Wait(Timeout.InfiniteTimeSpan), TaskCreationOptions.LongRunning);
        Thread.Sleep(20);
        subscription.Dispose();
        AggregateException failure = Assert.Throws<AggregateException>(() => wait.Wait(HangGuard))!;
        Assert.That(failure.InnerException, Is.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void SubscribingAfterTheOwnerClosedItsStoreSaysTheDescriptorIsGone()
    {
        Store.Events.Arm();
        Store.Dispose();
        _store = SplinterStore.Open(_name!, new SplinterStoreOptions { Variant = variant });
        Assert.That(Store.Events.OwnerProcessId, Is.EqualTo(Environment.ProcessId), "close leaves the owner fields");

        // A new eventfd may now hold the recorded descriptor number; it must not be taken for the bus.
        using EventFd decoy = new();
        EventBusUnavailableException failure = Assert.Throws<EventBusUnavailableException>(() => Store.Events.Subscribe(new SubscriptionOptions { RequireBus = true }))!;
        Assert.That(failure.Reason, Is.EqualTo(EventBusUnavailableReason.OwnerDescriptorClosed));
        Assert.That(failure.Message, Does.Contain("Arm"));
        using (EventSubscription polling = Store.Events.Subscribe())
        {
            Assert.That(polling.Mode, Is.EqualTo(SubscriptionMode.Polling), "without RequireBus: polling, not an exception");
        }

        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Store.Set("again", "1"u8);
        Assert.That(subscription.Wait(HangGuard), Is.True);
    }

    [Test]
    public unsafe void ASlotHeldByAWriterIsReportedOnceReleased()
    {
        Store.Events.Arm();
        Store.Set("held", "1"u8);
        using EventSubscription subscription = Store.Events.Subscribe();
        Store.Set("held", "2"u8);

        // Play a writer inside the slot: odd epoch (native/FORMAT.md, "The seqlock"), through the library's own mapping.
        ulong* epoch = SlotEpoch("held");
        Interlocked.Increment(ref *epoch);
        try
        {
            Assert.That(subscription.ReadChanges().Count, Is.Zero, "a slot a writer holds must not be read");
        }
        finally
        {
            Interlocked.Increment(ref *epoch);
        }

        SlotChange change = subscription.ReadChanges().ToArray().Single();
        Assert.That(change.Key, Is.EqualTo("held"));
        Assert.That(change.Epoch, Is.EqualTo(Store.GetEpoch("held")));
    }

    [Test]
    public void ReadChangesAfterTheStoreIsClosedThrowsObjectDisposed()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => subscription.ReadChanges());
    }

    [Test]
    public void AReadChangesThatOverlapsTheStoresDisposeNeverReportsItsKeysAsRemoved()
    {
        // ReadChanges reads the mapping without a lease; a store's Dispose swaps its pages for zeros under a pass in
        // progress, where every slot after that point looks emptied. Such a pass must throw, not report removals. Half
        // of the 65,536 slots changed since the last pass, so that a pass lasts longer (a few milliseconds) than Dispose
        // takes to swap the pages: with one change in a store four times this size no pass was still running by then.
        string name = EventStores.UniqueName("bus-dispose-race", variant);
        string[] keys = Enumerable.Range(0, 1 << 15).Select(i => $"k{i}").ToArray();
        int overlapped = 0;
        try
        {
            for (int attempt = 0; attempt < 40; attempt++)
            {
                using SplinterStore store = SplinterStore.Create(name, 1 << 16, 16, new SplinterStoreOptions { Variant = variant });
                foreach (string key in keys)
                {
                    store.Set(key, "v"u8);
                }

                using EventSubscription subscription = store.Events.Subscribe();
                foreach (string key in keys)
                {
                    store.Set(key, "w"u8);
                }

                using ManualResetEventSlim started = new();
                Task<ChangeBatch?> reader = Task.Factory.StartNew(() =>
                {
                    started.Set();
                    try
                    {
                        return subscription.ReadChanges();
                    }
                    catch (ObjectDisposedException)
                    {
                        return null;
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                Assert.That(started.Wait(HangGuard), Is.True);
                Thread.SpinWait(50 * (attempt % 10)); // Dispose at a different point of the pass each time
                store.Dispose();
                Assert.That(reader.Wait(HangGuard), Is.True, "ReadChanges did not return");
                EventStores.Remove(name, variant);
                if (reader.Result is not { } batch)
                {
                    overlapped++;
                    continue;
                }

                Assert.That(batch.ToArray().Where(change => change.Kind == SlotChangeKind.Removed), Is.Empty,
                    $"attempt {attempt}: a pass that overlapped Dispose reported the store's keys as removed");
            }
        }
        finally
        {
            EventStores.Remove(name, variant);
        }

        TestContext.Out.WriteLine($"{overlapped} of 40 passes overlapped Dispose and threw ObjectDisposedException");
    }

    [Test]
    public void TheSubscriptionDescriptorIsCloseOnExecAndAnEventFd()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Assert.That(subscription.Mode, Is.EqualTo(SubscriptionMode.Bus));
        int fd = (int)subscription.SafeHandle!.DangerousGetHandle();
        string target = new System.IO.FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? string.Empty;
        Assert.That(target, Is.EqualTo("anon_inode:[eventfd]"));
        string flags = System.IO.File.ReadAllLines($"/proc/self/fdinfo/{fd}").Single(line => line.StartsWith("flags:", StringComparison.Ordinal));
        int octal = Convert.ToInt32(flags["flags:".Length..].Trim(), 8);
        Assert.That(octal & 0x80000, Is.Not.Zero, "O_CLOEXEC (the owner's splinter_event_bus_open is a plain dup)");
    }

    [Test]
    public void DescriptorCountIsUnchangedAfterManySubscribeDisposeCycles()
    {
        Store.Events.Arm();
        using (EventSubscription warm = Store.Events.Subscribe())
        {
            warm.WaitAsync(TimeSpan.Zero).AsTask().Wait(HangGuard);
        }

        int before = EventStores.SettledDescriptorCount();
        for (int i = 0; i < 1_000; i++)
        {
            using EventSubscription subscription = Store.Events.Subscribe();
            if (i % 10 == 0)
            {
                // Every tenth cycle also starts the async waiter thread and disposes it mid-wait.
                ValueTask<bool> pending = subscription.WaitAsync();
                subscription.Dispose();
                Assert.That(() => pending.AsTask().Wait(HangGuard), Throws.InstanceOf<AggregateException>());
            }
        }

        Assert.That(EventStores.DescriptorCountReturningTo(before), Is.EqualTo(before));
    }

    [Test]
    public async Task AsyncWaitsOnASubscriptionAllocateNothing()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        subscription.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan;
        using EventFd ack = new();
        using CancellationTokenSource stop = new();
        Thread writer = new(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                Store.Set("tick", BitConverter.GetBytes(i));
                ack.Read(TimeSpan.FromMilliseconds(100));
            }
        });
        writer.Start();

        // Get onto the waiter thread (see EventFdTests.WaitAsyncAllocatesNothingPerWait).
        int testThread = Environment.CurrentManagedThreadId;
        for (int i = 0; i < 1_000 && (Environment.CurrentManagedThreadId == testThread || Thread.CurrentThread.IsThreadPoolThread); i++)
        {
            await subscription.WaitAsync().ConfigureAwait(false);
            ack.Notify();
        }

        Assert.That(Thread.CurrentThread.IsThreadPoolThread || Environment.CurrentManagedThreadId == testThread, Is.False, "never resumed on the waiter thread");
        const int Rounds = 1_000;
        int measuringThread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            await subscription.WaitAsync().ConfigureAwait(false);
            ack.Notify();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(Environment.CurrentManagedThreadId, Is.EqualTo(measuringThread), "the loop stayed on the waiter thread");
        stop.Cancel();
        writer.Join();
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {Rounds} waits");
    }

    [Test]
    public unsafe void TheRawLayerSeesTheOwnerRecordedByArm()
    {
        Store.Events.Arm();
        ulong[] dirty = new ulong[LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS];
        Store.Set("dirty", "1"u8);
        int slot = SlotOf("dirty");
        fixed (ulong* words = dirty)
        {
            Store.Api.splinter_event_bus_get_dirty(words, (nuint)dirty.Length);
        }

        Assert.That(dirty[slot / 64] & (1UL << (slot % 64)), Is.Not.Zero, "the owner's write set its dirty bit");
    }
}
