using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
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
    private readonly Dictionary<string, LatencyResult> _latency;
    private readonly OpenCostResult? _openCost;

    public SummaryReport(
        Dictionary<string, NativeResult> native,
        Dictionary<string, ManagedResult> managed,
        Dictionary<string, double> managedInstructions,
        Dictionary<string, LatencyResult> latency,
        OpenCostResult? openCost)
    {
        _native = native;
        _managed = managed;
        _managedInstructions = managedInstructions;
        _latency = latency;
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

        text.AppendLine();
        text.AppendLine("| wake latency (us) | C p50 | C p90 | C p99 | C# p50 | C# p90 | C# p99 | ratio p50 | ratio p99 | C CPU ms/1000 wakes | C# CPU ms/1000 wakes | C# B/wait | samples C / C# |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        LatencyResult? c = _latency.GetValueOrDefault("c");
        foreach ((string name, string mode) in LatencyRows)
        {
            LatencyResult? managed = _latency.GetValueOrDefault(mode);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, 
                $"| {name} | {Number(c?.P50Us, "F1")} | {Number(c?.P90Us, "F1")} | {Number(c?.P99Us, "F1")} | " +
                $"{Number(managed?.P50Us, "F1")} | {Number(managed?.P90Us, "F1")} | {Number(managed?.P99Us, "F1")} | " +
                $"{Ratio(managed?.P50Us, c?.P50Us)} | {Ratio(managed?.P99Us, c?.P99Us)} | {Number(c?.CpuMsPer1000, "F1")} | {Number(managed?.CpuMsPer1000, "F1")} | {Number(managed?.AllocBytesPerWait, "F1")} | {Number(c?.Samples, "F0")} / {Number(managed?.Samples, "F0")} |"));
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
            json.WriteEndObject();
        }

        LatencyResult? c = _latency.GetValueOrDefault("c");
        foreach ((string name, string mode) in LatencyRows)
        {
            LatencyResult? managed = _latency.GetValueOrDefault(mode);
            json.WriteStartObject();
            json.WriteString("name", name);
            WriteNumber(json, "native_p50_us", c?.P50Us);
            WriteNumber(json, "native_p90_us", c?.P90Us);
            WriteNumber(json, "native_p99_us", c?.P99Us);
            WriteNumber(json, "managed_p50_us", managed?.P50Us);
            WriteNumber(json, "managed_p90_us", managed?.P90Us);
            WriteNumber(json, "managed_p99_us", managed?.P99Us);
            WriteNumber(json, "ratio_p50", RatioValue(managed?.P50Us, c?.P50Us));
            WriteNumber(json, "ratio_p99", RatioValue(managed?.P99Us, c?.P99Us));
            WriteNumber(json, "native_cpu_ms_per_1000_wakes", c?.CpuMsPer1000);
            WriteNumber(json, "managed_cpu_ms_per_1000_wakes", managed?.CpuMsPer1000);
            WriteNumber(json, "managed_alloc_bytes_per_wait", managed?.AllocBytesPerWait);
            WriteNumber(json, "native_samples", c?.Samples);
            WriteNumber(json, "managed_samples", managed?.Samples);
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

    private static readonly (string Name, string Mode)[] LatencyRows =
    [
        ("latency blocking (EventSubscription.Wait)", "sync"),
        ("latency async (EventSubscription.WaitAsync)", "async"),
        ("latency change feed (EventSubscription.WatchAsync)", "watch"),
    ];

    private static string Number(double? value, string format) =>
        value is double number && double.IsFinite(number) ? number.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static double? RatioValue(double? managed, double? native) =>
        managed is double m && native is double n && n > 0 ? Math.Round(m / n, 3) : null;

    private static string Ratio(double? managed, double? native) =>
        RatioValue(managed, native) is double ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

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
