using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Splinter.Interop.Benchmarks.Contention;
using Splinter.Interop.Benchmarks.Latency;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// One round of <see cref="OpRounds"/>: ns per operation of the C timing program (by native op: set, get, ...) and of
/// this app's store-times mode (by loop: set_key, set_string, ...), each measured in a fresh process.
/// </summary>
internal sealed record OpRound(Dictionary<string, double> C, Dictionary<string, double> CSharp);

/// <summary>
/// The SplinterStore rows again, as rounds of fresh processes. The BenchmarkDotNet figure of a row comes from one
/// process, and the same build moves from one process to the next (set with a string key: 27 and 32 ns in two full runs
/// of one build, 24-26 ns in four filtered ones). Here each round starts the C timing program (bench/native/run.sh
/// --no-callgrind, median of 5 runs per op) and this app's store-times mode (the final JIT tier, median of 3 rounds per
/// loop), the two alternately first, and the table gives medians over rounds and the median of the rounds' ratios, as
/// the latency rows do.
/// </summary>
internal static class OpRounds
{
    public static List<OpRound> Run(string nativeScript, int rounds, bool quick)
    {
        List<OpRound> results = [];
        for (int round = 0; round < rounds; round++)
        {
            Dictionary<string, double> c, managed;
            try
            {
                if (round % 2 == 0)
                {
                    c = RunC(nativeScript);
                    managed = RunManaged(quick);
                }
                else
                {
                    managed = RunManaged(quick);
                    c = RunC(nativeScript);
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The rows measured before this step are worth more than these rounds: report the rounds that ran.
                Console.Error.WriteLine($"op round {round + 1}/{rounds} failed, no further rounds: {exception.Message}");
                break;
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"op round {round + 1}/{rounds}: C {string.Join(", ", c.Select(p => $"{p.Key} {p.Value:F1}"))}; C# {string.Join(", ", managed.Select(p => $"{p.Key} {p.Value:F1}"))} (ns/op)"));
            results.Add(new OpRound(c, managed));
        }

        return results;
    }

    /// <summary>The median over rounds of C#/C within a round, for a store-times loop and the native op it compares with.</summary>
    public static double? MedianRatio(IReadOnlyList<OpRound> rounds, string loop, string nativeOp) =>
        Stats.Median(rounds
            .Where(r => r.CSharp.ContainsKey(loop) && r.C.TryGetValue(nativeOp, out double c) && c > 0)
            .Select(r => r.CSharp[loop] / r.C[nativeOp]));

    public static double? Median(IEnumerable<Dictionary<string, double>> rounds, string name) => Stats.Median(Values(rounds, name));

    /// <summary>One op's (C) or loop's (C#) ns in each round that measured it.</summary>
    public static IEnumerable<double> Values(IEnumerable<Dictionary<string, double>> rounds, string name) =>
        rounds.Where(r => r.ContainsKey(name)).Select(r => r[name]);

    /// <summary>
    /// The C program's full operation count also in a --quick run (about a second per round): with a tenth of it each
    /// timed run lasts a few milliseconds, and in the first --quick op rounds C's set measured 27-30 ns, against 19-21
    /// with the full count in the next (run by hand, the --quick count gave 19-24 ns; 2026-12-06).
    /// </summary>
    private static Dictionary<string, double> RunC(string script) =>
        Program.RerunNative(script, quick: false, quiet: true).ToDictionary(p => p.Key, p => p.Value.Ns, StringComparer.Ordinal);

    private static Dictionary<string, double> RunManaged(bool quick)
    {
        using Process process = LatencyDriver.StartSelf(quick ? "store-times 1" : "store-times 3");
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"store-times failed with exit code {process.ExitCode}: {errors}");
        }

        Dictionary<string, double> times = new(StringComparer.Ordinal);
        foreach (string line in output.Split('\n'))
        {
            // "set_key              15.62 ns/op"
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is [string name, string ns, "ns/op"] && double.TryParse(ns, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                times[name] = value;
            }
        }

        return times;
    }
}
