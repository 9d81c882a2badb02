using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Splinter.Interop.Benchmarks.Callgrind;
using Splinter.Interop.Benchmarks.Contention;
using Splinter.Interop.Benchmarks.Latency;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Entry point. bench/run.sh drives the modes:
///   run [--quick] [--native FILE] [--native-rerun SCRIPT] [--instructions FILE] [--c-watcher PATH] [--c-stress PATH] [--out DIR] [--filter GLOB] [--no-bdn] [--no-latency] [--no-contention]
///       BenchmarkDotNet suites, wake latency in rounds (LatencyRounds), contention (ContentionDriver), the store rows
///       again in rounds of fresh processes (OpRounds, with --native-rerun), then the joined table and summary.json
///   latency-watch STORE MODE WARMUP [COUNT SAMPLES]   the C# watcher process of the latency benchmark
///   contention threads STORE READERS MS | contention writer|reader STORE MS   the C# side of the contention rows
///   callgrind REGION_LIBRARY OPS               the raw loops for callgrind (see CallgrindLoops)
///   open-cost STORE...                         the fresh process that measures opening stores (see OpenCost)
///   scan-cost [SLOTS...]                       the cost of one ReadChanges pass (see ScanCost); run by hand
///   store-times [ROUNDS]                       the SplinterStore loops timed in one process (see StoreTimes); run by hand
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["run", .. var options] => RunAll(options),
                ["latency-watch", string store, string mode, string warmup] => await LatencyWatcher.RunAsync(store, mode, ParseInt(warmup), 0, null).ConfigureAwait(false),
                ["latency-watch", string store, string mode, string warmup, string count, string samples] =>
                    await LatencyWatcher.RunAsync(store, mode, ParseInt(warmup), ParseInt(count), samples).ConfigureAwait(false),
                ["latency-write", string store, string writes, string spacing, string go] => LatencyDriver.Write(store, ParseInt(writes), ParseInt(spacing), go),
                ["contention", "threads", string store, string readers, string ms] => MrswStress.Run("threads", store, ParseInt(readers), ParseInt(ms)),
                ["contention", string role, string store, string ms] => MrswStress.Run(role, store, 1, ParseInt(ms)),
                ["callgrind", string library, string ops] => CallgrindLoops.Run(library, long.Parse(ops, CultureInfo.InvariantCulture)),
                ["open-cost", .. var names] when names.Length >= 3 => OpenCost.Measure(names),
                ["scan-cost", .. var sizes] => ScanCost.Run(sizes),
                ["store-times"] => StoreTimes.Run(9),
                ["store-times", string rounds] => StoreTimes.Run(ParseInt(rounds)),
                _ => Usage(),
            };
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine(exception);
            return 1;
        }
    }

    private static int RunAll(string[] options)
    {
        bool quick = false, runBdn = true, runLatency = true, runContention = true;
        string? nativePath = null, nativeRerun = null, instructionsPath = null, watcherPath = null, filter = null, stressPath = null;
        string output = Path.Combine(Environment.CurrentDirectory, "artifacts", "bench");
        for (int i = 0; i < options.Length; i++)
        {
            string Next() => i + 1 < options.Length ? options[++i] : throw new ArgumentException($"{options[i]} needs a value");
            switch (options[i])
            {
                case "--quick": quick = true; break;
                case "--native": nativePath = Next(); break;
                case "--native-rerun": nativeRerun = Next(); break;
                case "--instructions": instructionsPath = Next(); break;
                case "--c-watcher": watcherPath = Next(); break;
                case "--out": output = Next(); break;
                case "--filter": filter = Next(); break;
                case "--no-bdn": runBdn = false; break;
                case "--no-latency": runLatency = false; break;
                case "--c-stress": stressPath = Next(); break;
                case "--no-contention": runContention = false; break;
                default: throw new ArgumentException($"unknown option {options[i]}");
            }
        }

        Dictionary<string, ManagedResult> managed = runBdn
            ? BenchmarkSuites.Run(quick, Path.Combine(output, "bdn"), filter)
            : new Dictionary<string, ManagedResult>(StringComparer.Ordinal);

        List<LatencyRow> latency = [];
        List<LatencyRow> idle = [];
        if (runLatency)
        {
            if (watcherPath is null)
            {
                throw new ArgumentException("the latency rows need the C watcher (--c-watcher PATH) for their baselines");
            }

            (latency, idle) = LatencyRounds.Run(quick, watcherPath);
        }

        Console.Error.WriteLine($"open cost: a fresh process opens 16 stores one by one");
        OpenCostResult? openCost = OpenCost.Run();
        List<ContentionRow> contention = runContention
            ? ContentionDriver.Run(quick ? 3 : 5, quick ? 300 : 1_000, stressPath)
            : [];

        List<OpRound> opRounds = [];
        if (runBdn && nativeRerun is not null)
        {
            Console.Error.WriteLine("op rounds: the C timing program and the SplinterStore loops (store-times), fresh processes, alternately first");
            opRounds = OpRounds.Run(nativeRerun, quick ? 3 : 5, quick);
        }

        Dictionary<string, NativeResult> native = SummaryReport.ReadNative(nativePath);
        if (nativeRerun is not null)
        {
            native = SummaryReport.LowerOf(native, RerunNative(nativeRerun, quick));
        }

        SummaryReport report = new(native, managed, SummaryReport.ReadInstructions(instructionsPath), latency, idle, contention, openCost, opRounds);
        string heading = string.Create(CultureInfo.InvariantCulture,
            $"Splinter.Interop benchmarks ({(quick ? "--quick" : "full")} run, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, .NET {Environment.Version})");
        string table = report.RenderTable(heading);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "summary.md"), table);
        report.WriteJson(Path.Combine(output, "summary.json"));
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"written: {Path.Combine(output, "summary.json")} and summary.md");
        return 0;
    }

    /// <summary>Runs the native baseline's timed loops again (no callgrind): after the managed runs, and in <see cref="OpRounds"/> (quiet).</summary>
    internal static Dictionary<string, NativeResult> RerunNative(string script, bool quick, bool quiet = false)
    {
        if (!quiet)
        {
            Console.Error.WriteLine($"native C baseline again (timing only): {script}");
        }

        ProcessStartInfo start = new(script) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--json");
        start.ArgumentList.Add("--no-callgrind");
        if (quick)
        {
            start.ArgumentList.Add("--quick");
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed with exit code {process.ExitCode}");
        }

        if (!quiet)
        {
            Console.Error.Write(output);
        }

        return SummaryReport.ParseNative(output.Split('\n'));
    }

    private static int ParseInt(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static int Usage()
    {
        Console.Error.WriteLine(
            "usage: Splinter.Interop.Benchmarks run [--quick] [--native FILE] [--native-rerun SCRIPT] [--instructions FILE] [--c-watcher PATH] [--c-stress PATH] [--out DIR] [--filter GLOB] [--no-bdn] [--no-latency] [--no-contention]\n" +
            "       | store-times [ROUNDS] | latency-watch STORE MODE WARMUP [COUNT SAMPLES] | contention threads STORE READERS MS | contention writer|reader STORE MS\n" +
            "       | callgrind REGION_LIBRARY OPS | open-cost STORE... | scan-cost [SLOTS...]");
        return 2;
    }
}
