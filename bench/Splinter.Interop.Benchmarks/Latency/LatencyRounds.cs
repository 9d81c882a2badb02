using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Splinter.Interop.Benchmarks.Contention;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>One latency row: the C# watcher's runs and its C baseline's runs (when it has one), round by round.</summary>
internal sealed record LatencyRow(string Name, string Mode, string? BaselineMode, int SpacingMicroseconds)
{
    public List<LatencyResult> Managed { get; } = [];

    public List<LatencyResult> Native { get; } = [];

    public double PooledManaged(double fraction) => Percentile(Managed, fraction);

    public double PooledNative(double fraction) => Percentile(Native, fraction);

    /// <summary>Median over rounds of (C# figure / C figure of the same round).</summary>
    public double? MedianRatio(Func<LatencyResult, double> figure) =>
        Stats.Median(Managed.Zip(Native, (m, n) => figure(n) > 0 ? figure(m) / figure(n) : double.NaN));

    public static double? MedianOf(List<LatencyResult> runs, Func<LatencyResult, double> figure) =>
        Stats.Median(runs.Select(figure));

    private static double Percentile(List<LatencyResult> runs, double fraction)
    {
        long[] all = runs.SelectMany(r => r.SamplesNs).Order().ToArray();
        return all.Length == 0 ? double.NaN : Stats.Percentile(all, fraction) / 1e3;
    }
}

