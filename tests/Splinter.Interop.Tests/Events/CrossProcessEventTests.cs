using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace Splinter.Interop.Tests.Events;

/// <summary>
/// The event bus across real processes (tests/Splinter.Interop.TestChild). This test process
/// creates the store and is the bus owner; watchers and drainers are children.
/// </summary>
[TestFixture]
[Category("Events")]
[Category("CrossProcess")]
[NonParallelizable] // Not in parallel: latency bounds and counts of the whole process's descriptors.
public sealed class CrossProcessEventTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);
    private readonly List<ChildProcess> _children = new();
    private string? _name;
    private SplinterStore? _store;

    private SplinterStore Store => _store ?? throw new InvalidOperationException("no store");

    [SetUp]
    public void CreateStore()
    {
        _name = EventStores.UniqueName("xproc");
        _store = SplinterStore.Create(_name, 1024, 64);
    }

    [TearDown]
    public void Cleanup()
    {
        foreach (ChildProcess child in _children)
        {
            child.Dispose();
        }

        _children.Clear();
        _store?.Dispose();
        _store = null;
        EventStores.Remove(_name);
    }

    [Test]
    public void WatchersInOtherProcessesLoseNoChangeWhileAnUpstreamStyleDrainerRuns()
    {
        Store.Events.Arm();
        ChildProcess syncWatcher = Start("watch-sync", _name!);
        ChildProcess asyncWatcher = Start("watch-async", _name!);
        ChildProcess drainer = Start("drain", _name!);
        syncWatcher.WaitReady();
        asyncWatcher.WaitReady();
        drainer.WaitReady();

        // 10,000 writes to random keys at a random pace: bursts, short spins, yields, sleeps.
        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        Random random = new(seed);
        Dictionary<string, ulong> lastEpoch = new(StringComparer.Ordinal);
        Span<byte> value = stackalloc byte[8];
        Stopwatch elapsed = Stopwatch.StartNew();
        for (int i = 0; i < 10_000; i++)
        {
            string key = "key." + random.Next(300);
            BitConverter.TryWriteBytes(value, i);
            Store.Set(key, value);
            lastEpoch[key] = Store.GetEpoch(key);
            int pace = random.Next(1000);
            if (pace < 5)
            {
                Thread.Sleep(1);
            }
            else if (pace < 50)
            {
                Thread.Yield();
            }
            else if (pace < 300)
            {
                Thread.SpinWait(random.Next(2000));
            }
        }

        Store.Set("done", "1"u8);
        TestContext.Out.WriteLine($"writer: 10,000 writes to {lastEpoch.Count} keys in {elapsed.ElapsedMilliseconds} ms");

        List<string> syncReport = syncWatcher.Finish(ChildTimeout);
        List<string> asyncReport = asyncWatcher.Finish(ChildTimeout);
        List<string> drainReport = drainer.Finish(ChildTimeout);

        long drained = ChildProcess.Stat(drainReport, "drained");
        TestContext.Out.WriteLine($"drainer consumed {drained} wake-ups; sync watcher {ChildProcess.Stat(syncReport, "wakes")} wakes; async watcher {ChildProcess.Stat(asyncReport, "wakes")} batches");
        Assert.That(drained, Is.GreaterThan(0), "the drainer must really have drained the shared counter");
        Assert.Multiple(() =>
        {
            Assert.That(Lost(lastEpoch, ChildProcess.SeenEpochs(syncReport)), Is.Empty, "sync watcher missed these keys' last writes");
            Assert.That(Lost(lastEpoch, ChildProcess.SeenEpochs(asyncReport)), Is.Empty, "async watcher missed these keys' last writes");
        });
    }

    [Test]
    public void NonOwnerWritesWakeNobodyUnlessTheWriterSignalsAndAreStillReportedByTheNextRead()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        subscription.GlobalEpochCheckInterval = Timeout.InfiniteTimeSpan;

        // Quiet: libsplinter signals only writes made in the owner process (native/FORMAT.md, "The event bus").
        ChildProcess quiet = Start("write", _name!, "5", "quiet");
        quiet.WaitReady();
        Dictionary<string, ulong> quietWrites = ChildProcess.SeenEpochs(quiet.Finish(ChildTimeout));
        Assert.That(subscription.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "a non-owner write signalled the bus by itself");
        Assert.That(Reported(subscription), Is.EquivalentTo(quietWrites), "the next read still reports them (epochs, not wake-ups)");

        // Signalling: the non-owner writer opted in to SignalLocalWrites.
        ChildProcess signalling = Start("write", _name!, "5", "signal");
        signalling.WaitReady();
        Dictionary<string, ulong> signalledWrites = ChildProcess.SeenEpochs(signalling.Finish(ChildTimeout));
        Assert.That(subscription.Wait(TimeSpan.FromSeconds(5)), Is.True, "SignalLocalWrites did not wake the owner's subscriber");
        Assert.That(Reported(subscription), Is.EquivalentTo(signalledWrites));
    }

    [Test]
    public void TheGlobalEpochCheckNoticesQuietNonOwnerWrites()
    {
        Store.Events.Arm();
        using EventSubscription subscription = Store.Events.Subscribe();
        Assert.That(subscription.GlobalEpochCheckInterval, Is.EqualTo(TimeSpan.FromMilliseconds(50)), "default");
        ChildProcess quiet = Start("write", _name!, "3", "quiet");
        quiet.WaitReady();
        Dictionary<string, ulong> writes = ChildProcess.SeenEpochs(quiet.Finish(ChildTimeout));
        Assert.That(subscription.WaitAsync(TimeSpan.FromSeconds(5)).AsTask().Result, Is.True, "the periodic check did not notice the writes");
        Assert.That(Reported(subscription), Is.EquivalentTo(writes));
    }

    [Test]
    public void SubscribingAfterTheOwnerExitedSaysTheOwnerIsGone()
    {
        ChildProcess owner = Start("arm", _name!);
        List<string> report = owner.Finish(ChildTimeout);
        long ownerPid = ChildProcess.Stat(report, "owner");
        Assert.That(Store.Events.OwnerProcessId, Is.EqualTo(ownerPid));
        EventBusUnavailableException failure = Assert.Throws<EventBusUnavailableException>(() => Store.Events.Subscribe(new SubscriptionOptions { RequireBus = true }))!;
        Assert.That(failure.Reason, Is.EqualTo(EventBusUnavailableReason.OwnerGone));
        Assert.That(failure.Errno, Is.EqualTo(Errno.ESRCH));
        Assert.That(failure.Message, Does.Contain(ownerPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        using EventSubscription polling = Store.Events.Subscribe();
        Assert.That(polling.Mode, Is.EqualTo(SubscriptionMode.Polling));
        Assert.That(polling.PollingReason, Does.Contain("exited"));
    }

    [Test]
    public void SubscriptionsToAnotherProcessesBusCloseTheirOwnerPidfdOnDispose()
    {
        // The owner is a child that stays alive: each subscription also holds a pidfd for it.
        ChildProcess owner = Start("rel-own", _name!, "-1");
        owner.ReadLine(ChildTimeout);
        owner.WaitReady();
        using (EventSubscription warm = Store.Events.Subscribe())
        {
            warm.WaitAsync(TimeSpan.Zero).AsTask().Wait(ChildTimeout);
        }

        int before = EventStores.SettledDescriptorCount();
        string[] beforeTargets = EventStores.DescriptorTargets();
        int during;
        string[] duringTargets;
        using (EventSubscription held = Store.Events.Subscribe())
        {
            // Bus descriptor, sync epoll, dispose signal and the owner's pidfd.
            during = EventStores.OpenDescriptorCount();
            duringTargets = EventStores.DescriptorTargets();
        }

        // Kept reachable, so that finalizers cannot close what Dispose forgot.
        List<EventSubscription> disposed = new();
        for (int i = 0; i < 200; i++)
        {
            using EventSubscription subscription = Store.Events.Subscribe();
            disposed.Add(subscription);
            if (i % 10 == 0)
            {
                // Every tenth cycle also starts the async waiter thread (which references the pidfd) and disposes it mid-wait.
                System.Threading.Tasks.ValueTask<bool> pending = subscription.WaitAsync();
                subscription.Dispose();
                Assert.That(() => pending.AsTask().Wait(ChildTimeout), Throws.InstanceOf<AggregateException>());
            }
        }

        Assert.That(during - before, Is.EqualTo(4), () => "a cross-process subscription holds bus, epoll, signal and pidfd descriptors; difference: "
            + EventStores.DescriptorDifference(beforeTargets, duringTargets));
        Assert.That(EventStores.DescriptorCountReturningTo(before), Is.EqualTo(before),
            () => "descriptors left after 200 subscriptions: " + EventStores.DescriptorDifference(beforeTargets, EventStores.DescriptorTargets()));
        GC.KeepAlive(disposed);
    }

    private static Dictionary<string, ulong> Reported(EventSubscription subscription) =>
        subscription.ReadChanges().ToArray()
            .Where(change => change.Kind == SlotChangeKind.Written)
            .ToDictionary(change => change.Key, change => change.Epoch, StringComparer.Ordinal);

    private static List<string> Lost(Dictionary<string, ulong> lastEpoch, Dictionary<string, ulong> seen) =>
        lastEpoch
            .Where(entry => !seen.TryGetValue(entry.Key, out ulong epoch) || epoch != entry.Value)
            .Select(entry => $"{entry.Key} (last write epoch {entry.Value}, seen {(seen.TryGetValue(entry.Key, out ulong epoch) ? epoch : 0)})")
            .ToList();

    private ChildProcess Start(params string[] arguments)
    {
        ChildProcess child = ChildProcess.Start(arguments);
        _children.Add(child);
        return child;
    }
}
