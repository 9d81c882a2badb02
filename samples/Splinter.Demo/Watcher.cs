using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop;

namespace Splinter.Demo;

/// <summary>The child process: subscribes to the bus and reports each change with its latency.</summary>
internal static class Watcher
{
    /// <summary>The line the watcher ends with; the writer prints it last.</summary>
    public const string SummaryPrefix = "summary: ";

    /// <summary>The line the watcher prints once it saw <see cref="Program.WarmUpKey"/>.</summary>
    public const string WarmLine = "warm";

    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(8);

    public static async Task<int> RunAsync(string storeName, int keyCount)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        using EventSubscription subscription = store.Events.Subscribe();
        Console.WriteLine("ready");

        List<double> latencies = new(keyCount);
        HashSet<string> seen = new(StringComparer.Ordinal);
        StringBuilder lines = new();
        byte[] value = new byte[store.MaxValueSize];
        int batches = 0;
        using CancellationTokenSource timeout = new(WatchTimeout);
        try
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(timeout.Token).ConfigureAwait(false))
            {
                // One receive time per batch, taken before any printing: the latency is write -> seen here.
                long received = Stopwatch.GetTimestamp();
                batches++;
                foreach (SlotChange change in batch)
                {
                    bool warmUp = change.Key == Program.WarmUpKey;
                    if (change.Kind != SlotChangeKind.Written || !(warmUp || change.Key.StartsWith(Program.KeyPrefix, StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    if (!store.TryGet(change.Key, value, out int length) || !Utf8Parser.TryParse(value.AsSpan(0, length), out long written, out _))
                    {
                        lines.AppendLine($"{change.Key}  (value unreadable)");
                        continue;
                    }

                    double microseconds = Stopwatch.GetElapsedTime(written, received).TotalMicroseconds;
                    string line = $"{change.Key}  epoch {change.Epoch,3}  batch {batches,3}  latency {microseconds,9:F1} us";
                    if (warmUp)
                    {
                        // The warm-up write ran all of this once (JIT, waiter thread): the burst is measured warm.
                        Console.WriteLine(WarmLine);
                        batches = 0; // batches are counted from the burst on
                        continue;
                    }

                    if (seen.Add(change.Key))
                    {
                        latencies.Add(microseconds);
                    }

                    lines.AppendLine(line);
                }

                Console.Write(lines);
                lines.Clear();
                if (seen.Count == keyCount)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"stopped waiting after {WatchTimeout.TotalSeconds:F0} s");
        }

        latencies.Sort();
        Console.WriteLine(
            $"{SummaryPrefix}{seen.Count} of {keyCount} changes seen in {batches} batches; " +
            $"latency p50 {Percentile(latencies, 0.50):F1} us, p99 {Percentile(latencies, 0.99):F1} us, max {Percentile(latencies, 1.0):F1} us");
        return seen.Count == keyCount ? 0 : 1;
    }

    /// <summary>Nearest-rank percentile of sorted values (NaN when empty).</summary>
    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];
}
