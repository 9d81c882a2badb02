using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using Splinter.Interop.Benchmarks.Latency;

namespace Splinter.Interop.Benchmarks.Contention;

/// <summary>One configuration's figures in one round: readers' reads per second, retries per read, failures, writes/s.</summary>
internal sealed record ContentionSample(double ReadsPerSecond, double RetriesPerRead, long Failures, double WritesPerSecond);

/// <summary>One row of the contention table: C and C# samples of every round, in the same runs.</summary>
internal sealed record ContentionRow(string Layout, int Readers, List<ContentionSample> C, List<ContentionSample> CSharp)
{
    public string Name => $"1 writer + {Readers} reader{(Readers == 1 ? "" : "s")}, {(Layout == "threads" ? "threads in one process" : "separate processes")}";

    /// <summary>The median over rounds of C#'s reads/s divided by C's (rounds paired in order).</summary>
    public double? MedianRatio => Stats.Median(C.Zip(CSharp, (c, s) => c.ReadsPerSecond > 0 ? s.ReadsPerSecond / c.ReadsPerSecond : double.NaN));
}

/// <summary>
/// The contention rows: one writer and N readers (N = 1, 3) on the 8 keys of one store, as threads of one process
/// (bench/contention/mrsw_stress.c threads / this app's "contention threads": each family's own writer thread) or as
/// separate processes (N reader processes of the family and one writer process, the C program's for both families when
/// it was built, so the rows differ only in their readers; started together through key "mrsw:go"). C and C# run
/// alternately in every round (C first in even rounds), each in fresh processes on a fresh store.
/// </summary>
internal static class ContentionDriver
{
    public static List<ContentionRow> Run(int rounds, int milliseconds, string? nativeStress)
    {
        List<ContentionRow> rows = [];
        foreach (string layout in new[] { "threads", "processes" })
        {
            foreach (int readers in new[] { 1, 3 })
            {
                rows.Add(new ContentionRow(layout, readers, [], []));
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            foreach (ContentionRow row in rows)
            {
                foreach (bool native in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    if (native && nativeStress is null)
                    {
                        continue;
                    }

                    ContentionSample sample = RunOne(row.Layout, row.Readers, milliseconds, native ? nativeStress : null, nativeStress);
                    (native ? row.C : row.CSharp).Add(sample);
                    Console.Error.WriteLine(FormattableString.Invariant(
                        $"contention round {round + 1}/{rounds}: {row.Name}, {(native ? "C" : "C#")}: {sample.ReadsPerSecond:F0} reads/s, {sample.RetriesPerRead:F4} retries/read, {sample.Failures} failures, {sample.WritesPerSecond:F0} writes/s"));
                }
            }
        }

        return rows;
    }

    private static ContentionSample RunOne(string layout, int readers, int milliseconds, string? nativeStress, string? nativeStressWriter)
    {
        string name = Workload.UniqueStoreName("mrsw");
        SplinterStore.Delete(name);
        List<Process> children = [];
        try
        {
            using SplinterStore store = SplinterStore.Create(name, Workload.Slots, Workload.MaxValue);
            Span<ulong> words = stackalloc ulong[MrswStress.Words];
            MrswStress.MakeValue(0, words);
            for (int k = 0; k < MrswStress.KeyCount; k++)
            {
                store.Set(MrswStress.KeyText(k), MemoryMarshal.AsBytes(words));
            }

            string ms = milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Process Start(string arguments) => nativeStress is null
                ? LatencyDriver.StartSelf($"contention {arguments}")
                : LatencyDriver.Start(nativeStress, arguments, false);
            if (layout == "threads")
            {
                children.Add(Start($"threads {name} {readers} {ms}"));
            }
            else
            {
                // One writer program for both families (the C one when it was built): the rows compare the readers.
                children.Add(nativeStressWriter is null ? Start($"writer {name} {ms}") : LatencyDriver.Start(nativeStressWriter, $"writer {name} {ms}", false));
                for (int r = 0; r < readers; r++)
                {
                    children.Add(Start($"reader {name} {ms}"));
                }

                foreach (Process child in children)
                {
                    string? line = child.StandardOutput.ReadLine();
                    if (line != "ready")
                    {
                        throw new InvalidOperationException($"contention child did not get ready: '{line}' {child.StandardError.ReadToEnd()}");
                    }
                }

                store.Set(MrswStress.GoKey, "1"u8);
            }

            double reads = 0, retries = 0, writes = 0;
            long readCount = 0, failures = 0;
            foreach (Process child in children)
            {
                string output = child.StandardOutput.ReadToEnd();
                string errors = child.StandardError.ReadToEnd();
                if (!child.WaitForExit(60_000) || child.ExitCode != 0)
                {
                    throw new InvalidOperationException($"contention child failed ({child.StartInfo.FileName} {child.StartInfo.Arguments}): {output} {errors}");
                }

                string json = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'))
                    ?? throw new InvalidOperationException($"contention child printed no result: {output} {errors}");
                using JsonDocument document = JsonDocument.Parse(json);
                JsonElement root = document.RootElement;
                double seconds = root.GetProperty("seconds").GetDouble();
                long childReads = root.GetProperty("reads").GetInt64();
                reads += childReads / seconds;
                readCount += childReads;
                retries += root.GetProperty("retries").GetInt64();
                failures += root.GetProperty("failures").GetInt64();
                writes += root.GetProperty("writes").GetInt64() / seconds;
            }

            return new ContentionSample(reads, readCount > 0 ? retries / readCount : double.NaN, failures, writes);
        }
        finally
        {
            foreach (Process child in children)
            {
                if (!child.HasExited)
                {
                    child.Kill();
                }

                child.Dispose();
            }

            SplinterStore.Delete(name);
        }
    }
}

/// <summary>Small statistics helpers shared by the report.</summary>
internal static class Stats
{
    /// <summary>The nearest-rank percentile of <paramref name="sorted"/> (ascending, not empty): the element at fraction x count, the last at most.</summary>
    public static long Percentile(ReadOnlySpan<long> sorted, double fraction) =>
        sorted[Math.Min(sorted.Length - 1, (int)(fraction * sorted.Length))];

    public static double? Median(IEnumerable<double> values)
    {
        double[] sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
