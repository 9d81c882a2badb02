using System.Text.Json;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>One watcher's figures, as printed on its JSON result line.</summary>
internal sealed record LatencyResult(
    string Mode, double P50Us, double P90Us, double P99Us, double MaxUs, long Samples, long Wakes, double CpuMsPer1000, double AllocBytesPerWait)
{
    /// <summary>Methods the JIT compiled while the wakes were counted (C# watchers): 0 means the warm-up was long enough.</summary>
    public long JitMethodsMeasured { get; init; }

    /// <summary>Generation-0 collections while the wakes were counted (C# watchers).</summary>
    public long Gen0Collections { get; init; }

    /// <summary>Minor page faults of the watcher process per 1,000 counted wakes.</summary>
    public double MinorFaultsPer1000 { get; init; }

    /// <summary>The raw latencies in nanoseconds (unsorted), when the watcher wrote them.</summary>
    public long[] SamplesNs { get; init; } = [];

    public static LatencyResult Parse(string line)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        return new LatencyResult(
            root.GetProperty("mode").GetString() ?? "?",
            root.GetProperty("p50_us").GetDouble(),
            root.GetProperty("p90_us").GetDouble(),
            root.GetProperty("p99_us").GetDouble(),
            root.GetProperty("max_us").GetDouble(),
            root.GetProperty("samples").GetInt64(),
            root.GetProperty("wakes").GetInt64(),
            root.GetProperty("cpu_ms_per_1000").GetDouble(),
            root.GetProperty("alloc_bytes_per_wait").GetDouble())
        {
            JitMethodsMeasured = root.TryGetProperty("jit_methods_measured", out JsonElement jitted) ? jitted.GetInt64() : 0,
            Gen0Collections = root.TryGetProperty("gen0_collections", out JsonElement collections) ? collections.GetInt64() : 0,
            MinorFaultsPer1000 = root.TryGetProperty("minor_faults_per_1000", out JsonElement faults) ? faults.GetDouble() : 0,
        };
    }
}
