using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Linq;
using Splinter.Interop.Benchmarks.Contention;
using Splinter.Interop.Benchmarks.Latency;

namespace Splinter.Interop.Benchmarks;

/// <summary>One native C figure from bench/native/run.sh --json.</summary>
internal sealed record NativeResult(double Ns, double? Instructions);

/// <summary>
/// Joins the native baseline, the BenchmarkDotNet results, the callgrind counts and the latency runs into the one
/// table bench/run.sh prints and artifacts/bench/summary.json (a list of row objects).
/// </summary>
internal sealed class SummaryReport
{
    /// <summary>Operation rows: the row name, the native op it compares with, the BenchmarkDotNet case, the callgrind region.</summary>
    private static readonly (string Name, string NativeOp, string Benchmark, string? Region)[] s_operations =
    [
        ("set (SplinterKey)", "set", "StoreBenchmarks.SetKey", "store/set_key"),
        ("set (string key)", "set", "StoreBenchmarks.SetString", "store/set_string"),
        ("get (TryGet SplinterKey, mapping read)", "get", "StoreBenchmarks.TryGetKey", "store/tryget_key"),
        ("get (TryGet string key, mapping read)", "get", "StoreBenchmarks.TryGetString", "store/tryget_string"),
        ("get_epoch (SplinterKey, mapping read)", "get_epoch", "StoreBenchmarks.GetEpochKey", "store/get_epoch_key"),
        ("get_epoch (string key, mapping read)", "get_epoch", "StoreBenchmarks.GetEpochString", "store/get_epoch_string"),
        ("zero-copy read (TryRead SplinterKey)", "get_raw_ptr", "StoreBenchmarks.TryReadKey", "store/tryread_key"),
        ("zero-copy read (TryRead string key)", "get_raw_ptr", "StoreBenchmarks.TryReadString", "store/tryread_string"),
        ("raw static set", "set", "RawStaticBenchmarks.Set", "raw-static/set"),
        ("raw static get", "get", "RawStaticBenchmarks.Get", "raw-static/get"),
        ("raw static get_epoch", "get_epoch", "RawStaticBenchmarks.GetEpoch", "raw-static/get_epoch"),
        ("raw static get_raw_ptr", "get_raw_ptr", "RawStaticBenchmarks.GetRawPtr", "raw-static/get_raw_ptr"),
        ("raw fnptr set", "set", "RawPointerBenchmarks.Set", "raw-fnptr/set"),
        ("raw fnptr get", "get", "RawPointerBenchmarks.Get", "raw-fnptr/get"),
        ("raw fnptr get_epoch", "get_epoch", "RawPointerBenchmarks.GetEpoch", "raw-fnptr/get_epoch"),
        ("raw fnptr get_raw_ptr", "get_raw_ptr", "RawPointerBenchmarks.GetRawPtr", "raw-fnptr/get_raw_ptr"),
        ("open an extra store (Open + Dispose; C: splinter_open of a second store)", "open", "StoreOpenBenchmarks.OpenExtraStore", "store/open_extra"),
        ("open an open store again (a second handle; Open + Dispose)", "open", "StoreOpenBenchmarks.OpenOpenStoreAgain", "store/open_again"),
    ];

    private readonly Dictionary<string, NativeResult> _native;
    private readonly Dictionary<string, ManagedResult> _managed;
    private readonly Dictionary<string, double> _managedInstructions;
    private readonly List<LatencyRow> _latency;
    private readonly List<LatencyRow> _idle;
    private readonly List<ContentionRow> _contention;
    private readonly OpenCostResult? _openCost;
    private readonly List<OpRound> _opRounds;

    public SummaryReport(
        Dictionary<string, NativeResult> native,
        Dictionary<string, ManagedResult> managed,
        Dictionary<string, double> managedInstructions,
        List<LatencyRow> latency,
        List<LatencyRow> idle,
        List<ContentionRow> contention,
        OpenCostResult? openCost,
        List<OpRound> opRounds)
    {
        _opRounds = opRounds;
        _native = native;
        _managed = managed;
        _managedInstructions = managedInstructions;
        _latency = latency;
        _idle = idle;
        _contention = contention;
        _openCost = openCost;
    }

