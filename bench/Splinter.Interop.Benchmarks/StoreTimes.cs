using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Mode "store-times [ROUNDS]": the SplinterStore loops of the BenchmarkDotNet suite (<see cref="StoreOps"/>) timed in
/// this one process, interleaved: each round runs every loop once (2,000,000 ops each, after three warm runs of each),
/// and the median round of each loop is printed in ns/op. BenchmarkDotNet gives one process per benchmark; running
/// this mode in several processes one after another shows how far the same build moves from one process to the next:
/// <c>for i in 1 2 3 4 5 6 7 8; do dotnet Splinter.Interop.Benchmarks.dll store-times; done</c>.
/// </summary>
/// <remarks>
/// The timed code is the JIT's final tier, as in BenchmarkDotNet's runs: each loop is first called
/// <see cref="CallsPerStep"/> times with few ops in each of <see cref="TierUpSteps"/> steps, with a pause after each
/// for the background compilation. Without that the loops ran as on-stack-replacement code (a loop called eight times
/// never reaches the final tier), whose inlining decisions differ: TryGet(string) took 13.4 ns in one build and
/// 16.6 ns in another that differed only in a cold path that one OSR compilation had inlined into the loop.
/// </remarks>
internal static class StoreTimes
{
    private const long Ops = 2_000_000;

    /// <summary>Rounds of <see cref="CallsPerStep"/> calls of each loop, each followed by a pause, before the timing starts.</summary>
    private const int TierUpSteps = 4;

    /// <summary>Calls of each loop per step: more than the 30 after which the runtime promotes a method a tier.</summary>
    private const int CallsPerStep = 40;

    public static int Run(int rounds)
    {
        using ManagedStore managed = new("store_times");
        (string Name, Func<long, long> Loop)[] loops = managed.Loops();

        long sink = 0;
        double[][] times = new double[loops.Length][];
        // Tier 0, then instrumented code, then the final tier: each step counts 30 calls, begins once the JIT has been
        // quiet for 100 ms (TC_CallCountingDelayMs) and compiles in the background.
        for (int step = 0; step < TierUpSteps; step++)
        {
            for (int call = 0; call < CallsPerStep; call++)
            {
                foreach ((_, Func<long, long> loop) in loops)
                {
                    sink += loop(1_000);
                }
            }

            Thread.Sleep(500);
        }

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
