using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// The C# watcher process of the latency benchmark: subscribes to the bus, prints "ready", then at every wake
/// records now - stamp: mode "sync" blocks in <see cref="EventSubscription.Wait"/>, "async" awaits
/// <see cref="EventSubscription.WaitAsync(TimeSpan, System.Threading.CancellationToken)"/>, "watch" takes each batch of
/// the change feed <see cref="EventSubscription.WatchAsync"/> (wake + scan of the slots). Prints one JSON line in the
/// C watcher's format (bench/latency/bus_wake_watch.c).
/// </summary>
internal static partial class LatencyWatcher
{
    private const int MaxSamples = 1 << 20;

    public static async Task<int> RunAsync(string storeName, string mode, int warmup)
    {
        if (mode is not ("sync" or "async" or "watch"))
        {
            throw new ArgumentException($"unknown watcher mode '{mode}'", nameof(mode));
        }

        bool asynchronous = mode != "sync";

        using SplinterStore store = SplinterStore.Open(storeName);
        using EventSubscription subscription = store.Events.Subscribe();
        SplinterKey stampKey = new(LatencyDriver.StampKey);
        SplinterKey doneKey = new(LatencyDriver.DoneKey);
        long[] samples = new long[MaxSamples];
        byte[] stamp = new byte[sizeof(long)];
        if (asynchronous)
        {
            // Starts the subscription's waiter thread before the owner begins writing.
            await subscription.WaitAsync(TimeSpan.Zero).ConfigureAwait(false);
        }

        Console.WriteLine("ready");
        Console.Out.Flush();

        int count = 0;
        long wakes = 0;
        double cpuStart = CpuMilliseconds();
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        // Returns false once the owner wrote the done key.
        bool OnWake(long now)
        {
            if (store.GetEpoch(doneKey) != 0)
            {
                return false;
            }

            wakes++;
            if (wakes == warmup)
            {
                cpuStart = CpuMilliseconds();
                allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            }

            if (wakes > warmup && count < samples.Length && store.TryGet(stampKey, stamp, out int length) && length == sizeof(long))
            {
                samples[count++] = now - BitConverter.ToInt64(stamp);
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

        double cpu = CpuMilliseconds() - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        Array.Sort(samples, 0, count);
        double Percentile(double fraction) =>
            count == 0 ? 0 : samples[Math.Min(count - 1, (int)(fraction * count))] / 1e3;
        long measured = Math.Max(1, wakes - warmup);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"{mode}\",\"p50_us\":{Percentile(0.50):F2},\"p90_us\":{Percentile(0.90):F2},\"p99_us\":{Percentile(0.99):F2},\"max_us\":{Percentile(1.0):F2}," +
            $"\"samples\":{count},\"wakes\":{measured},\"cpu_ms_per_1000\":{cpu * 1000 / measured:F2},\"alloc_bytes_per_wait\":{(double)allocated / measured:F2}}}"));
        return 0;
    }

    /// <summary>User + system CPU of this process (getrusage RUSAGE_SELF), in milliseconds.</summary>
    private static unsafe double CpuMilliseconds()
    {
        // struct rusage starts with ru_utime and ru_stime (struct timeval: two longs each); 144 bytes in all on x86_64.
        long* usage = stackalloc long[18];
        if (getrusage(0, usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastSystemError()}");
        }

        return (usage[0] * 1e3) + (usage[1] / 1e3) + (usage[2] * 1e3) + (usage[3] / 1e3);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getrusage(int who, long* usage);
}
