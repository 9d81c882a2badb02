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
        SplinterStore store = managed.Store;
        (string Name, Func<long> Loop)[] loops =
        [
            ("set_key", () => StoreOps.SetKey(store, managed.Keys, managed.Value, Ops)),
            ("set_string", () => StoreOps.SetString(store, managed.Strings, managed.Value, Ops)),
            ("tryget_key", () => StoreOps.TryGetKey(store, managed.Keys, managed.Buffer, Ops)),
            ("tryget_string", () => StoreOps.TryGetString(store, managed.Strings, managed.Buffer, Ops)),
            ("get_epoch_key", () => StoreOps.GetEpochKey(store, managed.Keys, Ops)),
            ("get_epoch_string", () => StoreOps.GetEpochString(store, managed.Strings, Ops)),
            ("tryread_key", () => StoreOps.TryReadKey(store, managed.Keys, Ops)),
            ("tryread_string", () => StoreOps.TryReadString(store, managed.Strings, Ops)),
        ];

        long sink = 0;
        double[][] times = new double[loops.Length][];
        for (int k = 0; k < loops.Length; k++)
        {
            times[k] = new double[rounds];
            for (int warm = 0; warm < 3; warm++)
            {
                sink += loops[k].Loop();
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < loops.Length; k++)
            {
                long started = Stopwatch.GetTimestamp();
                sink += loops[k].Loop();
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
