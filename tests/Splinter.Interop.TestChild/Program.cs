using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Splinter.Interop.TestChild;

/// <summary>
/// Child process for the cross-process tests. Each mode prints
/// "ready" once it is attached, then its results as lines ("seen KEY EPOCH", "stat NAME VALUE"),
/// and exits 0; any failure goes to stderr with a non-zero exit code.
/// </summary>
internal static class Program
{
    /// <summary>The key the writer sets last; watchers stop after it once the bus goes quiet.</summary>
    internal const string DoneKey = "done";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            return Usage();
        }

        try
        {
            switch (args[0])
            {
                case "watch-sync" when args.Length == 2:
                    return WatchSync(args[1]);
                case "watch-async" when args.Length == 2:
                    return await WatchAsync(args[1]).ConfigureAwait(false);
                case "drain" when args.Length == 2:
                    return Drainer.Run(args[1]);
                case "arm" when args.Length == 2:
                    return Arm(args[1]);
                case "write" when args.Length == 4:
                    return Write(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3] == "signal");
                case "library-api" when args.Length == 2:
                    return StoreChild.LibraryApi(Enum.Parse<SplinterVariant>(args[1]));
                case "store-bare-dlopen" when args.Length == 2:
                    return StoreChild.BareDlopen(args[1]);
                case "store-loaded-objects" when args.Length == 2:
                    return StoreChild.LoadedObjects(args[1]);
                case "store-create" when args.Length == 5:
                    return StoreChild.Create(args[1], Enum.Parse<SplinterVariant>(args[2]), uint.Parse(args[3], CultureInfo.InvariantCulture), uint.Parse(args[4], CultureInfo.InvariantCulture));
                case string mode when mode.StartsWith("rel-", StringComparison.Ordinal):
                    return ReliabilityChild.TryRun(args) ?? Usage();
                case string mode when mode.StartsWith("unpriv-", StringComparison.Ordinal):
                    return UnprivilegedChild.TryRun(args) ?? Usage();
                default:
                    return Usage();
            }
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine(exception);
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine(
            "usage: Splinter.Interop.TestChild watch-sync STORE | watch-async STORE | drain STORE | arm STORE | write STORE COUNT signal|quiet\n" +
            "       | store-create STORE VARIANT SLOTS MAX_VALUE_SIZE | store-bare-dlopen STORE | store-loaded-objects STORE\n" +
            "       | library-api VARIANT");
        return 2;
    }

    /// <summary>Blocking watcher: wakes only through Wait, never rescans on its own.</summary>
    private static int WatchSync(string storeName)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        using EventSubscription subscription = store.Events.Subscribe();
        Dictionary<string, ulong> seen = new(StringComparer.Ordinal);
        Ready();

        bool done = false;
        long wakes = 0;
        while (true)
        {
            // Before "done": a generous bound that only a lost wake-up would reach.
            // After it: stop once the bus stays quiet (later edges are still drained first).
            if (!subscription.Wait(done ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(20)))
            {
                if (done)
                {
                    break;
                }

                Console.Error.WriteLine("watch-sync: no wake-up for 20 s before the writer's last key");
                return 3;
            }

            wakes++;
            done |= Record(subscription.ReadChanges(), seen);
        }

        Report(seen, wakes);
        return 0;
    }

    /// <summary>Async watcher: the change feed with its periodic rescan turned off, so only wake-ups drive it.</summary>
    private static async Task<int> WatchAsync(string storeName)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        using EventSubscription subscription = store.Events.Subscribe();
        subscription.RescanInterval = Timeout.InfiniteTimeSpan;
        Dictionary<string, ulong> seen = new(StringComparer.Ordinal);
        using CancellationTokenSource quiet = new();
        quiet.CancelAfter(TimeSpan.FromSeconds(20));
        Ready();

        bool done = false;
        long batches = 0;
        try
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(quiet.Token).ConfigureAwait(false))
            {
                batches++;
                done |= Record(batch, seen);
                quiet.CancelAfter(done ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(20));
            }
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            if (!done)
            {
                Console.Error.WriteLine("watch-async: no change batch for 20 s before the writer's last key");
                return 3;
            }
        }

        Report(seen, batches);
        return 0;
    }

    /// <summary>Arms the bus and exits, leaving the store naming an owner that is gone.</summary>
    private static int Arm(string storeName)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        store.Events.Arm();
        Console.WriteLine($"stat owner {Environment.ProcessId}");
        return 0;
    }

    /// <summary>A non-owner writer: COUNT sets of distinct keys, with or without signalling the bus itself.</summary>
    private static int Write(string storeName, int count, bool signal)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        store.Events.SignalLocalWrites = signal;
        Ready();
        Span<byte> value = stackalloc byte[8];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(value, (long)i);
            string key = "nonowner." + i.ToString(CultureInfo.InvariantCulture);
            store.Set(key, value);
            Console.WriteLine($"seen {key} {store.GetEpoch(key)}");
        }

        return 0;
    }

    private static bool Record(ChangeBatch batch, Dictionary<string, ulong> seen)
    {
        bool done = false;
        foreach (SlotChange change in batch)
        {
            if (change.Kind != SlotChangeKind.Written)
            {
                continue;
            }

            if (!seen.TryGetValue(change.Key, out ulong previous) || change.Epoch > previous)
            {
                seen[change.Key] = change.Epoch;
            }

            done |= change.Key == DoneKey;
        }

        return done;
    }

    private static void Report(Dictionary<string, ulong> seen, long wakes)
    {
        foreach (KeyValuePair<string, ulong> entry in seen)
        {
            Console.WriteLine($"seen {entry.Key} {entry.Value}");
        }

        Console.WriteLine($"stat wakes {wakes}");
        Console.Out.Flush();
    }

    internal static void Ready()
    {
        Console.WriteLine("ready");
        Console.Out.Flush();
    }
}
