using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace Splinter.Interop.TestChild;

/// <summary>
/// Wake latency, owner write -> watcher wake, across two processes: the driver (owner) writes its
/// Stopwatch timestamp into key "stamp" every 200 us; the watcher child takes a timestamp as soon as
/// its wait returns and subtracts the stamp it reads (CLOCK_MONOTONIC is shared by both processes).
/// Run by hand: dotnet Splinter.Interop.TestChild.dll latency all|c|sync|async|cancel|scan [WRITES]
/// ("c" is the C baseline, native/bus_latency_watch.c, compiled with clang-19 on first use).
/// </summary>
internal static class LatencyProbe
{
    private const int Warmup = 1_000;
    private const string StampKey = "stamp";

    internal static int Drive(string mode, int writes)
    {
        if (mode == "all")
        {
            int worst = 0;
            foreach (string each in new[] { "c", "sync", "async", "cancel", "scan" })
            {
                worst = Math.Max(worst, Drive(each, writes));
            }

            return worst;
        }

        if (mode == "cancel")
        {
            return CancelLatency();
        }

        if (mode == "scan")
        {
            return ScanCost(1_024) | ScanCost(65_536);
        }

        if (mode is not ("sync" or "async" or "c"))
        {
            Console.Error.WriteLine("latency: mode must be all, c, sync, async or cancel");
            return 2;
        }

        string name = $"splinter-latency-{Environment.ProcessId}";
        SplinterStore.Delete(name);
        Process? child = null;
        try
        {
            using SplinterStore store = SplinterStore.Create(name, 64, 64);
            store.Events.Arm();
            store.Set(StampKey, BitConverter.GetBytes(0L));

            child = mode == "c" ? StartNative(name) : StartSelf($"latency-watch {name} {mode}");
            string? line = child.StandardOutput.ReadLine();
            if (line != "ready")
            {
                Console.Error.WriteLine($"latency: child did not get ready: {line} {child.StandardError.ReadToEnd()}");
                return 5;
            }

            Span<byte> value = stackalloc byte[8];
            long spacing = Stopwatch.Frequency / 5_000; // one write every 200 us
            long next = Stopwatch.GetTimestamp();
            for (int i = 0; i < writes + Warmup; i++)
            {
                while (Stopwatch.GetTimestamp() < next)
                {
                    // Busy pacing keeps the writer's own scheduling out of the figure.
                }

                next += spacing;
                BitConverter.TryWriteBytes(value, Stopwatch.GetTimestamp());
                store.Set(StampKey, value);
            }

            System.Threading.Thread.Sleep(50);
            store.Set(Program.DoneKey, "1"u8);
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            Console.Write(output);
            Console.Error.Write(child.StandardError.ReadToEnd());
            return child.ExitCode;
        }
        finally
        {
            if (child is { HasExited: false })
            {
                child.Kill();
            }

            child?.Dispose();
            SplinterStore.Delete(name);
        }
    }

    internal static async Task<int> WatchAsync(string storeName, string mode)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        using EventSubscription subscription = store.Events.Subscribe();
        long[] latencies = new long[1 << 20];
        int count = 0;
        byte[] buffer = new byte[8];
        bool async = mode == "async";
        if (async)
        {
            // Start the waiter thread before measuring.
            await subscription.WaitAsync(TimeSpan.Zero).ConfigureAwait(false);
        }

        Program.Ready();
        TimeSpan cpuStart = TimeSpan.Zero;
        long allocatedStart = 0;
        int wakes = 0;
        int poolResumes = 0;
        while (true)
        {
            bool woke = async
                ? await subscription.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false)
                : subscription.Wait(TimeSpan.FromSeconds(10));
            long now = Stopwatch.GetTimestamp();
            if (!woke)
            {
                Console.Error.WriteLine("latency-watch: no wake-up for 10 s");
                return 3;
            }

            if (store.GetEpoch(Program.DoneKey) != 0)
            {
                break;
            }

            wakes++;
            if (System.Threading.Thread.CurrentThread.IsThreadPoolThread)
            {
                poolResumes++;
            }

            if (wakes == Warmup)
            {
                cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
            }

