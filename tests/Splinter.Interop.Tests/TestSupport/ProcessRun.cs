using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop.Tests.Events;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>Runs a program to completion with its output captured (compilers, unshare, TestChild modes).</summary>
public static class ProcessRun
{
    /// <summary>What a finished process said.</summary>
    public readonly record struct Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <inheritdoc/>
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>The dotnet host that runs this test (for TestChild modes).</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs <paramref name="program"/>; fails the test if it does not exit within 120 s.</summary>
    public static Result Run(string program, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Run(start, TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// Runs a prepared start (its output redirected; its input, when redirected, closed at once); fails the test if it
    /// does not exit within <paramref name="timeout"/>.
    /// </summary>
    public static Result Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        if (start.RedirectStandardInput)
        {
            process.StandardInput.Close();
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within {timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Kills a child that still runs, with its descendants, and waits (bounded) for it: the Dispose of the tests' child wrappers.</summary>
    public static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Runs a TestChild mode with extra environment variables.</summary>
    public static Result Child(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        string child = ChildProcess.ChildAssemblyPath;
        if (!File.Exists(child))
        {
            Assert.Fail($"TestChild is not built at {child}");
        }

        return Run(DotnetHost, environment, [child, .. arguments]);
    }
}
