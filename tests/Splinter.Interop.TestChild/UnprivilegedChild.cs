using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Splinter.Interop.TestChild;

/// <summary>
/// Child-process modes of the unprivileged-user tests (tests/Splinter.Interop.Tests/Security/UnprivilegedUserTests.cs),
/// which start them under throwaway uids. Same conventions as <see cref="Program"/>: "ready" once attached, results
/// as lines, exit 0; failures on stderr with a non-zero exit code. An expected refusal is a result, not a failure:
/// it is printed as a line and the mode still exits 0.
/// </summary>
internal static class UnprivilegedChild
{
    /// <summary>Key the owner writes last; the watcher stops once it has seen it.</summary>
    private const string DoneKey = "unpriv.done";

    /// <summary>Runs an unprivileged mode; null when <paramref name="args"/> names none (Program handles it).</summary>
    internal static int? TryRun(string[] args)
    {
        if (args.Length == 0 || !args[0].StartsWith("unpriv-", StringComparison.Ordinal))
        {
            return null;
        }

        switch (args[0])
        {
            case "unpriv-whoami" when args.Length == 1:
                return WhoAmI();
            case "unpriv-open" when args.Length == 5:
                return TryOpen(args[1], Enum.Parse<SplinterVariant>(args[2]), args[3], args[4]);
            case "unpriv-own" when args.Length == 5:
                return Own(args[1], Enum.Parse<SplinterVariant>(args[2]), int.Parse(args[3], CultureInfo.InvariantCulture), args[4] == "private");
            case "unpriv-watch" when args.Length == 3:
                return Watch(args[1], Enum.Parse<SplinterVariant>(args[2]), requireBus: true, DoneKey);
            case "unpriv-watch" when args.Length == 5:
                return Watch(args[1], Enum.Parse<SplinterVariant>(args[2]), args[3] == "require", args[4]);
            default:
                Console.Error.WriteLine(
                    "usage: unpriv-whoami | unpriv-open STORE VARIANT PATH CONTROL_STORE | unpriv-own STORE VARIANT COUNT private|shared\n" +
                    "       | unpriv-watch STORE VARIANT [require|auto DONE_KEY]");
                return 2;
        }
    }

    /// <summary>
    /// The one place the unpriv-watch mode subscribes. Requiring the bus, the same-user test proves pidfd_getfd works
    /// without root and the different-user test sees EPERM; without it ("auto"), a refused bus means polling.
    /// </summary>
    private static EventSubscription Subscribe(SplinterStore store, bool requireBus) =>
        store.Events.Subscribe(new SubscriptionOptions { RequireBus = requireBus });

    /// <summary>Prints the credentials this process runs with ("status Uid: ...", Gid, Groups, CapEff), as the kernel sees them.</summary>
    private static int WhoAmI()
    {
        string[] wanted = ["Uid:", "Gid:", "Groups:", "CapEff:", "CapPrm:"];
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (wanted.Any(field => line.StartsWith(field, StringComparison.Ordinal)))
            {
                Console.WriteLine("status " + line.Replace('\t', ' '));
            }
        }

        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// Tries everything another user might do to a private store and prints one "attempt NAME ..." line per try:
    /// SplinterStore.Open, SplinterStore.OpenOrCreate, a plain read-only open of its file; then, as a control that
    /// this process can reach the folder and map stores at all, opens a store its owner made world-writable.
    /// </summary>
    private static int TryOpen(string storeName, SplinterVariant variant, string path, string controlStore)
    {
        SplinterStoreOptions options = new() { Variant = variant };
        Attempt("open", () =>
        {
            using SplinterStore store = SplinterStore.Open(storeName, options);
            return $"slots {store.SlotCount}";
        });
        Attempt("open-or-create", () =>
        {
            using SplinterStore store = SplinterStore.OpenOrCreate(storeName, 4, 32, options);
            return $"slots {store.SlotCount}";
        });
        Attempt("read", () =>
        {
            using FileStream file = new(path, FileMode.Open, FileAccess.Read);
            byte[] header = new byte[64];
            return $"bytes {file.Read(header)}";
        });
        Attempt("control-open", () =>
        {
            using SplinterStore store = SplinterStore.Open(controlStore, options);
            return "value " + (store.GetString("control") ?? "(missing)");
        });
        Console.Out.Flush();
        return 0;
    }