            if (wakes > Warmup && count < latencies.Length && store.TryGet(StampKey, buffer, out int length) && length == 8)
            {
                latencies[count++] = now - BitConverter.ToInt64(buffer);
            }
        }

        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedStart;
        Array.Sort(latencies, 0, count);
        double Micro(double fraction) => count == 0 ? double.NaN : latencies[Math.Min(count - 1, (int)(fraction * count))] * 1e6 / Stopwatch.Frequency;
        int measured = Math.Max(1, wakes - Warmup);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"C# {mode,-5} wake latency us: p50 {Micro(0.50):F1}  p90 {Micro(0.90):F1}  p99 {Micro(0.99):F1}  max {Micro(1.0):F1}  " +
            $"(samples {count}, wakes {measured}, CPU {cpu.TotalMilliseconds * 1000 / measured:F1} ms per 1000 wakes, allocated {(double)allocated / measured:F1} B per wake, {poolResumes} resumed on the thread pool)"));
        return 0;
    }

    /// <summary>
    /// Cancel -> the awaiting code runs again: 200 async waits on a subscription, each cancelled 1 ms
    /// after it started; the time from Cancel() to the continuation (which runs on the waiter thread).
    /// </summary>
    private static int CancelLatency()
    {
        string name = $"splinter-cancel-{Environment.ProcessId}";
        SplinterStore.Delete(name);
        try
        {
            using SplinterStore store = SplinterStore.Create(name, 64, 64);
            store.Events.Arm();
            using EventSubscription subscription = store.Events.Subscribe();
            const int Rounds = 200;
            long[] latencies = new long[Rounds];
            using System.Threading.ManualResetEventSlim resumed = new();
            for (int i = 0; i < Rounds; i++)
            {
                using System.Threading.CancellationTokenSource cancellation = new();
                resumed.Reset();
                long resumedAt = 0;
                var awaiter = subscription.WaitAsync(cancellation.Token).ConfigureAwait(false).GetAwaiter();
                awaiter.UnsafeOnCompleted(() =>
                {
                    resumedAt = Stopwatch.GetTimestamp();
                    resumed.Set();
                });
                System.Threading.Thread.Sleep(1);
                long cancelledAt = Stopwatch.GetTimestamp();
                cancellation.Cancel();
                if (!resumed.Wait(TimeSpan.FromSeconds(5)))
                {
                    Console.Error.WriteLine("cancel: a cancelled wait did not end within 5 s");
                    return 3;
                }

                latencies[i] = resumedAt - cancelledAt;
                try
                {
                    awaiter.GetResult();
                    Console.Error.WriteLine("cancel: the wait completed instead of being cancelled");
                    return 3;
                }
                catch (OperationCanceledException)
                {
                    // Expected.
                }
            }

            Array.Sort(latencies);
            double Micro(int index) => latencies[index] * 1e6 / Stopwatch.Frequency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"C# async cancel -> continuation us: p50 {Micro(Rounds / 2):F1}  p99 {Micro(Rounds * 99 / 100):F1}  max {Micro(Rounds - 1):F1}  (rounds {Rounds})"));
            return 0;
        }
        finally
        {
            SplinterStore.Delete(name);
        }
    }

    /// <summary>What one ReadChanges costs: a full pass over the slots (all occupied, one of them changed).</summary>
    private static int ScanCost(uint slots)
    {
        string name = $"splinter-scan-{Environment.ProcessId}";
        SplinterStore.Delete(name);
        try
        {
            using SplinterStore store = SplinterStore.Create(name, slots, 16);
            store.Events.Arm();
            for (uint i = 0; i < slots * 3 / 4; i++)
            {
                store.Set("k" + i.ToString(CultureInfo.InvariantCulture), "v"u8);
            }

            using EventSubscription subscription = store.Events.Subscribe();
            const int Rounds = 200;
            long total = 0;
            for (int i = 0; i < Rounds; i++)
            {
                store.Set("k0", BitConverter.GetBytes(i));
                long start = Stopwatch.GetTimestamp();
                int count = subscription.ReadChanges().Count;
                total += Stopwatch.GetTimestamp() - start;
                if (count != 1)
                {
                    Console.Error.WriteLine($"scan: expected 1 change, got {count}");
                    return 3;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ReadChanges over {slots} slots ({slots * 3 / 4} occupied, 1 changed): {total * 1e6 / Stopwatch.Frequency / Rounds:F1} us per call"));
            return 0;
        }
        finally
        {
            SplinterStore.Delete(name);
        }
    }

    /// <summary>Compiles (once per process) and starts the C baseline watcher against the same libsplinter.so.</summary>
    private static Process StartNative(string storeName)
    {
        string outputDirectory = AppContext.BaseDirectory;
        string libraryDirectory = Path.Combine(outputDirectory, "runtimes", "linux-x64", "native");
        string source = Path.Combine(outputDirectory, "native", "bus_latency_watch.c");
        string? include = null;
        for (DirectoryInfo? directory = new(outputDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "native", "include");
            if (File.Exists(Path.Combine(candidate, "splinter.h")))
            {
                include = candidate;
                break;
            }
        }

        if (include is null || !File.Exists(source))
        {
            throw new FileNotFoundException($"C baseline needs native/include/splinter.h above {outputDirectory} and {source}");
        }

        string executable = Path.Combine(Path.GetTempPath(), $"splinter-bus-latency-watch-{Environment.ProcessId}");
        using (Process compiler = Process.Start(new ProcessStartInfo("clang-19",
                   $"-std=c11 -O2 -Wall -Wextra -Werror -I\"{include}\" \"{source}\" -L\"{libraryDirectory}\" -lsplinter -Wl,-rpath,\"{libraryDirectory}\" -o \"{executable}\"")
               { UseShellExecute = false }) ?? throw new InvalidOperationException("could not start clang-19"))
        {
            compiler.WaitForExit();
            if (compiler.ExitCode != 0)
            {
                throw new InvalidOperationException("compiling the C baseline failed");
            }
        }

        ProcessStartInfo start = new(executable, $"\"{storeName}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process watcher = Process.Start(start) ?? throw new InvalidOperationException("could not start the C watcher");
        File.Delete(executable);
        return watcher;
    }

    /// <summary>Starts this program again with <paramref name="arguments"/>, stdout/stderr redirected.</summary>
    internal static Process StartSelf(string arguments)
    {
        string self = typeof(LatencyProbe).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        bool viaHost = Path.GetFileNameWithoutExtension(host) == "dotnet";
        ProcessStartInfo start = new(host, viaHost ? $"\"{self}\" {arguments}" : arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
    }
}
