using System;
using System.Diagnostics;
using System.Globalization;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Mode "store-times [ROUNDS]": the SplinterStore loops of the BenchmarkDotNet suite (<see cref="StoreOps"/>) timed in
/// this one process, interleaved: each round runs every loop once (2,000,000 ops each, after three warm runs of each),
/// and the median round of each loop is printed in ns/op. BenchmarkDotNet gives one process per benchmark; running
/// this mode in several processes one after another shows how far the same build moves from one process to the next:
/// <c>for i in 1 2 3 4 5 6 7 8; do dotnet Splinter.Interop.Benchmarks.dll store-times; done</c>.
/// </summary>
internal static class StoreTimes
{
    private const long Ops = 2_000_000;

    public static int Run(int rounds)
    {
        using ManagedStore managed = new("store_times");
        (string Name, Func<long, long> Loop)[] loops = managed.Loops();

        long sink = 0;
        double[][] times = new double[loops.Length][];
        for (int k = 0; k < loops.Length; k++)
        {
            times[k] = new double[rounds];
            for (int warm = 0; warm < 3; warm++)
            {
                sink += loops[k].Loop(Ops);
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < loops.Length; k++)
            {
                long started = Stopwatch.GetTimestamp();
                sink += loops[k].Loop(Ops);
                times[k][round] = Stopwatch.GetElapsedTime(started).TotalNanoseconds / Ops;
            }
        }

        for (int k = 0; k < loops.Length; k++)
        {
            Array.Sort(times[k]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{loops[k].Name,-18} {times[k][rounds / 2],7:F2} ns/op"));
        }

        GC.KeepAlive(sink);
        return 0;
    }
}
