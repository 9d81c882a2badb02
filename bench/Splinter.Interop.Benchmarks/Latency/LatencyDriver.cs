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
/// </summary>
internal static class LatencyDriver
{
    public const string StampKey = "stamp";
    public const string DoneKey = "done";

    /// <summary>
    /// Runs one watcher process and returns its figures (with its raw samples). Bus modes ("c", "c-epoll", "c-scan", "sync", "async", "scan",
    /// "watch") and polling ("poll": the bus is never armed, so the subscription polls the store's global epoch) wake on
    /// stamps this process writes every <paramref name="spacingMicroseconds"/>; the self-driven modes ("cancel-c",
    /// "cancel": a thread cancels an async wait every 200 us; "idle-bus", "idle-poll": an idle subscription's CPU for
    /// <paramref name="writes"/> milliseconds) only need the store.
    /// </summary>
    public static LatencyResult Run(string mode, int writes, int warmup, string? nativeWatcher, int spacingMicroseconds = 200)
    {
        if (Stopwatch.Frequency != 1_000_000_000)
        {
            throw new InvalidOperationException($"The latency probe needs a nanosecond Stopwatch (CLOCK_MONOTONIC); this one ticks at {Stopwatch.Frequency} Hz.");
        }

        string name = Workload.UniqueStoreName("latency");
        string samplesPath = Path.Combine(Path.GetTempPath(), name + ".samples");
        SplinterStore.Delete(name);
        Process? watcher = null;
        bool selfDriven = mode is "cancel-c" or "cancel" or "idle-bus" or "idle-poll";
        bool polling = mode is "poll" or "idle-poll";
        try
        {
            using SplinterStore store = SplinterStore.Create(name, 64, 64);
            if (!polling)
            {
                store.Events.Arm();
            }

            if (!selfDriven)
            {
                store.Set(StampKey, BitConverter.GetBytes(0L)); // nothing signals the self-driven modes' subscriptions
            }

            string native = nativeWatcher ?? throw new InvalidOperationException("the C watcher was not built (--c-watcher PATH)");
            // The writer-driven modes run with the writing thread and the watcher on CPU 1 (see Pinning).
            bool pin = !selfDriven && Pinning.Available;
            watcher = mode switch
            {
                "c" => Start(native, $"{name} {warmup} {samplesPath}", pin),
                "c-epoll" => Start(native, $"--epoll {name} {warmup} {samplesPath}", pin),
                "c-scan" => Start(native, $"--epoll --scan {name} {warmup} {samplesPath}", pin),
                "cancel-c" => Start(native, $"--cancel {name} {warmup} {writes} {samplesPath}"),
                "sync" or "async" or "watch" or "scan" or "poll" or "cancel" or "idle-bus" or "idle-poll" =>
                    StartSelf($"latency-watch {name} {mode} {warmup} {writes} {samplesPath}", pin),
                _ => throw new ArgumentException($"unknown latency mode '{mode}'", nameof(mode)),
            };

            string? line = watcher.StandardOutput.ReadLine();
            if (line != "ready")
            {
                throw new InvalidOperationException($"latency watcher ({mode}) did not get ready: '{line}' {watcher.StandardError.ReadToEnd()}");
            }

            long[] written = new long[selfDriven ? 0 : writes + warmup];
            if (!selfDriven)
            {
                using Pinning.Scope writerCpu = pin ? Pinning.ThisThreadTo(1) : default;
                Span<byte> stamp = stackalloc byte[sizeof(long)];
                SplinterKey stampKey = new(StampKey);
                long spacing = Stopwatch.Frequency / 1_000_000 * spacingMicroseconds;
                long next = Stopwatch.GetTimestamp();
                for (int i = 0; i < writes + warmup; i++)
                {
                    if (spacingMicroseconds >= 2_000)
                    {
                        // Sparse writes: sleep most of the gap (the pacing thread is not what is measured).
                        long left = next - Stopwatch.GetTimestamp();
                        if (left > Stopwatch.Frequency / 1_000)
                        {
                            Thread.Sleep(TimeSpan.FromTicks((left - (Stopwatch.Frequency / 1_000)) / 100));
                        }
                    }

                    while (Stopwatch.GetTimestamp() < next)
                    {
                        // Busy pacing keeps the writer's own wake-up jitter out of the figure.
                    }

                    next += spacing;
                    written[i] = Stopwatch.GetTimestamp();
                    BitConverter.TryWriteBytes(stamp, written[i]);
                    store.Set(stampKey, stamp);
                }

                Thread.Sleep(Math.Max(50, 3 * spacingMicroseconds / 1_000));
                store.Set(DoneKey, "1"u8);
            }

            string output = watcher.StandardOutput.ReadToEnd();
            string errors = watcher.StandardError.ReadToEnd();
            if (!watcher.WaitForExit(60_000) || watcher.ExitCode != 0)
            {
                throw new InvalidOperationException($"latency watcher ({mode}) failed: {output} {errors}");
            }

            foreach (string each in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (each.StartsWith('{'))
                {
                    LatencyResult result = LatencyResult.Parse(each);
                    long[] samples = File.Exists(samplesPath) ? ReadSamples(samplesPath) : [];
                    return File.Exists(samplesPath + ".stamps") && written.Length > 0
                        ? result.PerWrite(samples, ReadSamples(samplesPath + ".stamps"), written)
                        : result with { SamplesNs = samples };
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
            File.Delete(samplesPath);
            File.Delete(samplesPath + ".stamps");
        }
    }

    /// <summary>
    /// The writer of bench/latency/callgrind-wake.sh (mode <c>latency-write STORE WRITES SPACING_US GOFILE</c>): waits
    /// until GOFILE exists (the watcher under valgrind created and armed the store and is ready), opens the store with
    /// <see cref="EventBus.SignalLocalWrites"/> on (its writes signal the owner's bus), writes WRITES stamps SPACING_US
    /// apart, then the done key.
    /// </summary>
    public static int Write(string name, int writes, int spacingMicroseconds, string goFile)
    {
        {
            while (!File.Exists(goFile))
            {
                Thread.Sleep(10);
            }

            using SplinterStore store = SplinterStore.Open(name);
            store.Events.SignalLocalWrites = true;

            Span<byte> stamp = stackalloc byte[sizeof(long)];
            SplinterKey stampKey = new(StampKey);
            long spacing = Stopwatch.Frequency / 1_000_000 * spacingMicroseconds;
            long next = Stopwatch.GetTimestamp();
            for (int i = 0; i < writes; i++)
            {
                next += spacing;
                while (Stopwatch.GetTimestamp() < next)
                {
                }

                BitConverter.TryWriteBytes(stamp, Stopwatch.GetTimestamp());
                store.Set(stampKey, stamp);
            }

            Thread.Sleep(200);
            store.Set(DoneKey, "1"u8);
            return 0;
        }
    }

    private static long[] ReadSamples(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray();
    }

    /// <summary>
    /// Starts this app in another process. Its tiered compilation promotes a method as soon as it was called 30 times
    /// (DOTNET_TC_CallCountingDelayMs=0; the default waits until no new method was called for 100 ms): the warm-up
    /// writes then end with the hot path in its final (tier-1) code, so the counted wakes and their CPU are the steady
    /// state and not the JIT's background work, which is what made short runs' CPU figures 2-3x the long runs' before.
    /// </summary>
    internal static Process StartSelf(string arguments, bool pinToSecondCpu = false)
    {
        string self = typeof(LatencyDriver).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        bool viaHost = Path.GetFileNameWithoutExtension(host) == "dotnet";
        return Start(host, viaHost ? $"\"{self}\" {arguments}" : arguments, pinToSecondCpu, ("DOTNET_TC_CallCountingDelayMs", "0"));
    }

    internal static Process Start(string fileName, string arguments, bool pinToSecondCpu = false, params (string Name, string Value)[] environment)
    {
        if (pinToSecondCpu)
        {
            arguments = $"-c 1 \"{fileName}\" {arguments}";
            fileName = Pinning.TasksetPath;
        }

        ProcessStartInfo start = new(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
    }
}

/// <summary>
/// Where the writer and the watcher of a latency run execute. Left to the scheduler, the pair lands on one vCPU or on
/// two from one process to the next, and on these VMs the two placements wake at very different speeds, which made
/// single runs flip between them. Measured 2026-12-06 with the C watcher (taskset, two runs each): watcher on the
/// writer's CPU p50 4.5 / 6.1 us and 5.5 / 7.2 ms CPU per 1,000 wakes (the busy writer is preempted by the woken
/// watcher); on the other CPU p50 26.4 / 23.6 us and 26.1 / 25.9 ms (an inter-processor interrupt and that vCPU's exit
/// from halt, which the hypervisor makes slow). Pinning them apart was tried and dropped: on this shared machine a
/// watcher confined to one CPU fell behind whenever other work ran there (a third of the writes coalesced, the warm-up
/// did not finish). So the writing thread and the watcher process (C or C#, all its threads) share CPU 1
/// (<c>taskset -c 1</c>): every wake-up is the same local one, and what differs between watchers is their own code.
/// Needs two CPUs and taskset; SPLINTER_BENCH_NO_PIN=1 turns it off. The self-driven modes (cancellation, idle) are
/// not pinned: their two threads would share one CPU.
/// </summary>
internal static partial class Pinning
{
    public const string TasksetPath = "/usr/bin/taskset";

    public static bool Available { get; } =
        Environment.ProcessorCount >= 2 && File.Exists(TasksetPath) && Environment.GetEnvironmentVariable("SPLINTER_BENCH_NO_PIN") != "1";

    /// <summary>Pins the calling thread to <paramref name="cpu"/> until the scope is disposed (then back to every CPU it had).</summary>
    public static unsafe Scope ThisThreadTo(int cpu)
    {
        ulong previous = 0;
        if (sched_getaffinity(0, sizeof(ulong), &previous) != 0)
        {
            return default;
        }

        ulong mask = 1UL << cpu;
        return sched_setaffinity(0, sizeof(ulong), &mask) == 0 ? new Scope(previous) : default;
    }

    public readonly struct Scope(ulong previous) : IDisposable
    {
        public unsafe void Dispose()
        {
            if (previous != 0)
            {
                ulong mask = previous;
                _ = sched_setaffinity(0, sizeof(ulong), &mask);
            }
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static unsafe partial int sched_getaffinity(int pid, nuint size, ulong* mask);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static unsafe partial int sched_setaffinity(int pid, nuint size, ulong* mask);
}
