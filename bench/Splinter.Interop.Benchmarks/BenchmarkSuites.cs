using System;
using System.Collections.Generic;
using System.IO;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Splinter.Interop.Benchmarks;

/// <summary>One BenchmarkDotNet result: median ns per operation and bytes allocated per operation.</summary>
internal sealed record ManagedResult(double MedianNs, double? AllocatedBytesPerOp);

/// <summary>
/// Runs the BenchmarkDotNet suites in this process (in-process emit toolchain: no per-benchmark project build, which
/// keeps --quick short and avoids rebuilding the native targets) with the memory diagnoser.
/// </summary>
internal static class BenchmarkSuites
{
    public static readonly Type[] Types = [typeof(RawStaticBenchmarks), typeof(RawPointerBenchmarks), typeof(StoreBenchmarks), typeof(StoreOpenBenchmarks)];

    /// <summary>Runs every suite; results keyed "TypeName.Method".</summary>
    public static Dictionary<string, ManagedResult> Run(bool quick, string artifactsDirectory, string? filter)
    {
        Job job = quick
            ? Job.Default.WithId("quick").WithWarmupCount(2).WithIterationCount(3).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
            : Job.Default.WithId("full").WithWarmupCount(5).WithIterationCount(15).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250));
        job = job.WithToolchain(InProcessEmitToolchain.Instance);

        Directory.CreateDirectory(artifactsDirectory);
        string logPath = Path.Combine(artifactsDirectory, "benchmarkdotnet.log");
        using StreamWriter logWriter = new(logPath, append: false);
        ManualConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(new StreamLogger(logWriter))
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(artifactsDirectory)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
        if (!string.IsNullOrEmpty(filter))
        {
            config = config.AddFilter(new BenchmarkDotNet.Filters.GlobFilter([filter]));
        }

        Console.Error.WriteLine($"BenchmarkDotNet ({(quick ? "quick" : "full")} job, in-process): log in {logPath}");
        Summary[] summaries = BenchmarkRunner.Run(Types, config);
        Dictionary<string, ManagedResult> results = new(StringComparer.Ordinal);
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                string key = $"{report.BenchmarkCase.Descriptor.Type.Name}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}";
                if (report.ResultStatistics is null)
                {
                    Console.Error.WriteLine($"BenchmarkDotNet: no result for {key} (see the log)");
                    continue;
                }

                double? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) is long bytes ? bytes : null;
                results[key] = new ManagedResult(report.ResultStatistics.Median, allocated);
            }
        }

        return results;
    }
}
