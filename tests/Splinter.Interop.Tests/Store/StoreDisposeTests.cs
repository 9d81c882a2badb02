using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreDisposeTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    [Test]
    public void DoubleDispose_IsHarmless()
    {
        SplinterStore store = Names.Create();
        store.Dispose();
        Assert.DoesNotThrow(store.Dispose);
        Assert.That(store.IsDisposed, Is.True);
        Assert.That(store.ToString(), Does.Contain("disposed"));
        Assert.That(store.SlotCount, Is.EqualTo(16u), "geometry stays readable");
    }

    [Test]
    public void EveryOperation_AfterDispose_ThrowsObjectDisposed()
    {
        SplinterStore store = Names.Create();
        store.Set("k", "v");
        store.Dispose();

        var failures = new List<string>();
        int count = 0;
        foreach (StoreOperation operation in StoreReflection.InvocableOperations())
        {
            count++;
            Exception? thrown = null;
            try
            {
                operation.Invoke(store, StoreReflection.ValidArguments(operation.Method, "k"));
            }
            catch (TargetInvocationException wrapper)
            {
                thrown = wrapper.InnerException;
            }

            if (thrown is not ObjectDisposedException)
            {
                failures.Add($"{operation}: {thrown?.GetType().Name ?? "no exception"}");
            }
        }

        Assert.That(failures, Is.Empty);
        Assert.That(count, Is.GreaterThan(50));

        // The span overloads, which reflection cannot call.
        Assert.Throws<ObjectDisposedException>(() => store.Set("k"u8, "v"u8));
        Assert.Throws<ObjectDisposedException>(() => store.TryGet("k"u8, new byte[4], out _));
        Assert.Throws<ObjectDisposedException>(() => store.TryGet(new SplinterKey("k"), new byte[4], out _));
        Assert.Throws<ObjectDisposedException>(() => store.Set(new SplinterKey("k"), "v"u8));
        Assert.Throws<ObjectDisposedException>(() => store.Tandem.Set("k", "v"u8.ToArray()));
        Assert.Throws<ObjectDisposedException>(() => store.Append("k", "v"u8));
    }

    // Five rounds: with the hot-call gate's forced suspension removed (a mutant), one round crashed the test host in 4
    // of 10 runs (a gated call still inside libsplinter when the store was unmapped); five rounds catch that ~92% of
    // the time, at about 0.15 s per round.
    [Test]
    [Repeat(5)]
    public void DisposeWhileFourThreadsHammer_EveryCallCompletesOrThrowsObjectDisposed()
    {
        // A generous contention budget: on two cores a writer preempted inside its slot can hold it
        // for a scheduler slice, and this test is about Dispose, not contention.
        SplinterStore store = Names.Track(SplinterStore.Create(Names.NewName(), 64, 64, Options with { ContentionTimeout = TimeSpan.FromSeconds(10) }));
        var keys = Enumerable.Range(0, 16).Select(i => new SplinterKey($"hammer-{i}")).ToArray();
        foreach (SplinterKey key in keys)
        {
            store.Set(key, "seed"u8);
        }

        long completed = 0;
        int disposedSeen = 0;
        using var warmedUp = new CountdownEvent(4);
        var workers = new Thread[4];
        var unexpected = new List<Exception>();
        for (int t = 0; t < workers.Length; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                Span<byte> buffer = stackalloc byte[64];
                byte[] value = new byte[8];
                bool signalled = false;
                for (long i = 0; ; i++)
                {
                    try
                    {
                        SplinterKey key = keys[(int)((i + id) % keys.Length)];
                        switch (i % 6)
                        {
                            case 0:
                            case 3:
                                // Each thread writes only its own four keys: concurrent sets of one key
                                // would let libsplinter create duplicate keys (native/README.md, "Kept on purpose") and fill the store.
                                BitConverter.TryWriteBytes(value, i);
                                store.Set(keys[id + (4 * (int)((i / 3) % 4))], value);
                                break;
                            case 1:
                                store.TryGet(key, buffer, out _);
                                break;
                            case 2:
                                store.GetEpoch(key.ToString());
                                break;
                            case 4:
                                store.TryGet(key.ToString(), buffer, out _);
                                break;
                            default:
                                store.TryRead(key, 0, static (bytes, _) => bytes.Length, out int _);
                                store.GetEpoch(key);
                                break;
                        }

                        Interlocked.Increment(ref completed);
                    }
                    catch (ObjectDisposedException)
                    {
                        Interlocked.Increment(ref disposedSeen);
                        break;
                    }
                    catch (Exception exception)
                    {
                        lock (unexpected)
                        {
                            unexpected.Add(exception);
                        }

                        break;
                    }

                    if (!signalled && i == 2000)
                    {
                        signalled = true;
                        warmedUp.Signal();
                    }
                }

                if (!signalled)
                {
                    warmedUp.Signal();
                }
            });
            workers[t].Start();
        }

        Assert.That(warmedUp.Wait(TimeSpan.FromSeconds(60)), Is.True, "workers got going");
        store.Dispose();
        foreach (Thread worker in workers)
        {
            Assert.That(worker.Join(TimeSpan.FromSeconds(60)), Is.True, "a worker hung after Dispose");
        }

        Assert.That(unexpected, Is.Empty);
        Assert.That(disposedSeen, Is.EqualTo(4), "every worker ended on ObjectDisposedException");
        Assert.That(Interlocked.Read(ref completed), Is.GreaterThanOrEqualTo(4 * 2000));

        // The store really closed: the variant is free again and the data survived.
        using SplinterStore reopened = Names.Track(SplinterStore.Open(store.Name, Options));
        Assert.That(reopened.Contains(keys[0]), Is.True);
    }

    [Test]
    public void HotCallsThatThrow_DoNotKeepTheStoreBusy()
    {
        // Set on a full store and TryGet of a missing key leave through their slow paths; if
        // either left this thread marked as inside the store, Dispose would wait forever.
        SplinterStore store = Names.Create(slots: 2, maxValueSize: 8);
        store.Set("a", "1");
        store.Set("b", "2");
        Assert.Throws<SplinterStoreFullException>(() => store.Set("c", "3"));
        Assert.Throws<SplinterStoreFullException>(() => store.Set(new SplinterKey("c"), "3"u8));
        Assert.That(store.TryGet("missing", new byte[8], out _), Is.False);
        Assert.That(store.TryGet("a", new byte[0], out _), Is.False);

        var disposer = new Thread(store.Dispose);
        disposer.Start();
        Assert.That(disposer.Join(TimeSpan.FromSeconds(30)), Is.True, "Dispose waited for a hot call that had already ended");
        Assert.That(store.IsDisposed, Is.True);
    }

    [Test]
    public void DisposeDuringABlockingCall_ClosesOnlyAfterItReturns()
    {
        SplinterStore store = Names.Create();
        store.Set("poll", "v");
        var waiter = PollWaiter.StartInsidePoll(store, "poll", TimeSpan.FromMilliseconds(400));

        store.Dispose();
        Assert.That(store.IsDisposed, Is.True);
        Assert.That(waiter.Join(), Is.True);
        Assert.That(waiter.Failure, Is.Null, "the call in flight finished normally");
        Assert.That(waiter.Changed, Is.False, "the poll ran to its timeout on a still-mapped store");

        using SplinterStore reopened = Names.Track(SplinterStore.Open(store.Name, Options));
        Assert.That(reopened.GetString("poll"), Is.EqualTo("v"));
    }

    [Test]
    public void OpenWhileADisposedStoreStillHasACallRunning_SharesTheStillOpenStore()
    {
        SplinterStore store = Names.Create();
        store.Set("poll", "v");

        // WaitForChange holds the store's reference while splinter_poll sleeps in 10 ms steps.
        var waiter = PollWaiter.StartInsidePoll(store, "poll", TimeSpan.FromMilliseconds(500));
        store.Dispose();

        // The native store stays open until the call returns; the new object is another handle on it.
        using SplinterStore reopened = Names.Track(SplinterStore.Open(store.Name, Options));
        Assert.That(reopened.Shared, Is.SameAs(store.Shared), "one open store, two handles");
        Assert.That(reopened.GetString("poll"), Is.EqualTo("v"));
        Assert.That(waiter.Join(), Is.True);
        Assert.That(waiter.Failure, Is.Null, "the call in flight finished normally");
        Assert.That(waiter.Changed, Is.False, "it ran to its timeout");

        Assert.That(() => store.GetString("poll"), Throws.TypeOf<ObjectDisposedException>(), "the disposed object stays disposed");
        reopened.Set("after", "the call returned");
        Assert.That(reopened.GetString("after"), Is.EqualTo("the call returned"), "the remaining handle keeps the store open");
    }

    /// <summary>A thread blocked in WaitForChange (a leased call), returned only once it sleeps inside splinter_poll.</summary>
    private sealed class PollWaiter
    {
        private readonly Thread _thread;
        private int _threadId;

        private PollWaiter(SplinterStore store, string key, TimeSpan timeout)
        {
            using var started = new ManualResetEventSlim();
            _thread = new Thread(() =>
            {
                try
                {
                    _threadId = NativeThreads.CurrentId();
                    started.Set();
                    Changed = store.WaitForChange(key, timeout);
                }
                catch (Exception exception)
                {
                    Failure = exception;
                }
            });
            _thread.Start();
            started.Wait();
        }

        public bool? Changed { get; private set; }

        public Exception? Failure { get; private set; }

        public static PollWaiter StartInsidePoll(SplinterStore store, string key, TimeSpan timeout)
        {
            var waiter = new PollWaiter(store, key, timeout);
            NativeThreads.WaitUntilSleeping(waiter._threadId, TimeSpan.FromSeconds(30));
            return waiter;
        }

        public bool Join() => _thread.Join(TimeSpan.FromSeconds(30));
    }
}
