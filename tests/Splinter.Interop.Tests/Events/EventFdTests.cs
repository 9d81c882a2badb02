using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Splinter.Interop.Tests.Events;

[TestFixture]
[NonParallelizable] // Not in parallel: counts of the whole process's descriptors, wake timing and allocation measurements.
[Category("Events")]
public sealed class EventFdTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(5);

    [Test]
    public void CounterModeAccumulatesAndOneReadTakesAll()
    {
        using EventFd eventFd = new();
        Assert.That(eventFd.IsSemaphore, Is.False);
        Assert.That(eventFd.TryRead(), Is.Zero, "fresh counter");
        eventFd.Notify();
        eventFd.Notify(41);
        Assert.That(eventFd.TryRead(), Is.EqualTo(42UL));
        Assert.That(eventFd.TryRead(), Is.Zero, "the read reset the counter");
    }

    [Test]
    public void SemaphoreModeTakesOneAtATime()
    {
        using EventFd eventFd = new(semaphore: true);
        Assert.That(eventFd.IsSemaphore, Is.True);
        eventFd.Notify(3);
        Assert.That(new[] { eventFd.TryRead(), eventFd.TryRead(), eventFd.TryRead(), eventFd.TryRead() }, Is.EqualTo(new ulong[] { 1, 1, 1, 0 }));
    }

    [Test]
    public void InitialValueIsPending()
    {
        using EventFd eventFd = new(7, semaphore: false);
        Assert.That(eventFd.TryRead(), Is.EqualTo(7UL));
    }

    [Test]
    public void OverflowIsAClearException()
    {
        using EventFd eventFd = new();
        eventFd.Notify(0xFFFF_FFFF_FFFF_FFFEUL);
        OverflowException overflow = Assert.Throws<OverflowException>(() => eventFd.Notify(1))!;
        Assert.That(overflow.Message, Does.Contain("drain"));
        Assert.That(eventFd.TryRead(), Is.EqualTo(0xFFFF_FFFF_FFFF_FFFEUL), "the failed add changed nothing");
        Assert.Throws<ArgumentOutOfRangeException>(() => eventFd.Notify(ulong.MaxValue));
    }

    [Test]
    public void BlockingReadReturnsZeroOnTimeoutAndTheCountWhenNotified()
    {
        using EventFd eventFd = new();
        Assert.That(eventFd.Read(TimeSpan.FromMilliseconds(20)), Is.Zero);
        using Timer timer = new(_ => eventFd.Notify(5), null, 20, Timeout.Infinite);
        Assert.That(eventFd.Read(HangGuard), Is.EqualTo(5UL));
        Assert.Throws<ArgumentOutOfRangeException>(() => eventFd.Read(TimeSpan.FromMilliseconds(-5)));
    }

    [Test]
    public void DisposeClosesOnceAndLaterUseThrows()
    {
        EventFd eventFd = new();
        EventFdHandle handle = eventFd.SafeHandle;
        Assert.That(handle.IsInvalid, Is.False);
        eventFd.Dispose();
        eventFd.Dispose();
        Assert.That(handle.IsClosed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => eventFd.Notify());
        Assert.Throws<ObjectDisposedException>(() => eventFd.TryRead());
        Assert.Throws<ObjectDisposedException>(() => eventFd.WaitAsync());
    }

    [Test]
    public async Task WaitAsyncCompletesWithTheCountOnTheWaiterThread()
    {
        using EventFd eventFd = new();
        int testThread = Environment.CurrentManagedThreadId;
        ValueTask<ulong> wait = eventFd.WaitAsync();
        Assert.That(wait.IsCompleted, Is.False, "nothing pending yet");
        ThreadPool.QueueUserWorkItem(_ => eventFd.Notify(3));
        ulong count = await wait.AsTask().WaitAsync(HangGuard);
        Assert.That(count, Is.EqualTo(3UL));

        // Pending counts complete synchronously.
        eventFd.Notify(2);
        ValueTask<ulong> immediate = eventFd.WaitAsync();
        Assert.That(immediate.IsCompletedSuccessfully, Is.True);
        Assert.That(immediate.Result, Is.EqualTo(2UL));
        Assert.That(testThread, Is.Not.Zero);
    }

    [Test]
    public void OnlyOneWaitAtATime()
    {
        using EventFd eventFd = new();
        ValueTask<ulong> first = eventFd.WaitAsync();
        Assert.Throws<InvalidOperationException>(() => eventFd.WaitAsync());
        eventFd.Notify();
        Assert.That(first.AsTask().Wait(HangGuard), Is.True);
    }

    [Test]
    public void CancellationCompletesOnTheWaiterThreadNeverOnTheCancellingThread()
    {
        using EventFd eventFd = new();
        using CancellationTokenSource cancellation = new();
        ValueTask<ulong> wait = eventFd.WaitAsync(cancellation.Token);
        ConfiguredValueTaskAwaitable<ulong>.ConfiguredValueTaskAwaiter awaiter = wait.ConfigureAwait(false).GetAwaiter();
        int continuationThread = 0;
        using ManualResetEventSlim ran = new();
        awaiter.UnsafeOnCompleted(() =>
        {
            continuationThread = Environment.CurrentManagedThreadId;
            ran.Set();
        });

        Stopwatch elapsed = Stopwatch.StartNew();
        cancellation.Cancel();
        int cancellingThread = Environment.CurrentManagedThreadId;
        Assert.That(ran.Wait(HangGuard), Is.True, "the cancelled wait never completed");
        elapsed.Stop();
        TestContext.Out.WriteLine($"cancel -> continuation: {elapsed.Elapsed.TotalMilliseconds:F2} ms");
        Assert.That(continuationThread, Is.Not.EqualTo(cancellingThread));
        Assert.Throws<OperationCanceledException>(() => awaiter.GetResult());
    }

    [Test]
    public void AlreadyCancelledTokenFailsAtOnce()
    {
        using EventFd eventFd = new();
        ValueTask<ulong> wait = eventFd.WaitAsync(new CancellationToken(canceled: true));
        Assert.That(wait.IsCanceled, Is.True);
    }

    [Test]
    public void DisposeEndsAnAwaitedWait()
    {
        EventFd eventFd = new();
        Task<ulong> wait = eventFd.WaitAsync().AsTask();
        ThreadPool.QueueUserWorkItem(_ => eventFd.Dispose());
        AggregateException failure = Assert.Throws<AggregateException>(() => wait.Wait(HangGuard))!;
        Assert.That(failure.InnerException, Is.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task WaitAsyncAllocatesNothingPerWait()
    {
        using EventFd eventFd = new();
        using EventFd ack = new();
        using CancellationTokenSource stop = new();
        Thread notifier = new(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                eventFd.Notify();
                ack.Read(TimeSpan.FromMilliseconds(100));
            }
        });
        notifier.Start();

        // Continuations run inline on the waiter thread; once an await has resumed there, every
        // later one does too, so the per-thread allocation counter covers the measured loop.
        int testThread = Environment.CurrentManagedThreadId;
        for (int i = 0; i < 1_000 && (Environment.CurrentManagedThreadId == testThread || Thread.CurrentThread.IsThreadPoolThread); i++)
        {
            await eventFd.WaitAsync().ConfigureAwait(false);
            ack.Notify();
        }

        Assert.That(Thread.CurrentThread.IsThreadPoolThread || Environment.CurrentManagedThreadId == testThread, Is.False, "never resumed on the waiter thread");
        const int Rounds = 2_000;
        int measuringThread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            await eventFd.WaitAsync().ConfigureAwait(false);
            ack.Notify();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(Environment.CurrentManagedThreadId, Is.EqualTo(measuringThread), "the loop stayed on the waiter thread");
        stop.Cancel();
        notifier.Join();
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {Rounds} waits");
    }

    [Test]
    public void DescriptorCountIsUnchangedAfterManyEventFdCycles()
    {
        using (EventFd warm = new())
        {
            warm.Notify();
            warm.WaitAsync().AsTask().Wait(HangGuard);
        }

        int before = EventStores.SettledDescriptorCount();
        for (int i = 0; i < 10_000; i++)
        {
            using EventFd eventFd = new(semaphore: (i & 1) == 0);
            eventFd.Notify();
            if (i % 100 == 0)
            {
                Assert.That(eventFd.WaitAsync().AsTask().Wait(HangGuard), Is.True);
            }
        }

        Assert.That(EventStores.DescriptorCountReturningTo(before), Is.EqualTo(before));
    }
}
