using System;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;
using Splinter.Interop.Native;

namespace Splinter.Interop.TestChild;

/// <summary>
/// Child-process modes of the reliability tests (tests/Splinter.Interop.Tests/Reliability). Same
/// conventions as <see cref="Program"/>: "ready" once attached, results as "stat NAME VALUE" lines,
/// exit 0; failures on stderr with a non-zero exit code. Modes that end by SIGKILL sleep forever.
/// </summary>
internal static class ReliabilityChild
{
    /// <summary>Runs a reliability mode; null when <paramref name="args"/> names none (Program handles it).</summary>
    internal static int? TryRun(string[] args)
    {
        if (args.Length == 0 || !args[0].StartsWith("rel-", StringComparison.Ordinal))
        {
            return null;
        }

        switch (args[0])
        {
            case "rel-echo":
                Program.Ready();
                return 0;
            case "rel-hold-odd" when args.Length == 4:
                return HoldOdd(args[1], Enum.Parse<SplinterVariant>(args[2]), args[3]);
            case "rel-own" when args.Length == 3:
                return Own(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            case "rel-persist-write" when args.Length == 3:
                return PersistWrite(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            case "rel-open" when args.Length == 3:
                return OpenCheck(args[1], Enum.Parse<SplinterVariant>(args[2]));
            case "rel-stress" when args.Length == 5:
                return StressProtocol.RunWorker(
                    args[1],
                    int.Parse(args[2], CultureInfo.InvariantCulture),
                    long.Parse(args[3], CultureInfo.InvariantCulture),
                    int.Parse(args[4], CultureInfo.InvariantCulture));
            default:
                Console.Error.WriteLine(
                    "usage: rel-echo | rel-hold-odd STORE VARIANT KEY | rel-own STORE EXIT_AFTER_MS(-1: never) | rel-persist-write PATH COUNT\n" +
                    "       | rel-open STORE VARIANT | rel-stress STORE WORKER OPS_PER_THREAD THREADS");
                return 2;
        }
    }

    /// <summary>
    /// Plays a writer that dies inside a slot: attaches to the store, then moves the key's slot
    /// epoch from even to odd with a compare-and-swap through its own read-write mapping of the
    /// object (the seqlock acquisition, native/FORMAT.md), reports it and sleeps until SIGKILL.
    /// </summary>
    private static unsafe int HoldOdd(string storeName, SplinterVariant variant, string key)
    {
        using SplinterStore store = SplinterStore.Open(storeName, new SplinterStoreOptions { Variant = variant });
        int slot = store.Slots.IndexOf(key);
        if (slot < 0)
        {
            Console.Error.WriteLine($"rel-hold-odd: no key {key}");
            return 3;
        }

        using var file = MemoryMappedFile.CreateFromFile(store.BackingPath, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        using MemoryMappedViewAccessor view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
        byte* mapping = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapping);
        long epochOffset = sizeof(splinter_header) + ((long)slot * sizeof(splinter_slot)) + 8;
        ref ulong epoch = ref *(ulong*)(mapping + epochOffset);
        while (true)
        {
            ulong seen = Volatile.Read(ref epoch);
            if ((seen & 1) == 0 && Interlocked.CompareExchange(ref epoch, seen + 1, seen) == seen)
            {
                Program.Ready();
                Console.WriteLine($"stat held-slot {slot}");
                Console.WriteLine($"stat held-epoch {seen + 1}");
                Console.Out.Flush();
                break;
            }

            Thread.SpinWait(100);
        }

        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Arms the event bus (becomes its owner), then exits normally after a while, or never (SIGKILL).</summary>
    private static int Own(string storeName, int exitAfterMilliseconds)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        store.Events.Arm();
        Console.WriteLine($"stat owner {Environment.ProcessId}");
        Program.Ready();
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (!store.Contains("owner.go") && waiting.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(1);
        }

        store.Set("owner.wrote", "1"u8);
        Thread.Sleep(exitAfterMilliseconds < 0 ? Timeout.Infinite : exitAfterMilliseconds);
        return 0;
    }

    /// <summary>Writes COUNT keys into a persistent store, says ready and sleeps until SIGKILL (killed between operations).</summary>
    private static int PersistWrite(string path, int count)
    {
        using SplinterStore store = SplinterStore.Open(path, SplinterStoreOptions.Persistent);
        for (int i = 0; i < count; i++)
        {
            store.Set(PersistKey(i), PersistValue(i));
            store.Integers.Increment("p.count");
        }

        Program.Ready();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Key of the i-th write of rel-persist-write (the tests use the same rule).</summary>
    internal static string PersistKey(int i) => "p." + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Value of the i-th write of rel-persist-write.</summary>
    internal static string PersistValue(int i) => $"child value {i} " + new string((char)('a' + (i % 26)), i % 50);

    /// <summary>Opens a store and prints what happened: "opened" or "refused TYPE MESSAGE".</summary>
    private static int OpenCheck(string storeName, SplinterVariant variant)
    {
        try
        {
            using SplinterStore store = SplinterStore.Open(storeName, new SplinterStoreOptions { Variant = variant });
            Console.WriteLine("opened");

            // Every write form through whatever library this process loaded, read back through the mapping.
            store.Set(new SplinterKey("round-trip-key"), "by key"u8);
            store.Set("round-trip-string", "by string"u8);
            store.Set("round-trip-utf8"u8, "by utf8"u8);
            bool same = store.GetString("round-trip-key") == "by key" && store.GetString("round-trip-string") == "by string" &&
                store.GetString("round-trip-utf8") == "by utf8";
            Console.WriteLine(same ? "round trip ok" : "round trip FAILED");
        }
        catch (SplinterException exception)
        {
            Console.WriteLine($"refused {exception.GetType().Name} {exception.Message.ReplaceLineEndings(" ")}");
        }

        Console.WriteLine($"library {SplinterLibrary.GetLoadedSource(variant)}");
        Console.Out.Flush();
        return 0;
    }
}
