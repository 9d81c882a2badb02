using System;
using System.Diagnostics;
using System.Globalization;

namespace Splinter.Interop.Benchmarks.Latency;

/// <summary>
/// What one <see cref="EventSubscription.ReadChanges"/> costs: a full pass over the slots of a store three quarters
/// full, one slot changed per call. <c>scan-cost [SLOTS...]</c> (default 1,024 and 65,536 slots) prints one line per
/// size: the mean time of 200 calls.
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
                $"ReadChanges over {slots} slots ({occupied} occupied, 1 changed): {total * 1e6 / Stopwatch.Frequency / Rounds:F1} us per call"));
            return true;
        }
        finally
        {
            SplinterStore.Delete(name);
        }
    }
}
