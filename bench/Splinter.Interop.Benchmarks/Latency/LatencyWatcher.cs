using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop.Benchmarks.Contention;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// The C# watcher process of the latency benchmark: subscribes to the bus, prints "ready", then at every wake
/// records now - stamp: mode "sync" blocks in <see cref="EventSubscription.Wait"/>, "async" awaits
/// <see cref="EventSubscription.WaitAsync(TimeSpan, System.Threading.CancellationToken)"/>, "watch" takes each batch of
/// the change feed <see cref="EventSubscription.WatchAsync"/> (wake + scan of the slots), "scan" awaits WaitAsync and then
/// calls <see cref="EventSubscription.ReadChanges"/> (the feed's work without its async iterator). Prints one JSON line in the
/// C watcher's format (bench/latency/bus_wake_watch.c).
/// </summary>
internal static partial class LatencyWatcher
{
    private const int MaxSamples = 1 << 20;

    public static async Task<int> RunAsync(string storeName, string mode, int warmup, int count, string? samplesPath)
    {
        if (mode is not ("sync" or "async" or "watch" or "scan" or "poll" or "cancel" or "idle-bus" or "idle-poll"))
        {
            throw new ArgumentException($"unknown watcher mode '{mode}'", nameof(mode));
        }

        bool asynchronous = mode != "sync";
        bool scanAfterWait = mode == "scan"; // decided once: the blocking and async rows' wakes carry no string compare

        // SPLINTER_BENCH_WATCHER_OWNS=1 (bench/latency/callgrind-wake.sh): this process creates the store and arms its
        // bus; the writer signals it from its own process (valgrind cannot take another process's descriptor).
        bool owns = Environment.GetEnvironmentVariable("SPLINTER_BENCH_WATCHER_OWNS") == "1";
        using SplinterStore store = owns ? SplinterStore.Create(storeName, 64, 64) : SplinterStore.Open(storeName);
        if (owns)
        {
            store.Events.Arm();
        }

        using EventSubscription subscription = store.Events.Subscribe();
        SubscriptionMode expected = mode is "poll" or "idle-poll" ? SubscriptionMode.Polling : SubscriptionMode.Bus;
        if (subscription.Mode != expected)
        {
            Console.Error.WriteLine($"latency-watch: the subscription is in {subscription.Mode} mode, {expected} expected ({subscription.PollingReason})");
            return 4;
        }

        if (mode == "cancel")
        {
            return await CancelAsync(subscription, warmup, count, samplesPath).ConfigureAwait(false);
        }

        if (mode is "idle-bus" or "idle-poll")
        {
            return await IdleAsync(subscription, mode, count).ConfigureAwait(false);
        }
        SplinterKey stampKey = new(LatencyDriver.StampKey);
        SplinterKey doneKey = new(LatencyDriver.DoneKey);
        long[] samples = new long[MaxSamples];
        long[] stamps = new long[MaxSamples]; // the stamp each sample read: the driver charges coalesced writes with them
        long[] passes = new long[scanAfterWait ? MaxSamples : 0]; // "scan": how long each counted ReadChanges took
        int passCount = 0;
        byte[] stamp = new byte[sizeof(long)];
        if (asynchronous)
        {
            // Starts the subscription's waiter thread before the owner begins writing.
            await subscription.WaitAsync(TimeSpan.Zero).ConfigureAwait(false);
        }

        Console.WriteLine("ready");
        Console.Out.Flush();

        int taken = 0;
        long wakes = 0;
        long jitStart = 0, jitAtLastWake = 0;
        double cpuStart = CpuMilliseconds();
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        int collectionsStart = GC.CollectionCount(0);
        long faultsStart = MinorFaults();
        // Returns false once the owner wrote the done key.
        bool OnWake(long now)
        {
            if (store.GetEpoch(doneKey) != 0)
            {
                return false;
            }

            // The compilations counted are those up to the last counted wake: ending the loop (the feed's DisposeAsync,
            // the report) compiles methods that no counted wake waited for.
            jitAtLastWake = System.Runtime.JitInfo.GetCompiledMethodCount();
            wakes++;
            if (wakes == warmup)
            {
                CallgrindMarks.Toggle();
                jitStart = System.Runtime.JitInfo.GetCompiledMethodCount();
                cpuStart = CpuMilliseconds();
                allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
                collectionsStart = GC.CollectionCount(0);
                faultsStart = MinorFaults();
            }

            // The stamp is read and decoded at every wake, warm-up included: called first when the counting starts,
            // that code would be compiled (and promoted by tiered compilation) while the wakes are counted.
            bool read = store.TryGet(stampKey, stamp, out int length) && length == sizeof(long);
            long written = read ? BitConverter.ToInt64(stamp) : 0;
            if (wakes > warmup && taken < samples.Length && read)
            {
                samples[taken] = now - written;
                stamps[taken++] = written;
            }

            return true;
        }

        TimeSpan timeout = TimeSpan.FromSeconds(10);
        if (mode == "watch")
        {
            // The feed has no per-batch timeout: a lost wake-up shows as this overall limit.
            using CancellationTokenSource limit = new(TimeSpan.FromMinutes(5));
            await foreach (ChangeBatch batch in subscription.WatchAsync(limit.Token).ConfigureAwait(false))
            {
                if (!OnWake(Stopwatch.GetTimestamp()))
                {
                    break;
                }
            }
        }
        else
        {
            while (true)
            {
                bool woke = asynchronous
                    ? await subscription.WaitAsync(timeout).ConfigureAwait(false)
                    : subscription.Wait(timeout);
                if (scanAfterWait)
                {
                    long passStart = Stopwatch.GetTimestamp();
                    GC.KeepAlive(subscription.ReadChanges());
                    long pass = Stopwatch.GetTimestamp() - passStart;
                    if (wakes >= warmup && passCount < passes.Length)
                    {
                        passes[passCount++] = pass; // OnWake below counts this wake-up
                    }
                }

                long now = Stopwatch.GetTimestamp();
                if (!woke)
                {
                    Console.Error.WriteLine("latency-watch: no wake-up for 10 s");
                    return 3;
                }

                if (!OnWake(now))
                {
                    break;
                }
            }
        }

        CallgrindMarks.Toggle();
        double cpu = CpuMilliseconds() - cpuStart;
        long faults = MinorFaults() - faultsStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        long jitted = Math.Max(0, jitAtLastWake - jitStart);
        Report(mode, samples, taken, Math.Max(1, wakes - warmup), cpu, allocated, samplesPath, jitted, GC.CollectionCount(0) - collectionsStart, faults,
            stamps.AsSpan(0, taken), passes.AsSpan(0, passCount));
        return 0;
    }

