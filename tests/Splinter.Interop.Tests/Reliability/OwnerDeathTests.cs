using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;

namespace Splinter.Interop.Tests.Reliability;

/// <content>
/// The event-bus owner process exits (normally, or by SIGKILL) while this process is subscribed:
/// every wait returns within its bound, the change feed ends on cancellation, later writes are
/// still reported (global-epoch check), and a new subscription fails with a clear OwnerGone error.
/// Every wait is bounded by a hang guard far above its own timeout.
/// </content>
public sealed partial class ReliabilityTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    [Test]
    [Order(40)]
    [TestCase(true, TestName = "OwnerDeath_Killed_SubscribersNeverHang")]
    [TestCase(false, TestName = "OwnerDeath_NormalExit_SubscribersNeverHang")]
    public void OwnerDeath_SubscribersNeverHang(bool kill)
    {
        SplinterStore store = _shm.Create(64, 64, "owner");
        store.Set("before", "0"u8);
        ChildProcess owner = StartChild("rel-own", store.Name, kill ? "-1" : "300");
        int ownerPid = int.Parse(owner.ReadLine(HangGuard).Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        owner.WaitReady();
        Assert.That(store.Events.OwnerProcessId, Is.EqualTo(ownerPid));

        using EventSubscription subscription = store.Events.Subscribe();
        using EventSubscription asyncSubscription = store.Events.Subscribe();
        using var feedCancel = new CancellationTokenSource();
        int batches = 0;
        Task feed = Task.Run(async () =>
        {
            await foreach (ChangeBatch batch in asyncSubscription.WatchAsync(feedCancel.Token))
            {
                Interlocked.Increment(ref batches);
            }
        });

        // The owner writes once told to (after both subscriptions exist); the subscriber hears it.
        store.Set("owner.go", "1"u8);
        bool sawOwnerWrite = false;
        Stopwatch ownerWrite = Stopwatch.StartNew();
        while (!sawOwnerWrite && ownerWrite.Elapsed < HangGuard)
        {
            RunBounded(() => subscription.Wait(TimeSpan.FromSeconds(1)));
            sawOwnerWrite = subscription.ReadChanges().ToArray().Any(change => change.Key == "owner.wrote");
        }

        Assert.That(sawOwnerWrite, Is.True, "the owner's write was never reported");

        Stopwatch death = Stopwatch.StartNew();
        if (kill)
        {
            owner.Dispose(); // SIGKILL
            _children.Remove(owner);
        }
        else
        {
            owner.Finish(HangGuard);
        }

        // A wait across the owner's death and afterwards returns by its timeout: no hang.
        Stopwatch wait = Stopwatch.StartNew();
        bool woke = RunBounded(() => subscription.Wait(TimeSpan.FromMilliseconds(300)));
        double waitMs = wait.Elapsed.TotalMilliseconds;

        // Writes after the owner died signal no eventfd (nobody owns it) but are still reported.
        store.Set("after", "1"u8);
        bool sawAfter = RunBounded(() => subscription.Wait(TimeSpan.FromSeconds(10)));
        string[] changed = subscription.ReadChanges().ToArray().Select(change => change.Key).ToArray();

        // The change feed ends on cancellation.
        feedCancel.CancelAfter(TimeSpan.FromMilliseconds(200));
        Stopwatch feedEnd = Stopwatch.StartNew();
        bool feedEnded;
        try
        {
            feedEnded = feed.Wait(HangGuard);
        }
        catch (AggregateException error) when (error.InnerExceptions.All(inner => inner is OperationCanceledException))
        {
            feedEnded = true;
        }

        double feedEndMs = feedEnd.Elapsed.TotalMilliseconds;
        Assert.That(feedEnded, Is.True, "the change feed did not end after cancellation");

        // A new subscriber gets a clear error naming the dead owner.
        EventBusUnavailableException refused = Assert.Throws<EventBusUnavailableException>(() => store.Events.Subscribe())!;

        TestContext.Progress.WriteLine(
            $"owner death ({(kill ? "SIGKILL" : "normal exit")}): wait after death returned {woke} in {waitMs:F0} ms; " +
            $"write after death reported: {sawAfter} ({string.Join(",", changed)}); feed ended {feedEndMs:F0} ms after cancel ({batches} batches); " +
            $"new Subscribe: {refused.Reason}, {death.ElapsedMilliseconds} ms after the owner went");
        Assert.Multiple(() =>
        {
            Assert.That(sawAfter, Is.True, "a write after the owner died was never noticed");
            Assert.That(changed, Does.Contain("after"));
            Assert.That(refused.Reason, Is.EqualTo(EventBusUnavailableReason.OwnerGone));
            Assert.That(refused.Errno, Is.EqualTo(Errno.ESRCH));
            Assert.That(refused.Message, Does.Contain(ownerPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(store.Events.IsOwner, Is.False);
        });

        // This process can take the bus over, and its subscribers hear it.
        store.Events.Arm();
        using EventSubscription renewed = store.Events.Subscribe();
        store.Set("renewed", "2"u8);
        Assert.That(RunBounded(() => renewed.Wait(TimeSpan.FromSeconds(10))), Is.True);
    }

    /// <summary>
    /// Gap, not run by default: issue 8 asks that subscribers get "a clear error or end of stream"
    /// when the owner dies. Today an existing subscription is never told: its eventfd can no longer be
    /// signalled by anyone (a new owner arms a new one), and it keeps working only through the
    /// global-epoch check. This test expects the change feed to end (or throw
    /// EventBusUnavailableException) on its own after the owner was killed, and fails with the
    /// current EventSubscription.
    /// </summary>
    [Test]
    [Order(41)]
    [Explicit("documents a gap in EventSubscription: no owner-death notice for existing subscribers")]
    public void OwnerDeath_ExistingSubscriberIsToldTheOwnerIsGone()
    {
        SplinterStore store = _shm.Create(64, 64, "ownergap");
        ChildProcess owner = StartChild("rel-own", store.Name, "-1");
        owner.ReadLine(HangGuard);
        owner.WaitReady();
        using EventSubscription subscription = store.Events.Subscribe();
        owner.Dispose(); // SIGKILL
        _children.Remove(owner);

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Exception? ended = null;
        Task feed = Task.Run(async () =>
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(guard.Token))
            {
                _ = batch;
            }
        });
        try
        {
            feed.Wait(HangGuard);
        }
        catch (AggregateException error)
        {
            ended = error.InnerException;
        }

        Assert.That(ended, Is.Null.Or.InstanceOf<EventBusUnavailableException>(), "the feed ran on until the test cancelled it: the subscriber was never told the owner is gone");
    }

    /// <summary>Runs a blocking call on another thread and fails the test if it does not return within the hang guard.</summary>
    private static T RunBounded<T>(Func<T> call)
    {
        Task<T> task = Task.Run(call);
        if (!task.Wait(HangGuard))
        {
            Assert.Fail($"a subscriber call hung for more than {HangGuard.TotalSeconds} s");
        }

        return task.Result;
    }
}