    /// <summary>Reads bench/native/run.sh --json output (one object per line).</summary>
    public static Dictionary<string, NativeResult> ReadNative(string? path) =>
        path is null || !File.Exists(path) ? new Dictionary<string, NativeResult>(StringComparer.Ordinal) : ParseNative(File.ReadLines(path));

    /// <summary>Parses bench/native/run.sh --json lines; other lines are ignored.</summary>
    public static Dictionary<string, NativeResult> ParseNative(IEnumerable<string> lines)
    {
        Dictionary<string, NativeResult> results = new(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            if (!line.TrimStart().StartsWith('{'))
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            double? instructions = root.TryGetProperty("instructions", out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
            results[root.GetProperty("name").GetString()!] = new NativeResult(root.GetProperty("ns").GetDouble(), instructions);
        }

        return results;
    }

    /// <summary>
    /// The lower ns of two native runs per operation (instructions from the first): a load spike during the short
    /// C runs must not flatter the C# figures.
    /// </summary>
    public static Dictionary<string, NativeResult> LowerOf(Dictionary<string, NativeResult> first, Dictionary<string, NativeResult> second)
    {
        Dictionary<string, NativeResult> merged = new(first, StringComparer.Ordinal);
        foreach ((string name, NativeResult again) in second)
        {
            merged[name] = merged.TryGetValue(name, out NativeResult? earlier)
                ? earlier with { Ns = Math.Min(earlier.Ns, again.Ns) }
                : again;
        }

        return merged;
    }

    /// <summary>Reads the callgrind counts bench/run.sh derived for the raw C# loops ("NAME INSTRUCTIONS" per line).</summary>
    public static Dictionary<string, double> ReadInstructions(string? path)
    {
        Dictionary<string, double> results = new(StringComparer.Ordinal);
        if (path is null || !File.Exists(path))
        {
            return results;
        }

        foreach (string line in File.ReadLines(path))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                results[parts[0]] = value;
            }
        }

