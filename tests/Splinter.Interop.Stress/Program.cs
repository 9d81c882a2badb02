using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Splinter.Interop;
using Splinter.Interop.TestChild;

namespace Splinter.Interop.Stress;

/// <summary>
/// Long cross-process stress run: N worker processes x M threads of mixed readers and writers on
/// self-checking values plus a shared BIGUINT counter (the protocol of the CI test
/// Reliability.Stress_TwoProcessesTimesTwoThreads_NoTornValueAndExactCounter, with more operations).
/// Exit code 0 when no torn or missing value was returned and the counter equals the increments.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 5 && args[0] == "worker")
        {
            return StressProtocol.RunWorker(args[1], Parse(args[2]), long.Parse(args[3], CultureInfo.InvariantCulture), Parse(args[4]));
        }

        long operations = 10_000_000;
        int processes = 2;
        int threads = 2;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--ops" when i + 1 < args.Length:
                    operations = long.Parse(args[++i].Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
                    break;
                case "--processes" when i + 1 < args.Length:
                    processes = Parse(args[++i]);
                    break;
                case "--threads" when i + 1 < args.Length:
                    threads = Parse(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine("usage: Splinter.Interop.Stress [--ops 10000000] [--processes 2] [--threads 2]");
                    return 2;
            }
        }

        return Drive(operations, processes, threads);
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static int Drive(long operations, int processes, int threads)
    {
        string name = $"splinter-stress-{Environment.ProcessId}";
        long perThread = operations / (processes * threads);
        var workers = new List<(Process Process, Task<string> Stderr)>();
        try
        {
            using SplinterStore store = SplinterStore.Create(name, StressProtocol.Slots, StressProtocol.MaxValue);
            StressProtocol.Prepare(store);
            Console.WriteLine($"store {name}: {StressProtocol.Slots} slots x {StressProtocol.MaxValue} bytes; {processes} processes x {threads} threads x {perThread:N0} operations");
            for (int w = 0; w < processes; w++)
            {
                workers.Add(StartWorker(name, w + 1, perThread, threads));
            }

            foreach (var worker in workers)
            {
                string? line = worker.Process.StandardOutput.ReadLine();
                if (line != "ready")
                {
                    Console.Error.WriteLine($"worker {worker.Process.Id} did not get ready: {line}");
                    return 1;
                }
            }

            Stopwatch clock = Stopwatch.StartNew();
            store.Set(StressProtocol.GoKey, "1"u8);
            var totals = new Dictionary<string, long>(StringComparer.Ordinal);
            bool exitedCleanly = true;
            foreach (var (process, stderr) in workers)
            {
                string stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    string[] parts = line.Split(' ');
                    if (parts.Length == 3 && parts[0] == "stat")
                    {
                        totals[parts[1]] = totals.GetValueOrDefault(parts[1]) + long.Parse(parts[2], CultureInfo.InvariantCulture);
                    }
                }

                if (process.ExitCode != 0 || stderr.Result.Length > 0)
                {
                    exitedCleanly = false;
                    Console.Error.WriteLine($"worker {process.Id} exit {process.ExitCode}: {stderr.Result}");
                }
            }

            clock.Stop();
            store.Integers.TryGet(StressProtocol.CounterKey, out ulong counter);
            int intact = Enumerable.Range(0, StressProtocol.KeyCount).Count(i => store.Get(StressProtocol.Key(i)) is { } v && StressProtocol.IsIntact(v));
            long ops = totals.GetValueOrDefault("ops");
            Console.WriteLine($"operations {ops:N0} in {clock.Elapsed.TotalSeconds:F1} s ({ops / clock.Elapsed.TotalSeconds:N0} ops/s)");
            Console.WriteLine($"  gets {totals.GetValueOrDefault("gets"):N0}, zero-copy reads {totals.GetValueOrDefault("zerocopy"):N0}, sets {totals.GetValueOrDefault("sets"):N0}, increments {totals.GetValueOrDefault("increments"):N0}");
            Console.WriteLine($"  torn {totals.GetValueOrDefault("torn")}, missing {totals.GetValueOrDefault("missing")}, contention timeouts {totals.GetValueOrDefault("contention")}, failures {totals.GetValueOrDefault("failures")}");
            Console.WriteLine($"  counter {counter:N0}, increments {totals.GetValueOrDefault("increments"):N0}; intact keys at the end {intact}/{StressProtocol.KeyCount}");

            // Sets that met a busy slot write a second copy of the key (duplicate keys, native/README.md, "Kept on purpose"): evidence that writers really collided.
            Console.WriteLine($"  slots in use at the end {store.GetKeys().Count} for {StressProtocol.KeyCount + 2} distinct keys");
            bool ok = exitedCleanly && ops == perThread * processes * threads && totals.GetValueOrDefault("torn") == 0 && totals.GetValueOrDefault("missing") == 0
                && totals.GetValueOrDefault("failures") == 0 && counter == (ulong)totals.GetValueOrDefault("increments") && intact == StressProtocol.KeyCount;
            Console.WriteLine(ok ? "PASS" : "FAIL");
            return ok ? 0 : 1;
        }
        finally
        {
            foreach (var (process, _) in workers)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }

            SplinterStore.Delete(name);
        }
    }

    private static (Process, Task<string>) StartWorker(string name, int worker, long perThread, int threads)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }

        foreach (string argument in new[] { "worker", name, worker.ToString(CultureInfo.InvariantCulture), perThread.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker");
        Task<string> stderr = process.StandardError.ReadToEndAsync();

        // stdout: the driver reads "ready" first, the totals after the go signal.
        return (process, stderr);
    }
}
