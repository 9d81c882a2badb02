using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// The C# watcher process of the latency benchmark: subscribes to the bus, prints "ready", then at every wake
/// (blocking <see cref="EventSubscription.Wait"/> or <see cref="EventSubscription.WaitAsync(TimeSpan, System.Threading.CancellationToken)"/>)
/// records now - stamp. Prints one JSON line in the C watcher's format (bench/latency/bus_wake_watch.c).
/// </summary>
internal static partial class LatencyWatcher
{
    private const int MaxSamples = 1 << 20;

    public static async Task<int> RunAsync(string storeName, string mode, int warmup)
    {
        bool asynchronous = mode switch
        {
            "async" => true,
            "sync" => false,
            _ => throw new ArgumentException($"unknown watcher mode '{mode}'", nameof(mode)),
        };

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
        TimeSpan timeout = TimeSpan.FromSeconds(10);
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

            if (store.GetEpoch(doneKey) != 0)
            {
                break;
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
