using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// A child process started by <see cref="UnprivilegedUsers"/>: its stdout is read line by line in the background, so
/// every read has a bound; stdin takes commands; killed on dispose if still running. Failures name the child, its uid,
/// what it printed and its stderr.
/// </summary>
internal sealed class UserChild : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly List<string> _printed = new();
    private readonly Task _pump;
    private readonly Task<string> _stderr;

    private UserChild(Process process, uint uid, string description)
    {
        _process = process;
        Uid = uid;
        Description = description;
        _stderr = process.StandardError.ReadToEndAsync();
        _pump = Task.Run(async () =>
        {
            try
            {
                while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    _lines.Add(line);
                }
            }
            finally
            {
                _lines.CompleteAdding();
            }
        });
    }

    /// <summary>The uid the child runs as.</summary>
    public uint Uid { get; }

    /// <summary>The child's mode and arguments, for messages.</summary>
    public string Description { get; }

    /// <summary>Process id (setpriv executes the child in its own process, so this is the child's pid).</summary>
    public int Id => _process.Id;

    /// <summary>Starts a prepared setpriv command line.</summary>
    public static UserChild Start(ProcessStartInfo start, uint uid, string description)
    {
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {description}");
        return new UserChild(process, uid, description);
    }

    /// <summary>Reads one line, failing the test if none comes within <paramref name="timeout"/> or the child closed its output.</summary>
    public string ReadLine(TimeSpan timeout)
    {
        if (_lines.TryTake(out string? line, timeout))
        {
            _printed.Add(line);
            return line;
        }

        Assert.Fail(_lines.IsCompleted
            ? $"{this} ended its output early; {Diagnostics()}"
            : $"{this} printed no line within {timeout.TotalSeconds} s; {Diagnostics()}");
        throw new UnreachableException();
    }

    /// <summary>Reads lines until one equals <paramref name="last"/>; returns the lines before it.</summary>
    public List<string> ReadUntil(string last, TimeSpan timeout)
    {
        Stopwatch elapsed = Stopwatch.StartNew();
        List<string> before = new();
        while (true)
        {
            TimeSpan left = timeout - elapsed.Elapsed;
            string line = ReadLine(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (line == last)
            {
                return before;
            }

            before.Add(line);
        }
    }

    /// <summary>Sends one command line to the child's stdin.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the child to exit 0 (failing after <paramref name="timeout"/> or on another exit code) and returns the lines not read yet.</summary>
    public List<string> Finish(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Assert.Fail($"{this} did not exit within {timeout.TotalSeconds} s; {Diagnostics()}");
        }

        _process.WaitForExit(); // the output pipes are drained
        _pump.Wait(timeout);
        List<string> rest = new();
        while (_lines.TryTake(out string? line))
        {
            _printed.Add(line);
            rest.Add(line);
        }

        Assert.That(_process.ExitCode, Is.Zero, () => $"{this} failed; {Diagnostics()}");
        return rest;
    }

    /// <summary>Kills the child if it still runs.</summary>
    public void Dispose()
    {
        ProcessRun.KillIfRunning(_process);

        // The pump ends at end of output; the collection is released only after it stopped adding.
        if (((Task)_pump.ContinueWith(_ => { }, TaskScheduler.Default)).Wait(TimeSpan.FromSeconds(5)))
        {
            _lines.Dispose();
        }

        _process.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"child {Id} (uid {Uid}: {Description})";

    private string Diagnostics() =>
        $"printed: [{string.Join(" | ", _printed)}]; stderr: {(_stderr.IsCompleted ? _stderr.Result : "(still running)")}";
}