/// <summary>
/// The fair latency method: every row's C# watcher and its C baseline run in the same round, one after the other
/// (the bus watchers in an order that rotates each round, C and C# cancellation alternating which goes first), each
/// run in a fresh process with its own warm-up writes that are not counted. The table gives the pooled percentiles
/// of all rounds and, beside them, the median of the per-round ratios, which a load change between rounds cannot move
/// the way it moves a ratio of two runs made at different times.
/// </summary>
internal static class LatencyRounds
{
    public static (List<LatencyRow> Rows, List<LatencyRow> Idle) Run(bool quick, string? nativeWatcher)
    {
        int rounds = quick ? 3 : 5;
        int writes = quick ? 1_000 : 4_000;
        int warmup = 2_000; // 0.4 s of wake-ups: tiered compilation of the wake path is over before the counting starts (the JIT count each watcher reports says so)
        int steadyPollWrites = quick ? 150 : 500;
        int sparseWrites = quick ? 30 : 100;
        int idleMilliseconds = quick ? 1_000 : 2_000;

        LatencyRow blocking = new("latency blocking (EventSubscription.Wait)", "sync", "c", 200);
        LatencyRow asynchronous = new("latency async (EventSubscription.WaitAsync)", "async", "c", 200);
        LatencyRow feed = new("latency change feed (EventSubscription.WatchAsync)", "watch", "c", 200);
        // Not a C# watcher: the C watcher waiting the way the C# waiter does (epoll_wait, the bus edge-triggered and never
        // read, beside a second descriptor), against the plain C watcher (poll, then read). What it adds over C is the
        // kernel's share of the C# rows' gap; what the C# rows add over it is the managed code's share.
        LatencyRow epoll = new("reference: C watcher waiting as the C# waiter does (epoll_wait, bus edge-triggered; in the C# columns)", "c-epoll", "c", 200);
        // The change feed's own work without its async iterator: WaitAsync, then ReadChanges (the scan and the batch).
        // The feed row's distance from it is what the iterator and its consumer's await add.
        LatencyRow scan = new("reference: WaitAsync, then ReadChanges (the change feed's work without its iterator)", "scan", "c", 200);
        // The change feed's work written in C: the epoll wait above, then a pass over every slot against a memory of
        // them (bench/latency/bus_wake_watch.c --scan). The feed's distance from it is what the managed code adds.
        LatencyRow cScan = new("reference: the C epoll watcher, then a pass over the slots as ReadChanges makes (in the C# columns)", "c-scan", "c", 200);
        LatencyRow cancel = new("cancellation (WaitAsync: Cancel() -> continuation; C: eventfd kick -> poll)", "cancel", "cancel-c", 200);
        LatencyRow polling = new("latency polling mode, writes every 2 ms (WaitAsync, bus never armed)", "poll", null, 2_000);
        LatencyRow sparse = new("latency polling mode, writes every 20 ms (WaitAsync, bus never armed)", "poll", null, 20_000);
        LatencyRow idleBus = new("idle subscription, bus mode (WaitAsync)", "idle-bus", null, 0);
        LatencyRow idlePoll = new("idle subscription, polling mode (WaitAsync)", "idle-poll", null, 0);
        LatencyRow[] bus = [blocking, asynchronous, feed, epoll, scan, cScan];

        for (int round = 0; round < rounds; round++)
        {
            // The bus group: C, the three C# watchers and the three reference watchers, the order rotated by one each round.
            string[] order = ["c", "sync", "async", "watch", "c-epoll", "scan", "c-scan"];
            order = [.. order.Skip(round % order.Length), .. order.Take(round % order.Length)];
            LatencyResult? c = null;
            Dictionary<string, LatencyResult> managed = new(StringComparer.Ordinal);
            foreach (string mode in order)
            {
                LatencyResult result = Measure(mode, writes, warmup, nativeWatcher, 200, round, rounds);
                if (mode == "c")
                {
                    c = result;
                }
                else
                {
                    managed[mode] = result;
                }
            }

            foreach (LatencyRow row in bus)
            {
                row.Managed.Add(managed[row.Mode]);
                row.Native.Add(c!);
            }

            foreach (string mode in round % 2 == 0 ? new[] { "cancel-c", "cancel" } : new[] { "cancel", "cancel-c" })
            {
                LatencyResult result = Measure(mode, writes, warmup, nativeWatcher, 200, round, rounds);
                (mode == "cancel" ? cancel.Managed : cancel.Native).Add(result);
            }

            // Polling rows: writes far enough apart that each is its own wake-up (a write every 200 us would bound the
            // sample by the spacing itself: the latest stamp is never older than 200 us). Every 2 ms the poll stays at
            // its fastest step (1 ms); every 20 ms it has backed off to PollingInterval (5 ms) before each write.
            polling.Managed.Add(Measure("poll", steadyPollWrites, 20, nativeWatcher, 2_000, round, rounds));
            sparse.Managed.Add(Measure("poll", sparseWrites, 20, nativeWatcher, 20_000, round, rounds));
            idleBus.Managed.Add(Measure("idle-bus", idleMilliseconds, 0, nativeWatcher, 0, round, rounds));
            idlePoll.Managed.Add(Measure("idle-poll", idleMilliseconds, 0, nativeWatcher, 0, round, rounds));
        }

        return ([blocking, asynchronous, feed, epoll, scan, cScan, cancel, polling, sparse], [idleBus, idlePoll]);
    }

    private static LatencyResult Measure(string mode, int writes, int warmup, string? nativeWatcher, int spacing, int round, int rounds)
    {
        LatencyResult result = LatencyDriver.Run(mode, writes, warmup, nativeWatcher, spacing);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency round {round + 1}/{rounds}: {mode}{(spacing is 0 or 200 ? "" : $" every {spacing} us")}: p50 {result.P50Us:F1} us, p99 {result.P99Us:F1} us, " +
            $"{result.Samples} samples ({result.CoalescedWrites} writes coalesced), CPU {result.CpuMsPer1000:F2} ms per 1000 {(mode.StartsWith("idle", StringComparison.Ordinal) ? "idle ms" : "wakes")}, {result.AllocBytesPerWait:F1} B per wait, " +
            $"{result.JitMethodsMeasured} methods JIT-compiled while counting, {result.Gen0Collections} gen-0 collections, {result.MinorFaultsPer1000:F1} minor page faults per 1000"));
        return result;
    }
}
