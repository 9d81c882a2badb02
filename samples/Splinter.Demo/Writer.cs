using System;
using System.Buffers.Text;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop;

namespace Splinter.Demo;

/// <summary>The parent process: owns the store and the event bus, writes the burst.</summary>
internal static class Writer
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(int keyCount)
    {
        string storeName = $"splinter-demo-{Environment.ProcessId}";
        string? summary;
        int watcherExitCode;
        try
        {
            using SplinterStore store = SplinterStore.Create(storeName, slotCount: 1024, maxValueSize: 64);
            Console.WriteLine($"writer:  created {store}");

            // Writes made in this process now signal the bus; the watcher subscribes to it.
            store.Events.Arm();
            Console.WriteLine($"writer:  armed the event bus (owner pid {store.Events.OwnerProcessId})");

            using Process watcher = StartWatcher(storeName, keyCount);
            try
            {
                summary = await DriveAsync(store, watcher, keyCount).ConfigureAwait(false);
                watcherExitCode = watcher.ExitCode;
            }
            finally
            {
                if (!watcher.HasExited)
                {
                    watcher.Kill();
                    await watcher.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            bool removed = SplinterStore.Delete(storeName);
            Console.WriteLine(removed ? $"writer:  removed the store '{storeName}'" : $"writer:  the store '{storeName}' was already gone");
        }

        Console.WriteLine($"summary: {summary ?? "the watcher printed no summary"}; watcher exit code {watcherExitCode}");
        return watcherExitCode == 0 && summary is not null ? 0 : 1;
    }

    /// <summary>Warm-up, burst, then waits for the watcher; returns the watcher's summary line.</summary>
    private static async Task<string?> DriveAsync(SplinterStore store, Process watcher, int keyCount)
    {
        string? ready = await ReadLineAsync(watcher.StandardOutput, StartTimeout).ConfigureAwait(false);
        if (ready != "ready")
        {
            throw new TimeoutException($"the watcher did not subscribe within {StartTimeout.TotalSeconds:F0} s (it said '{ready}'; stderr: {await watcher.StandardError.ReadToEndAsync().ConfigureAwait(false)})");
        }

        // Keys are converted once up front so the burst itself only formats the timestamp and writes.
        SplinterKey[] keys = new SplinterKey[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = new SplinterKey($"{Program.KeyPrefix}{i:D3}");
        }

        byte[] value = new byte[20];
        WriteTimestamp(store, new SplinterKey(Program.WarmUpKey), value);
        string? warm = await ReadLineAsync(watcher.StandardOutput, StartTimeout).ConfigureAwait(false);
        if (warm != Watcher.WarmLine)
        {
            throw new TimeoutException($"the watcher did not see the warm-up write within {StartTimeout.TotalSeconds:F0} s (it said '{warm}')");
        }

        Console.WriteLine($"writer:  watcher pid {watcher.Id} subscribed and warm; writing {keyCount} keys, one every {Program.WriteInterval.TotalMilliseconds:F0} ms");
        Task<string?> report = ForwardAsync(watcher.StandardOutput);
        Task<string> errors = watcher.StandardError.ReadToEndAsync();

        long burstStart = Stopwatch.GetTimestamp();
        foreach (SplinterKey key in keys)
        {
            WriteTimestamp(store, key, value);
            Thread.Sleep(Program.WriteInterval);
        }

        Console.WriteLine($"writer:  burst written in {Stopwatch.GetElapsedTime(burstStart).TotalMilliseconds:F1} ms");

        using CancellationTokenSource timeout = new(WatchTimeout);
        try
        {
            await watcher.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the watcher did not finish within {WatchTimeout.TotalSeconds:F0} s");
        }

        string? summary = await report.ConfigureAwait(false);
        string stderr = await errors.ConfigureAwait(false);
        if (stderr.Length > 0)
        {
            Console.Error.Write(stderr);
        }

        return summary;
    }

    /// <summary>Sets the key to the write time (Stopwatch ticks: CLOCK_MONOTONIC, comparable across processes).</summary>
    private static void WriteTimestamp(SplinterStore store, SplinterKey key, Span<byte> buffer)
    {
        Utf8Formatter.TryFormat(Stopwatch.GetTimestamp(), buffer, out int length);
        store.Set(key, buffer[..length]);
    }

    private static Process StartWatcher(string storeName, int keyCount)
    {
        // The same program in "watch" mode: its apphost, or the dll through dotnet.
        string processPath = Environment.ProcessPath ?? "dotnet";
        ProcessStartInfo start = new(processPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Splinter.Demo.dll"));
        }

        start.ArgumentList.Add("watch");
        start.ArgumentList.Add(storeName);
        start.ArgumentList.Add(keyCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {processPath}");
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, TimeSpan timeout)
    {
        using CancellationTokenSource cancel = new(timeout);
        try
        {
            return await reader.ReadLineAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Echoes the watcher's lines; returns its "summary:" line, which is printed last.</summary>
    private static async Task<string?> ForwardAsync(StreamReader reader)
    {
        string? summary = null;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is string line)
        {
            if (line.StartsWith(Watcher.SummaryPrefix, StringComparison.Ordinal))
            {
                summary = line[Watcher.SummaryPrefix.Length..];
            }
            else
            {
                Console.WriteLine($"watcher: {line}");
            }
        }

        return summary;
    }
}
