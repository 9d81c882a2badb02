using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Splinter.Interop.Benchmarks.Contention;

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

    /// <summary>
    /// The watchers that pass over the slots at each wake-up ("scan": ReadChanges; "c-scan": the same pass in C): the
    /// median and 99th percentile of how long one counted pass took, in nanoseconds, clock read to clock read; 0 for
    /// the others.
    /// </summary>
    public double PassP50Ns { get; init; }

    /// <inheritdoc cref="PassP50Ns"/>
    public double PassP99Ns { get; init; }

    /// <summary>The raw latencies in nanoseconds (unsorted), when the watcher wrote them.</summary>
    public long[] SamplesNs { get; init; } = [];

    /// <summary>
    /// Counted writes that no wake-up of their own reported: a later write came before the watcher looked, and the
    /// wake-up that read the later one saw both (see <see cref="PerWrite"/>).
    /// </summary>
    public long CoalescedWrites { get; init; }

    /// <summary>
    /// Charges every write the time until a wake-up saw it. A watcher reports, per counted wake-up, its clock minus
    /// the stamp it read (<paramref name="latencies"/>) and that stamp (<paramref name="stamps"/>); it reads the latest
    /// write's stamp, so a write that a later one overtook before the watcher woke would otherwise count only once,
    /// measured from the later write (the smaller figure). Here each write of <paramref name="written"/> (the writer's
    /// stamps, in order) between two wake-ups' stamps is charged the second wake-up's clock minus its own stamp.
    /// The first counted wake-up stands for its own write only (what came before it was seen during the warm-up).
    /// The percentiles are recomputed from these per-write latencies; <see cref="Samples"/> becomes the writes counted.
    /// </summary>
    public LatencyResult PerWrite(long[] latencies, long[] stamps, long[] written)
    {
        List<long> perWrite = new(written.Length);
        long coalesced = 0;
        long previous = long.MinValue;
        int next = 0;
        for (int i = 0; i < Math.Min(latencies.Length, stamps.Length); i++)
        {
            long seen = stamps[i];
            if (seen <= previous)
            {
                continue; // no write since the last wake-up counted (e.g. a check without an edge)
            }

            long wokeAt = seen + latencies[i];
            if (previous == long.MinValue)
            {
                perWrite.Add(latencies[i]);
            }
            else
            {
                for (; next < written.Length && written[next] <= seen; next++)
                {
                    if (written[next] > previous)
                    {
                        perWrite.Add(wokeAt - written[next]);
                        coalesced += written[next] < seen ? 1 : 0;
                    }
                }
            }

            previous = seen;
        }

        long[] all = [.. perWrite];
        long[] sorted = [.. all.Order()];
        double Percentile(double fraction) => sorted.Length == 0 ? 0 : Stats.Percentile(sorted, fraction) / 1e3;
        return this with
        {
            P50Us = Percentile(0.50),
            P90Us = Percentile(0.90),
            P99Us = Percentile(0.99),
            MaxUs = Percentile(1.0),
            Samples = all.Length,
            SamplesNs = all,
            CoalescedWrites = coalesced,
        };
    }

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
            PassP50Ns = root.TryGetProperty("pass_p50_ns", out JsonElement passP50) ? passP50.GetDouble() : 0,
            PassP99Ns = root.TryGetProperty("pass_p99_ns", out JsonElement passP99) ? passP99.GetDouble() : 0,
        };
    }
}