    /// <summary>
    /// Prints the JSON result line and, when asked, writes the raw samples to <paramref name="samplesPath"/> and the stamp
    /// each of them read to <paramref name="samplesPath"/>.stamps (the writer-driven modes: the driver charges every
    /// write with them). <paramref name="passes"/>: the "scan" mode's pass times, printed as pass_p50_ns and pass_p99_ns.
    /// </summary>
    private static void Report(string mode, long[] samples, int count, long measured, double cpu, long allocated, string? samplesPath, long jitted = 0, int collections = 0, long faults = 0,
        ReadOnlySpan<long> stamps = default, Span<long> passes = default)
    {
        passes.Sort();
        string passFigures = passes.IsEmpty ? string.Empty : string.Create(CultureInfo.InvariantCulture,
            $",\"pass_p50_ns\":{Stats.Percentile(passes, 0.50)},\"pass_p99_ns\":{Stats.Percentile(passes, 0.99)}");
        if (samplesPath is not null)
        {
            File.WriteAllBytes(samplesPath, MemoryMarshal.AsBytes(samples.AsSpan(0, count)).ToArray());
            if (!stamps.IsEmpty)
            {
                File.WriteAllBytes(samplesPath + ".stamps", MemoryMarshal.AsBytes(stamps).ToArray());
            }
        }

        Array.Sort(samples, 0, count);
        double Percentile(double fraction) => count == 0 ? 0 : Stats.Percentile(samples.AsSpan(0, count), fraction) / 1e3;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"{mode}\",\"p50_us\":{Percentile(0.50):F2},\"p90_us\":{Percentile(0.90):F2},\"p99_us\":{Percentile(0.99):F2},\"max_us\":{Percentile(1.0):F2}," +
            $"\"samples\":{count},\"wakes\":{measured},\"cpu_ms_per_1000\":{cpu * 1000 / measured:F2},\"alloc_bytes_per_wait\":{(double)allocated / measured:F2},\"jit_methods_measured\":{jitted},\"gen0_collections\":{collections},\"minor_faults_per_1000\":{faults * 1000.0 / measured:F2}{passFigures}}}"));
    }

    /// <summary>
    /// Cancellation latency: an async wait that nothing signals, cancelled by another thread every 200 us (busy-paced);
    /// the sample is the canceller's clock at Cancel() subtracted from the awaiting code's clock when the wait ends with
    /// OperationCanceledException (on the subscription's waiter thread). One token source per wait (a cancelled one
    /// cannot be reused); its allocation is the B/wait figure.
    /// </summary>
    private static async Task<int> CancelAsync(EventSubscription subscription, int warmup, int count, string? samplesPath)
    {
        long[] samples = new long[Math.Max(count, 1)];
        int taken = 0;
        long stamp = 0;
        int armed = 0; // the waits started so far; the canceller cancels wait k once armed == k + 1
        CancellationTokenSource? current = null;
        int total = warmup + count;
        Thread canceller = new(() =>
        {
            long next = Stopwatch.GetTimestamp();
            for (int i = 0; i < total; i++)
            {
                while (Volatile.Read(ref armed) <= i)
                {
                }

                next += Stopwatch.Frequency / 5_000;
                while (Stopwatch.GetTimestamp() < next)
                {
                }

                Volatile.Write(ref stamp, Stopwatch.GetTimestamp());
                Volatile.Read(ref current)!.Cancel();
            }
        }) { IsBackground = true };

        // Starts the subscription's waiter thread first.
        await subscription.WaitAsync(TimeSpan.Zero).ConfigureAwait(false);
        Console.WriteLine("ready");
        Console.Out.Flush();
        canceller.Start();
        double cpuStart = CpuMilliseconds();
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        long jitStart = 0;
        for (int i = 0; i < total; i++)
        {
            if (i == warmup)
            {
                jitStart = System.Runtime.JitInfo.GetCompiledMethodCount();
                cpuStart = CpuMilliseconds();
                allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            }

            using CancellationTokenSource source = new();
            Volatile.Write(ref current, source);
            ValueTask<bool> wait = subscription.WaitAsync(source.Token);
            Volatile.Write(ref armed, i + 1);
            try
            {
                await wait.ConfigureAwait(false);
                Console.Error.WriteLine("latency-watch: a wait nobody signalled completed");
                return 3;
            }
            catch (OperationCanceledException)
            {
                long now = Stopwatch.GetTimestamp();
                if (i >= warmup && taken < samples.Length)
                {
                    samples[taken++] = now - Volatile.Read(ref stamp);
                }
            }
        }

        double cpu = CpuMilliseconds() - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        long jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jitStart;
        canceller.Join();
        Report("cancel", samples, taken, Math.Max(1, count), cpu, allocated, samplesPath, jitted);
        return 0;
    }

    /// <summary>
    /// CPU of an idle subscription: an async wait that nothing signals for <paramref name="milliseconds"/> (after one
    /// second of the same, not counted, so start-up work such as tiered compilation is over). Prints the JSON line with
    /// cpu_ms_per_1000 = CPU milliseconds per 1,000 idle milliseconds (CPU ms per idle second).
    /// </summary>
    private static async Task<int> IdleAsync(EventSubscription subscription, string mode, int milliseconds)
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
        await subscription.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        double cpuStart = CpuMilliseconds();
        long started = Stopwatch.GetTimestamp();
        bool woke = await subscription.WaitAsync(TimeSpan.FromMilliseconds(milliseconds)).ConfigureAwait(false);
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        double cpu = CpuMilliseconds() - cpuStart;
        if (woke)
        {
            Console.Error.WriteLine("latency-watch: the idle wait was woken");
            return 3;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"{mode}\",\"p50_us\":0,\"p90_us\":0,\"p99_us\":0,\"max_us\":0,\"samples\":0,\"wakes\":0,\"cpu_ms_per_1000\":{cpu * 1000 / elapsed:F4},\"alloc_bytes_per_wait\":0}}"));
        return 0;
    }

    /// <summary>User + system CPU of this process (getrusage RUSAGE_SELF), in milliseconds.</summary>
    private static double CpuMilliseconds()
    {
        Span<long> usage = Usage(stackalloc long[18]);
        return (usage[0] * 1e3) + (usage[1] / 1e3) + (usage[2] * 1e3) + (usage[3] / 1e3);
    }

    /// <summary>Minor page faults of this process so far (getrusage RUSAGE_SELF, ru_minflt).</summary>
    private static long MinorFaults() => Usage(stackalloc long[18])[8];

    // struct rusage on 64-bit Linux: ru_utime and ru_stime (struct timeval: two longs each), then 14 longs
    // (ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ...); 144 bytes in all.
    private static unsafe Span<long> Usage(Span<long> usage)
    {
        fixed (long* words = usage)
        {
            if (getrusage(0, words) != 0)
            {
                throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastSystemError()}");
            }
        }

        return usage;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getrusage(int who, long* usage);
}

/// <summary>
/// Under bench/latency/callgrind-wake.sh (SPLINTER_BENCH_CG_LIBRARY names bench/callgrind/cg_region.c's library, valgrind
/// runs with --collect-atstart=no): collection on when the warm-up ends and off at the end, so the profile holds the
/// measured wakes only. Nothing otherwise.
/// </summary>
internal static unsafe class CallgrindMarks
{
    private static readonly delegate* unmanaged[Cdecl]<void> s_toggle;

    static CallgrindMarks()
    {
        string? path = Environment.GetEnvironmentVariable("SPLINTER_BENCH_CG_LIBRARY");
        if (!string.IsNullOrEmpty(path))
        {
            nint library = NativeLibrary.Load(path);
            s_toggle = (delegate* unmanaged[Cdecl]<void>)NativeLibrary.GetExport(library, "bench_cg_toggle");
        }
    }

    public static void Toggle()
    {
        if (s_toggle != null)
        {
            s_toggle();
        }
    }
}
