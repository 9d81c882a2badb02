using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Events;

/// <summary>Unique store names for the event tests (pid + counter) and their removal.</summary>
internal static class EventStores
{
    private static int s_counter;

    /// <summary>A store name (shm) or path (persistent, in the temp directory) no other test or process uses.</summary>
    internal static string UniqueName(string purpose, SplinterVariant variant = SplinterVariant.SharedMemory)
    {
        string name = $"splinter-events-{purpose}-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        return variant == SplinterVariant.Persistent ? Path.Combine(Path.GetTempPath(), name) : name;
    }

    /// <summary>Removes the store if it exists; never throws (used in TearDown).</summary>
    internal static void Remove(string? name, SplinterVariant variant = SplinterVariant.SharedMemory)
    {
        if (name is null)
        {
            return;
        }

        try
        {
            SplinterStore.Delete(name, variant);
        }
        catch (Exception exception)
        {
            TestContext.Out.WriteLine($"could not remove store {name}: {exception.Message}");
        }
    }

    /// <summary>
    /// Open descriptors, not counting files of the .NET runtime directory: the runtime keeps a descriptor for every
    /// assembly it loads, and it loads some lazily in the middle of a test (seen: System.Security.Cryptography.dll,
    /// twice, during the 200 cross-process subscriptions). Those are not ours to leak. Nor are the memory files of
    /// libsplinter's private copies (one per store open at the peak, kept for the process's life like loaded code).
    /// </summary>
    internal static int OpenDescriptorCount() =>
        OpenDescriptors().Count(descriptor => descriptor.Target is null
            || !(descriptor.Target.StartsWith(RuntimeDirectory, StringComparison.Ordinal) || IsLibraryCopy(descriptor.Target)));

    /// <summary>A memfd holding a private copy of libsplinter (see Splinter.Interop's LibraryInstance).</summary>
    internal static bool IsLibraryCopy(string target) => target.StartsWith("/memfd:splinter:", StringComparison.Ordinal);

    /// <summary>"fd -> target" for every open descriptor (for failure messages: what appeared or went away).</summary>
    internal static string[] DescriptorTargets() =>
        OpenDescriptors().Select(descriptor => $"{descriptor.Number} -> {descriptor.Target}").Order(StringComparer.Ordinal).ToArray();

    private static readonly string RuntimeDirectory = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();

    /// <summary>Every descriptor listed in /proc/self/fd with what it points to; one closed while we look is skipped.</summary>
    private static IEnumerable<(string Number, string? Target)> OpenDescriptors()
    {
        foreach (string path in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while we looked
            }

            yield return (Path.GetFileName(path), target);
        }
    }

    /// <summary>The descriptors only in <paramref name="after"/> (+) and only in <paramref name="before"/> (-).</summary>
    internal static string DescriptorDifference(string[] before, string[] after) =>
        string.Join(", ", after.Except(before).Select(t => "+" + t).Concat(before.Except(after).Select(t => "-" + t)));

    /// <summary>
    /// The descriptor count after finalizers ran, so descriptors that earlier tests left to the
    /// garbage collector (child-process pipes, for example) do not close in the middle of a count,
    /// and once two readings 50 ms apart agree (for at most two seconds): waiter threads of subscriptions
    /// disposed just before close their descriptors as they exit.
    /// </summary>
    internal static int SettledDescriptorCount()
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        int previous = -1;
        while (true)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            int count = OpenDescriptorCount();
            if (count == previous || deadline.Elapsed > TimeSpan.FromSeconds(2))
            {
                return count;
            }

            previous = count;
            System.Threading.Thread.Sleep(50);
        }
    }

    /// <summary>
    /// The settled descriptor count once it is back at <paramref name="expected"/>, or the last count after two
    /// seconds: waiter threads of disposed subscriptions close their own descriptors as they exit, a moment
    /// after Dispose returns. A real leak never comes back down.
    /// </summary>
    internal static int DescriptorCountReturningTo(int expected)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        int count = SettledDescriptorCount();
        while (count != expected && deadline.Elapsed < TimeSpan.FromSeconds(2))
        {
            System.Threading.Thread.Sleep(20);
            count = SettledDescriptorCount();
        }

        return count;
    }
}

