using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop;

// Splinter.Interop runs on Linux only and says so; an application that calls it says the same (or checks
// OperatingSystem.IsLinux() first), else the platform analyzer warns at every call.
[assembly: SupportedOSPlatform("linux")]

namespace Splinter.Interop.Consumer;

/// <summary>
/// Consumer check: opens a store that a separate C program created and wrote, reads it back, and
/// sees the change the C program makes afterwards through the event bus the C program armed.
/// Prints one "PASS name: detail" or "FAIL name: detail" line per check; exit code 0 only if all pass.
/// Arguments: the store name, the C writer, the path libsplinter.so must be loaded from (which depends on how the
/// application was built: runtimes/&lt;rid&gt;/native/ beside a portable build, the application folder in a publish for
/// one runtime identifier), and optionally the flavour of the C writer's store (default or embeddings, whose library
/// is libsplinter_embeddings.so in the same folder).
/// </summary>
internal static class Program
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private static int s_failed;
    private static bool s_embeddings;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length is not (3 or 4) || (args.Length == 4 && args[3] is not ("default" or "embeddings")))
        {
            Console.Error.WriteLine("usage: Splinter.Interop.Consumer STORE C_WRITER EXPECTED_LIBSPLINTER_PATH [default|embeddings]");
            return 2;
        }

        s_embeddings = args.Length == 4 && args[3] == "embeddings";

        string storeName = args[0];
        using Process writer = StartWriter(args[1], storeName);
        try
        {
            await RunChecksAsync(storeName, writer, args[2]).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Report(false, "unexpected", exception.ToString());
        }
        finally
        {
            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
                writer.WaitForExit();
            }

            // The C program does not remove the store: whoever runs the check cleans up.
            bool removed = SplinterStore.Delete(storeName);
            Report(removed && !SplinterStore.Exists(storeName), "cleanup", removed ? "store removed" : "the store was already gone");
        }

        return s_failed == 0 ? 0 : 1;
    }

    private static async Task RunChecksAsync(string storeName, Process writer, string expectedLibrary)
    {
        // "ready KEYS": the C program created the store, wrote KEYS values plus "greeting" and armed the bus.
        string? ready = await ReadLineAsync(writer, ReplyTimeout).ConfigureAwait(false);
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            Report(false, "c-writer", $"expected 'ready N' within {ReplyTimeout.TotalSeconds:F0} s, got '{ready}'");
            return;
        }

        int keyCount = int.Parse(ready.AsSpan(6), CultureInfo.InvariantCulture);

        using SplinterStore store = SplinterStore.Open(storeName);
        string libraryFile = s_embeddings ? "libsplinter_embeddings.so" : "libsplinter.so";
        string expectedPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(expectedLibrary))!, libraryFile);
        Report(
            store.LibraryPath == expectedPath && LibraryCopyIsMapped(),
            "library",
            $"the store's library copy was loaded from {store.LibraryPath} ({(s_embeddings ? "embeddings" : "default")} flavour; " +
            $"{RuntimeInformation.ProcessArchitecture}, runtime {RuntimeInformation.RuntimeIdentifier})");

        int matching = 0;
        for (int i = 0; i < keyCount; i++)
        {
            string expected = string.Create(CultureInfo.InvariantCulture, $"value {i} written by C pid {writer.Id}");
            if (store.GetString(string.Create(CultureInfo.InvariantCulture, $"c.key.{i:D2}")) == expected)
            {
                matching++;
            }
        }

        Report(keyCount > 0 && matching == keyCount, "read", $"{matching} of {keyCount} values written by C read back ({store.SlotCount} slots x {store.MaxValueSize} bytes)");

        string? greeting = store.GetString("greeting");
        Report(greeting == "hello from C", "greeting", $"'{greeting}'");

        Report(store.Events.IsArmed && store.Events.OwnerProcessId == writer.Id, "bus-owner", $"owner pid {store.Events.OwnerProcessId}, C program pid {writer.Id}");

        using EventSubscription subscription = store.Events.Subscribe();
        using CancellationTokenSource timeout = new(ChangeTimeout);
        Stopwatch clock = Stopwatch.StartNew();
        writer.StandardInput.WriteLine("change");
        writer.StandardInput.Flush();

        bool seen = false;
        try
        {
            await foreach (ChangeBatch batch in subscription.WatchAsync(timeout.Token).ConfigureAwait(false))
            {
                foreach (SlotChange change in batch)
                {
                    seen |= change.Key == "greeting" && change.Kind == SlotChangeKind.Written;
                }

                if (seen)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Not seen within the bound: reported below.
        }

        string? changed = store.GetString("greeting");
        Report(
            seen && changed == "changed by C",
            "change",
            seen ? $"saw 'greeting' -> '{changed}' through the event bus after {clock.Elapsed.TotalMilliseconds:F1} ms" : $"no change of 'greeting' within {ChangeTimeout.TotalSeconds:F0} s (value now '{changed}')");

        string? answer = await ReadLineAsync(writer, ReplyTimeout).ConfigureAwait(false);
        writer.StandardInput.WriteLine("exit");
        writer.StandardInput.Flush();
        bool exited = writer.WaitForExit(ReplyTimeout);
        Report(answer == "changed" && exited && writer.ExitCode == 0, "c-writer", exited ? $"answered '{answer}', exit code {writer.ExitCode}" : $"did not exit within {ReplyTimeout.TotalSeconds:F0} s");
    }

    /// <summary>The C program's next output line, or null if it sends none within the timeout.</summary>
    private static async Task<string?> ReadLineAsync(Process writer, TimeSpan timeout)
    {
        using CancellationTokenSource cancel = new(timeout);
        try
        {
            return await writer.StandardOutput.ReadLineAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static Process StartWriter(string path, string storeName)
    {
        ProcessStartInfo start = new(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(storeName);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
    }

    /// <summary>True when /proc/self/maps shows a private copy of libsplinter (a memfd) mapped in this process.</summary>
    private static bool LibraryCopyIsMapped()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            if (line.Contains("/memfd:splinter:", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void Report(bool passed, string name, string detail)
    {
        if (!passed)
        {
            s_failed++;
        }

        Console.WriteLine($"{(passed ? "PASS" : "FAIL")} {name}: {detail}");
    }
}