    /// <summary>"attempt NAME succeeded DETAIL" or "attempt NAME refused TYPE ERRNO MESSAGE" (ERRNO: a SplinterException's, else -1).</summary>
    private static void Attempt(string name, Func<string> action)
    {
        try
        {
            Console.WriteLine($"attempt {name} succeeded {action()}");
        }
        catch (Exception exception) when (exception is SplinterException or IOException or UnauthorizedAccessException)
        {
            int errno = exception is SplinterException splinter ? splinter.Errno : -1;
            Console.WriteLine($"attempt {name} refused {exception.GetType().FullName} {errno} {exception.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>
    /// The bus owner: creates the store, arms the bus, says "ready", then obeys stdin: "write" sets COUNT keys and then
    /// the done key, printing "seen KEY EPOCH" for each and "written" at the end; "exit" (or end of input) ends it.
    /// It stays alive in between, so subscribers can reach its bus.
    /// </summary>
    private static int Own(string storeName, SplinterVariant variant, int count, bool privateStore)
    {
        using SplinterStore store = SplinterStore.Create(storeName, 64, 64, new SplinterStoreOptions { Variant = variant, PrivatePermissions = privateStore });
        store.Events.Arm();
        Console.WriteLine($"stat owner {Environment.ProcessId}");
        Program.Ready();
        byte[] value = new byte[8];
        while (Console.In.ReadLine() is { } command)
        {
            switch (command)
            {
                case "write":
                    for (int i = 0; i <= count; i++)
                    {
                        string key = i < count ? "unpriv." + i.ToString(CultureInfo.InvariantCulture) : DoneKey;
                        BitConverter.TryWriteBytes(value, (long)i);
                        store.Set(key, value);
                        Console.WriteLine($"seen {key} {store.GetEpoch(key)}");
                    }

                    Console.WriteLine("written");
                    Console.Out.Flush();
                    break;
                case "exit":
                    return 0;
                default:
                    Console.Error.WriteLine($"unpriv-own: unknown command '{command}'");
                    return 3;
            }
        }

        return 0;
    }

    /// <summary>
    /// A subscriber in a process that is not a descendant of the owner. Prints "opened SLOTS", then either
    /// "unavailable REASON ERRNO OWNER_PID" and "message TEXT" (the bus was refused; exit 0), or "mode MODE REASON",
    /// "ready" and, once <paramref name="doneKey"/> arrived, "seen KEY EPOCH" for every written key, "stat wakes N" and
    /// "final-mode MODE REASON". In bus mode only bus wake-ups drive it: the periodic global-epoch check is off, so the
    /// descriptor taken from the owner must really work; in polling mode the polling does.
    /// </summary>
    private static int Watch(string storeName, SplinterVariant variant, bool requireBus, string doneKey)
    {
        using SplinterStore store = SplinterStore.Open(storeName, new SplinterStoreOptions { Variant = variant });
        Console.WriteLine($"opened {store.SlotCount}");
        EventSubscription subscription;
        try
        {
            subscription = Subscribe(store, requireBus);
        }
        catch (EventBusUnavailableException exception)
        {
            Console.WriteLine($"unavailable {exception.Reason} {exception.Errno} {exception.OwnerProcessId}");
            Console.WriteLine("message " + exception.Message.ReplaceLineEndings(" "));
            Console.Out.Flush();
            return 0;
        }

        using (subscription)
        {
            subscription.GlobalEpochCheckInterval = System.Threading.Timeout.InfiniteTimeSpan;
            Dictionary<string, ulong> seen = new(StringComparer.Ordinal);
            Console.WriteLine($"mode {subscription.Mode} {subscription.PollingReason?.ReplaceLineEndings(" ")}");
            Program.Ready();
            long wakes = 0;
            bool done = false;
            while (!done)
            {
                // A generous bound that only a lost wake-up (or an owner that never writes) reaches.
                if (!subscription.Wait(TimeSpan.FromSeconds(30)))
                {
                    Console.Error.WriteLine($"unpriv-watch: no wake-up for 30 s; seen so far: {string.Join(", ", seen.Keys)}");
                    return 3;
                }

                wakes++;
                done = Record(subscription.ReadChanges(), seen, doneKey);
            }

            // The pass that found the done key may have passed earlier keys' slots before they were written;
            // they were all written before the done key, so one more pass sees them.
            Record(subscription.ReadChanges(), seen, doneKey);
            foreach (KeyValuePair<string, ulong> entry in seen)
            {
                Console.WriteLine($"seen {entry.Key} {entry.Value}");
            }

            Console.WriteLine($"stat wakes {wakes}");
            Console.WriteLine($"final-mode {subscription.Mode} {subscription.PollingReason?.ReplaceLineEndings(" ")}");
            Console.Out.Flush();
        }

        return 0;
    }

    /// <summary>Keeps the highest epoch written per key; true when the batch holds the done key.</summary>
    private static bool Record(ChangeBatch batch, Dictionary<string, ulong> seen, string doneKey)
    {
        foreach (SlotChange change in batch)
        {
            if (change.Kind == SlotChangeKind.Written && (!seen.TryGetValue(change.Key, out ulong previous) || change.Epoch > previous))
            {
                seen[change.Key] = change.Epoch;
            }
        }

        return seen.ContainsKey(doneKey);
    }
}
