using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// Wake latency, owner write -> watcher wake, across processes. This process creates a store, arms its event bus
/// (it is the owner, so its writes signal the bus) and writes its Stopwatch timestamp into key "stamp" every 200 us;
/// one watcher process (the C baseline, C# blocking Wait or C# WaitAsync) subtracts the stamp from its own clock
/// when its wait returns. Stopwatch is CLOCK_MONOTONIC in nanoseconds on Linux, shared by both processes.
/// Same idea as the events helper's probe (tests/Splinter.Interop.TestChild/LatencyProbe.cs), written for the
/// benchmark: JSON result lines, getrusage CPU, configurable warm-up.
/// </summary>
internal static class LatencyDriver
{
    public const string StampKey = "stamp";
    public const string DoneKey = "done";

    /// <summary>Runs one watcher mode ("c", "sync", "async", "watch") and returns its figures.</summary>
    public static LatencyResult Run(string mode, int writes, int warmup, string? nativeWatcher)
    {
        if (Stopwatch.Frequency != 1_000_000_000)
        {
            throw new InvalidOperationException($"The latency probe needs a nanosecond Stopwatch (CLOCK_MONOTONIC); this one ticks at {Stopwatch.Frequency} Hz.");
        }

        string name = Workload.UniqueStoreName("latency");
        SplinterStore.Delete(name);
        Process? watcher = null;
        try
        {
            using SplinterStore store = SplinterStore.Create(name, 64, 64);
            store.Events.Arm();
            store.Set(StampKey, BitConverter.GetBytes(0L));
            watcher = mode switch
            {
                "c" => Start(nativeWatcher ?? throw new InvalidOperationException("the C watcher was not built (--c-watcher PATH)"), $"{name} {warmup}"),
                "sync" or "async" or "watch" => StartSelf($"latency-watch {name} {mode} {warmup}"),
                _ => throw new ArgumentException($"unknown latency mode '{mode}'", nameof(mode)),
            };

            string? line = watcher.StandardOutput.ReadLine();
            if (line != "ready")
            {
                throw new InvalidOperationException($"latency watcher ({mode}) did not get ready: '{line}' {watcher.StandardError.ReadToEnd()}");
            }

            Span<byte> stamp = stackalloc byte[sizeof(long)];
            SplinterKey stampKey = new(StampKey);
            long spacing = Stopwatch.Frequency / 5_000; // one write every 200 us
            long next = Stopwatch.GetTimestamp();
            for (int i = 0; i < writes + warmup; i++)
            {
                while (Stopwatch.GetTimestamp() < next)
                {
                    // Busy pacing keeps the writer's own wake-up jitter out of the figure.
                }

                next += spacing;
                BitConverter.TryWriteBytes(stamp, Stopwatch.GetTimestamp());
                store.Set(stampKey, stamp);
            }

            Thread.Sleep(50);
            store.Set(DoneKey, "1"u8);
            string output = watcher.StandardOutput.ReadToEnd();
            string errors = watcher.StandardError.ReadToEnd();
            if (!watcher.WaitForExit(30_000) || watcher.ExitCode != 0)
            {
                throw new InvalidOperationException($"latency watcher ({mode}) failed: {output} {errors}");
            }

            foreach (string each in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (each.StartsWith('{'))
                {
                    return LatencyResult.Parse(each);
                }
            }

            throw new InvalidOperationException($"latency watcher ({mode}) printed no result: {output} {errors}");
        }
        finally
        {
            if (watcher is { HasExited: false })
            {
                watcher.Kill();
            }

            watcher?.Dispose();
            SplinterStore.Delete(name);
        }
    }

    private static Process StartSelf(string arguments)
    {
        string self = typeof(LatencyDriver).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        bool viaHost = Path.GetFileNameWithoutExtension(host) == "dotnet";
        return Start(host, viaHost ? $"\"{self}\" {arguments}" : arguments);
    }

    private static Process Start(string fileName, string arguments)
    {
        ProcessStartInfo start = new(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
    }
}