/// <summary>A real child process running Splinter.Interop.TestChild; killed on dispose if still running.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ChildProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Path of the TestChild assembly: SPLINTER_TESTCHILD, else the sibling build output of this test assembly.</summary>
    internal static string ChildAssemblyPath
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("SPLINTER_TESTCHILD");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return fromEnvironment;
            }

            // artifacts/bin/<TestProject>/<pivot>/ -> artifacts/bin/Splinter.Interop.TestChild/<pivot>/
            DirectoryInfo output = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string pivot = output.Name;
            string bin = output.Parent?.Parent?.FullName ?? throw new InvalidOperationException("unexpected test output layout");
            return Path.Combine(bin, "Splinter.Interop.TestChild", pivot, "Splinter.Interop.TestChild.dll");
        }
    }

    /// <summary>Starts the child with the given mode arguments.</summary>
    internal static ChildProcess Start(params string[] arguments)
    {
        string child = ChildAssemblyPath;
        if (!File.Exists(child))
        {
            Assert.Fail($"TestChild is not built at {child} (build tests/Splinter.Interop.TestChild or set SPLINTER_TESTCHILD).");
        }

        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : "dotnet";
        return StartProgram(host, [child, .. arguments]);
    }

    /// <summary>Starts any program (a C writer, for example) with stdout and stderr redirected.</summary>
    internal static ChildProcess StartProgram(string program, params string[] arguments)
    {
        ProcessStartInfo start = new(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        return new ChildProcess(process);
    }

    /// <summary>Process id of the child.</summary>
    internal int Id => _process.Id;

    /// <summary>Reads one stdout line, failing the test if none comes within <paramref name="timeout"/>.</summary>
    internal string ReadLine(TimeSpan timeout)
    {
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(timeout))
        {
            Assert.Fail($"child {Id} wrote no line within {timeout.TotalSeconds} s; stderr: {StandardErrorSoFar()}");
        }

        return line.Result ?? throw new AssertionException($"child {Id} closed stdout; stderr: {StandardErrorSoFar()}");
    }

    /// <summary>Waits for the "ready" line.</summary>
    internal void WaitReady()
    {
        string line = ReadLine(TimeSpan.FromSeconds(20));
        Assert.That(line, Is.EqualTo("ready"), $"child {Id} did not get ready");
    }

    /// <summary>Waits for exit (failing after <paramref name="timeout"/>) and returns the remaining stdout lines.</summary>
    internal List<string> Finish(TimeSpan timeout)
    {
        Task<string> rest = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(timeout))
        {
            Assert.Fail($"child {Id} did not exit within {timeout.TotalSeconds} s; stderr: {StandardErrorSoFar()}");
        }

        _process.WaitForExit();
        string stdout = rest.Result;
        Assert.That(_process.ExitCode, Is.Zero, $"child {Id} failed; stderr: {_stderr.Result}");
        return new List<string>(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Parses "seen KEY EPOCH" lines into a map.</summary>
    internal static Dictionary<string, ulong> SeenEpochs(IEnumerable<string> lines)
    {
        Dictionary<string, ulong> seen = new(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "seen")
            {
                seen[parts[1]] = ulong.Parse(parts[2], CultureInfo.InvariantCulture);
            }
        }

        return seen;
    }

    /// <summary>The value of a "stat NAME VALUE" line, or -1.</summary>
    internal static long Stat(IEnumerable<string> lines, string name)
    {
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "stat" && parts[1] == name)
            {
                return long.Parse(parts[2], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    public void Dispose()
    {
        ProcessRun.KillIfRunning(_process);

        _process.Dispose();
    }

    private string StandardErrorSoFar() => _stderr.IsCompleted ? _stderr.Result : "(still running)";
}