        return results;
    }

    public string RenderTable(string heading)
    {
        StringBuilder text = new();
        text.AppendLine(heading);
        text.AppendLine();
        text.AppendLine("| operation | C ns | C# ns | C#/C | B/op | C instr/op | C# instr/op | instr C#/C |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, nativeOp, benchmark, region) in s_operations)
        {
            NativeResult? native = _native.GetValueOrDefault(nativeOp);
            ManagedResult? managed = _managed.GetValueOrDefault(benchmark);
            double? managedInstructions = region is not null && _managedInstructions.TryGetValue(region, out double count) ? count : null;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, 
                $"| {name} | {Number(native?.Ns, "F1")} | {Number(managed?.MedianNs, "F1")} | {Ratio(managed?.MedianNs, native?.Ns)} | {Number(managed?.AllocatedBytesPerOp, "F0")} | " +
                $"{Number(native?.Instructions, "F0")} | {Number(managedInstructions, "F0")} | {Ratio(managedInstructions, native?.Instructions)} |"));
        }

        if (_opRounds.Count > 0)
        {
            AppendTitledTable(text,
                $"The SplinterStore rows again in fresh processes, {_opRounds.Count} rounds (C: bench/native/run.sh, median of 5 runs per op; C#: store-times, the final JIT tier; medians of rounds; ratio: the median over rounds of C#/C within a round)",
                "| operation | C ns | C# ns | C#/C (median) | C# lowest | C# highest |");
            foreach (var (name, nativeOp, loop) in RoundRows())
            {
                IEnumerable<double> each = OpRounds.Values(_opRounds.Select(r => r.CSharp), loop);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Number(OpRounds.Median(_opRounds.Select(r => r.C), nativeOp), "F1")} | {Number(OpRounds.Median(_opRounds.Select(r => r.CSharp), loop), "F1")} | " +
                    $"{Format(OpRounds.MedianRatio(_opRounds, loop, nativeOp))} | {Number(each.DefaultIfEmpty(double.NaN).Min(), "F1")} | {Number(each.DefaultIfEmpty(double.NaN).Max(), "F1")} |"));
            }
        }

        if (_latency.Count > 0)
        {
            AppendTitledTable(text,
                $"Wake latency, {_latency[0].Managed.Count} rounds (pooled percentiles of all rounds; \"median ratio\": the median over rounds of C#/C within a round)",
                "| wake latency (us) | C p50 | C p90 | C p99 | C# p50 | C# p90 | C# p99 | p50 ratio (median / pooled) | p99 ratio (median / pooled) | C CPU ms/1000 wakes | C# CPU ms/1000 wakes | CPU ratio (median) | C# B/wait | writes counted C / C# | of them coalesced C / C# | C# methods JIT-compiled while counting |");
            foreach (LatencyRow row in _latency)
            {
                bool baseline = row.Native.Count > 0;
                double? cCpu = baseline ? LatencyRow.MedianOf(row.Native, r => r.CpuMsPer1000) : null;
                double? managedCpu = LatencyRow.MedianOf(row.Managed, r => r.CpuMsPer1000);
                double? alloc = LatencyRow.MedianOf(row.Managed, r => r.AllocBytesPerWait);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Name} | {Number(baseline ? row.PooledNative(0.50) : null, "F1")} | {Number(baseline ? row.PooledNative(0.90) : null, "F1")} | {Number(baseline ? row.PooledNative(0.99) : null, "F1")} | " +
                    $"{Number(row.PooledManaged(0.50), "F1")} | {Number(row.PooledManaged(0.90), "F1")} | {Number(row.PooledManaged(0.99), "F1")} | " +
                    $"{(baseline ? $"{Format(row.MedianRatio(r => r.P50Us))} / {Ratio(row.PooledManaged(0.50), row.PooledNative(0.50))}" : "-")} | " +
                    $"{(baseline ? $"{Format(row.MedianRatio(r => r.P99Us))} / {Ratio(row.PooledManaged(0.99), row.PooledNative(0.99))}" : "-")} | " +
                    $"{Number(cCpu, "F1")} | {Number(managedCpu, "F1")} | {(baseline ? Format(row.MedianRatio(r => r.CpuMsPer1000)) : "-")} | {Number(alloc, "F1")} | " +
                    $"{(baseline ? row.Native.Sum(r => r.Samples).ToString(CultureInfo.InvariantCulture) : "-")} / {row.Managed.Sum(r => r.Samples)} | " +
                    $"{(baseline ? row.Native.Sum(r => r.CoalescedWrites).ToString(CultureInfo.InvariantCulture) : "-")} / {row.Managed.Sum(r => r.CoalescedWrites)} | {row.Managed.Sum(r => r.JitMethodsMeasured)} |"));
            }
        }

        AppendRowTable(text, "| the pass over the slots inside each counted wake-up (ns; medians of rounds) | p50 | p99 |",
            _latency.Where(row => row.Managed.Any(r => r.PassP50Ns > 0)).ToList(),
            row => $"{Number(LatencyRow.MedianOf(row.Managed, r => r.PassP50Ns), "F0")} | {Number(LatencyRow.MedianOf(row.Managed, r => r.PassP99Ns), "F0")}");
        AppendRowTable(text, "| idle subscription (no writes) | CPU ms per idle second, median of rounds | lowest | highest |", _idle,
            row => $"{Number(LatencyRow.MedianOf(row.Managed, r => r.CpuMsPer1000), "F3")} | {Number(row.Managed.Min(r => r.CpuMsPer1000), "F3")} | {Number(row.Managed.Max(r => r.CpuMsPer1000), "F3")}");

        if (_contention.Count > 0)
        {
            AppendTitledTable(text,
                $"Contention, {_contention[0].CSharp.Count} rounds (1 writer + N readers on 8 keys; medians of rounds; ratio: median over rounds of C#/C reads/s)",
                "| contention | C reads/s | C# reads/s | C#/C reads/s | C retries/read | C# retries/read | C failures | C# failures | C writes/s | C# writes/s |");
            foreach (ContentionRow row in _contention)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Name} | {Number(Stats.Median(row.C.Select(x => x.ReadsPerSecond)), "N0")} | {Number(Stats.Median(row.CSharp.Select(x => x.ReadsPerSecond)), "N0")} | {Format(row.MedianRatio)} | " +
                    $"{Number(Stats.Median(row.C.Select(x => x.RetriesPerRead)), "F5")} | {Number(Stats.Median(row.CSharp.Select(x => x.RetriesPerRead)), "F5")} | " +
                    $"{row.C.Sum(x => x.Failures)} | {row.CSharp.Sum(x => x.Failures)} | {Number(Stats.Median(row.C.Select(x => x.WritesPerSecond)), "N0")} | {Number(Stats.Median(row.CSharp.Select(x => x.WritesPerSecond)), "N0")} |"));
            }
        }

        if (_openCost is { } cost)
        {
            text.AppendLine();
            text.AppendLine($"| store open cost (fresh process, {cost.Stores} stores of 1024 x 256 B, values untouched) | time | resident memory |");
            text.AppendLine("|---|---:|---:|");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| first store (library check, first copy, JIT) | {cost.FirstMs:F2} ms | +{cost.RssFirstKb:F0} kB |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| second store (a new library copy) | {cost.SecondMs:F2} ms | +{cost.RssSecondKb:F0} kB |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| each of the {cost.Stores - 2} later stores (median; memory: mean, of it shmem / anon) | {cost.LaterMedianMs:F2} ms | +{cost.RssPerLaterKb:F0} kB ({cost.ShmemPerLaterKb:F0} / {cost.AnonPerLaterKb:F0}) |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| Open + Dispose of a store open already (second handle, median) | {cost.ReopenMedianUs:F0} us | - |"));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| Open + Dispose of a closed store, its copy back in the pool (median) | {cost.PooledMedianUs:F0} us | - |"));
        }

        return text.ToString();
    }

    public void WriteJson(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using FileStream stream = File.Create(path);
        using Utf8JsonWriter json = new(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var (name, nativeOp, benchmark, region) in s_operations)
        {
            NativeResult? native = _native.GetValueOrDefault(nativeOp);
            ManagedResult? managed = _managed.GetValueOrDefault(benchmark);
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("native_op", nativeOp);
            json.WriteString("benchmark", benchmark);
            WriteNumber(json, "native_ns", native?.Ns);
            WriteNumber(json, "managed_ns", managed?.MedianNs);
            WriteNumber(json, "ratio", RatioValue(managed?.MedianNs, native?.Ns));
            WriteNumber(json, "alloc_bytes_per_op", managed?.AllocatedBytesPerOp);
            WriteNumber(json, "native_instructions", native?.Instructions);
            double? managedInstructions = region is not null && _managedInstructions.TryGetValue(region, out double count) ? count : null;
            WriteNumber(json, "managed_instructions", managedInstructions);
            WriteNumber(json, "instructions_ratio", RatioValue(managedInstructions, native?.Instructions));
            if (_opRounds.Count > 0 && RoundLoop(region) is string loop)
            {
                json.WriteNumber("process_rounds", _opRounds.Count);
                WriteNumber(json, "native_ns_median_of_process_rounds", OpRounds.Median(_opRounds.Select(r => r.C), nativeOp));
                WriteNumber(json, "managed_ns_median_of_process_rounds", OpRounds.Median(_opRounds.Select(r => r.CSharp), loop));
                WriteNumber(json, "ratio_median_of_process_rounds", OpRounds.MedianRatio(_opRounds, loop, nativeOp));
                WriteRounds(json, "native_ns_process_rounds", _opRounds.Select(r => r.C.GetValueOrDefault(nativeOp, double.NaN)));
                WriteRounds(json, "managed_ns_process_rounds", _opRounds.Select(r => r.CSharp.GetValueOrDefault(loop, double.NaN)));
            }

            json.WriteEndObject();
        }

        foreach (LatencyRow row in _latency.Concat(_idle))
        {
            bool baseline = row.Native.Count > 0;
            bool idle = _idle.Contains(row);
            json.WriteStartObject();
            json.WriteString("name", row.Name);
            json.WriteString("kind", idle ? "idle_cpu" : "latency");
            json.WriteNumber("rounds", row.Managed.Count);
            if (idle)
            {
                WriteNumber(json, "managed_cpu_ms_per_idle_second", LatencyRow.MedianOf(row.Managed, r => r.CpuMsPer1000));
                WriteRounds(json, "managed_cpu_ms_per_idle_second_rounds", row.Managed.Select(r => r.CpuMsPer1000));
                json.WriteEndObject();
                continue;
            }

            WriteNumber(json, "spacing_us", row.SpacingMicroseconds);
            WriteNumber(json, "native_p50_us", baseline ? row.PooledNative(0.50) : null);
            WriteNumber(json, "native_p90_us", baseline ? row.PooledNative(0.90) : null);
            WriteNumber(json, "native_p99_us", baseline ? row.PooledNative(0.99) : null);
            WriteNumber(json, "managed_p50_us", row.PooledManaged(0.50));
            WriteNumber(json, "managed_p90_us", row.PooledManaged(0.90));
            WriteNumber(json, "managed_p99_us", row.PooledManaged(0.99));
            WriteNumber(json, "ratio_p50_median_of_rounds", baseline ? row.MedianRatio(r => r.P50Us) : null);
            WriteNumber(json, "ratio_p99_median_of_rounds", baseline ? row.MedianRatio(r => r.P99Us) : null);
            WriteNumber(json, "ratio_p50_pooled", baseline ? RatioValue(row.PooledManaged(0.50), row.PooledNative(0.50)) : null);
            WriteNumber(json, "ratio_p99_pooled", baseline ? RatioValue(row.PooledManaged(0.99), row.PooledNative(0.99)) : null);
            WriteNumber(json, "native_cpu_ms_per_1000_wakes", baseline ? LatencyRow.MedianOf(row.Native, r => r.CpuMsPer1000) : null);
            WriteNumber(json, "managed_cpu_ms_per_1000_wakes", LatencyRow.MedianOf(row.Managed, r => r.CpuMsPer1000));
            WriteNumber(json, "ratio_cpu_median_of_rounds", baseline ? row.MedianRatio(r => r.CpuMsPer1000) : null);
            WriteNumber(json, "managed_alloc_bytes_per_wait", LatencyRow.MedianOf(row.Managed, r => r.AllocBytesPerWait));
            WriteNumber(json, "native_samples", baseline ? row.Native.Sum(r => r.Samples) : null);
            WriteNumber(json, "managed_samples", row.Managed.Sum(r => r.Samples));
            WriteNumber(json, "native_coalesced_writes", baseline ? row.Native.Sum(r => r.CoalescedWrites) : null);
            WriteNumber(json, "managed_coalesced_writes", row.Managed.Sum(r => r.CoalescedWrites));
            if (row.Managed.Any(r => r.PassP50Ns > 0))
            {
                WriteNumber(json, "managed_pass_p50_ns", LatencyRow.MedianOf(row.Managed, r => r.PassP50Ns));
                WriteNumber(json, "managed_pass_p99_ns", LatencyRow.MedianOf(row.Managed, r => r.PassP99Ns));
            }
            WriteNumber(json, "managed_jit_methods_while_counting", row.Managed.Sum(r => r.JitMethodsMeasured));
            WriteNumber(json, "managed_gen0_collections_while_counting", row.Managed.Sum(r => r.Gen0Collections));
            WriteNumber(json, "native_minor_faults_per_1000_wakes", baseline ? LatencyRow.MedianOf(row.Native, r => r.MinorFaultsPer1000) : null);
            WriteNumber(json, "managed_minor_faults_per_1000_wakes", LatencyRow.MedianOf(row.Managed, r => r.MinorFaultsPer1000));
            if (baseline)
            {
                WriteRounds(json, "native_p50_us_rounds", row.Native.Select(r => r.P50Us));
                WriteRounds(json, "native_p99_us_rounds", row.Native.Select(r => r.P99Us));
            }

            WriteRounds(json, "managed_p50_us_rounds", row.Managed.Select(r => r.P50Us));
            WriteRounds(json, "managed_p99_us_rounds", row.Managed.Select(r => r.P99Us));
            json.WriteEndObject();
        }

        foreach (ContentionRow row in _contention)
        {
            json.WriteStartObject();
            json.WriteString("name", "contention: " + row.Name);
            json.WriteString("kind", "contention");
            json.WriteString("layout", row.Layout);
            json.WriteNumber("readers", row.Readers);
            json.WriteNumber("rounds", row.CSharp.Count);
            WriteNumber(json, "native_reads_per_second", Stats.Median(row.C.Select(x => x.ReadsPerSecond)));
            WriteNumber(json, "managed_reads_per_second", Stats.Median(row.CSharp.Select(x => x.ReadsPerSecond)));
            WriteNumber(json, "ratio_reads_median_of_rounds", row.MedianRatio);
            WriteNumber(json, "native_retries_per_read", Stats.Median(row.C.Select(x => x.RetriesPerRead)));
            WriteNumber(json, "managed_retries_per_read", Stats.Median(row.CSharp.Select(x => x.RetriesPerRead)));
            json.WriteNumber("native_integrity_failures", row.C.Sum(x => x.Failures));
            json.WriteNumber("managed_integrity_failures", row.CSharp.Sum(x => x.Failures));
            WriteNumber(json, "native_writes_per_second", Stats.Median(row.C.Select(x => x.WritesPerSecond)));
            WriteNumber(json, "managed_writes_per_second", Stats.Median(row.CSharp.Select(x => x.WritesPerSecond)));
            WriteRounds(json, "native_reads_per_second_rounds", row.C.Select(x => x.ReadsPerSecond));
            WriteRounds(json, "managed_reads_per_second_rounds", row.CSharp.Select(x => x.ReadsPerSecond));
            json.WriteEndObject();
        }

        if (_openCost is { } cost)
        {
            json.WriteStartObject();
            json.WriteString("name", "store open cost");
            WriteNumber(json, "first_ms", cost.FirstMs);
            WriteNumber(json, "second_ms", cost.SecondMs);
            WriteNumber(json, "later_median_ms", cost.LaterMedianMs);
            WriteNumber(json, "reopen_median_us", cost.ReopenMedianUs);
            WriteNumber(json, "pooled_median_us", cost.PooledMedianUs);
            WriteNumber(json, "rss_first_kb", cost.RssFirstKb);
            WriteNumber(json, "rss_second_kb", cost.RssSecondKb);
            WriteNumber(json, "rss_per_later_kb", cost.RssPerLaterKb);
            WriteNumber(json, "shmem_per_later_kb", cost.ShmemPerLaterKb);
            WriteNumber(json, "anon_per_later_kb", cost.AnonPerLaterKb);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The store-times loop of an operation row: its SplinterStore callgrind region without "store/" (not the open rows).</summary>
    private static string? RoundLoop(string? region) =>
        region is not null && region.StartsWith("store/", StringComparison.Ordinal) && !region.StartsWith("store/open", StringComparison.Ordinal)
            ? region["store/".Length..]
            : null;

    private static IEnumerable<(string Name, string NativeOp, string Loop)> RoundRows() =>
        s_operations.Where(o => RoundLoop(o.Region) is not null).Select(o => (o.Name, o.NativeOp, RoundLoop(o.Region)!));

    private static void WriteRounds(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (double value in values)
        {
            if (double.IsFinite(value))
            {
                json.WriteNumberValue(Math.Round(value, 4));
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndArray();
    }

    private static string Format(double? ratio) =>
        ratio is double value ? value.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Number(double? value, string format) =>
        value is double number && double.IsFinite(number) ? number.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static double? RatioValue(double? managed, double? native) =>
        managed is double m && native is double n && n > 0 ? Math.Round(m / n, 3) : null;

    private static string Ratio(double? managed, double? native) =>
        RatioValue(managed, native) is double ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

    /// <summary>A small table of latency rows under <paramref name="header"/> (its first column the row's name), or nothing without rows.</summary>
    private static void AppendRowTable(StringBuilder text, string header, IReadOnlyCollection<LatencyRow> rows, Func<LatencyRow, FormattableString> cells)
    {
        if (rows.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine(header);
        text.AppendLine(Separator(header));
        foreach (LatencyRow row in rows)
        {
            text.AppendLine($"| {row.Name} | {cells(row).ToString(CultureInfo.InvariantCulture)} |");
        }
    }

    /// <summary>A blank line, a title line, a blank line, then the header and separator of a table.</summary>
    private static void AppendTitledTable(StringBuilder text, string title, string header)
    {
        text.AppendLine();
        text.AppendLine(title);
        text.AppendLine();
        text.AppendLine(header);
        text.AppendLine(Separator(header));
    }

    /// <summary>The separator line under a table header: the first column left-aligned, the others right-aligned.</summary>
    private static string Separator(string header) =>
        "|---" + string.Concat(Enumerable.Repeat("|---:", header.Count(c => c == '|') - 2)) + "|";

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double number && double.IsFinite(number))
        {
            json.WriteNumber(name, Math.Round(number, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
