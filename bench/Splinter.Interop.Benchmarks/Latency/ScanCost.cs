using System;
using System.Diagnostics;
using System.Globalization;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// What one <see cref="EventSubscription.ReadChanges"/> costs: a full pass over the slots of a store three quarters
/// full, one slot changed per call. <c>scan-cost [SLOTS...]</c> (default 1,024 and 65,536 slots) prints one line per
/// size: the mean time of 200 calls. Uncounted calls come first, for at least half a second and until the JIT has
/// compiled nothing for 200 ms (at most 10 s): tiered compilation promotes the scan only after a quiet 100 ms, and
/// until then a call runs its first-tier code, 5-10x slower (1,024 slots: 10-19 us against 2.2 us).
/// </summary>
internal static class ScanCost
{
    private const int Rounds = 200;

    public static int Run(string[] sizes)
    {
        uint[] slots = sizes.Length == 0 ? [1_024, 65_536] : Array.ConvertAll(sizes, size => uint.Parse(size, CultureInfo.InvariantCulture));
        foreach (uint count in slots)
        {
            if (!Measure(count))
            {
                return 3;
            }
        }

        return 0;
    }

    private static bool Measure(uint slots)
    {
        string name = Workload.UniqueStoreName("scan");
        try
        {
            using SplinterStore store = SplinterStore.Create(name, slots, 16);
            uint occupied = slots * 3 / 4;
            for (uint i = 0; i < occupied; i++)
            {
                store.Set("k" + i.ToString(CultureInfo.InvariantCulture), "v"u8);
            }

            using EventSubscription subscription = store.Events.Subscribe();
            long total = 0;
            long warmUpStart = Stopwatch.GetTimestamp(), lastCompile = warmUpStart;
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            for (int i = 0; ; i++)
            {
                store.Set("k0", BitConverter.GetBytes(i));
                subscription.ReadChanges();
                long now = Stopwatch.GetTimestamp();
                long count = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (count != compiled)
                {
                    (compiled, lastCompile) = (count, now);
                }

                if ((Stopwatch.GetElapsedTime(warmUpStart, now) >= TimeSpan.FromMilliseconds(500) &&
                     Stopwatch.GetElapsedTime(lastCompile, now) >= TimeSpan.FromMilliseconds(200)) ||
                    Stopwatch.GetElapsedTime(warmUpStart, now) >= TimeSpan.FromSeconds(10))
                {
                    break;
                }
            }

            for (int i = 0; i < Rounds; i++)
            {
                store.Set("k0", BitConverter.GetBytes(i));
                long start = Stopwatch.GetTimestamp();
                int changes = subscription.ReadChanges().Count;
                total += Stopwatch.GetTimestamp() - start;
                if (changes != 1)
                {
                    Console.Error.WriteLine($"scan-cost: expected 1 change, got {changes}");
                    return false;
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ReadChanges over {slots} slots ({occupied} occupied, 1 changed): {total * 1e9 / Stopwatch.Frequency / Rounds:F0} ns per call"));
            return true;
        }
        finally
        {
            SplinterStore.Delete(name);
        }
    }
}
