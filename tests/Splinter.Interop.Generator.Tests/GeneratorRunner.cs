using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace Splinter.Interop.Generator.Tests;

/// <summary>Runs the generator in-process and external tools for the tests.</summary>
internal static class GeneratorRunner
{
    private static readonly Lazy<string> s_repoRoot = new(() =>
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "generator", "splinter.generator.json")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("repository root (with generator/splinter.generator.json) not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>Source folder of the golden inputs and outputs (golden files are updated in place).</summary>
    public static string TestData => Path.Combine(RepoRoot, "tests", "Splinter.Interop.Generator.Tests", "TestData");

    /// <summary>A fresh temporary folder.</summary>
    public static string NewTemporaryDirectory(string purpose)
    {
        string path = Path.Combine(Path.GetTempPath(), $"splinter-generator-{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs the generator; returns exit code and everything it printed.</summary>
    public static (int ExitCode, string Messages) Run(params string[] arguments)
    {
        var messages = new StringWriter();
        int exitCode = GeneratorCommand.Run(arguments, messages, messages);
        return (exitCode, messages.ToString());
    }

    /// <summary>The configuration of the failure tests: no lists.</summary>
    public static string EmptyConfig => Path.Combine(TestData, "empty.generator.json");

    /// <summary>Generates one golden case (TestData/case/case.h with case.generator.json) into a folder, asserting success.</summary>
    public static void GenerateCase(string caseName, string output)
    {
        (int exitCode, string messages) = Run(
            "--config", Path.Combine(TestData, caseName, caseName + ".generator.json"),
            "--repo-root", TestData,
            "--header", Path.Combine(TestData, caseName, caseName + ".h"),
            "--namespace", "Golden." + caseName,
            "--out", output);
        Assert.That(exitCode, Is.Zero, messages);
    }

    /// <summary>Every file below a folder as relative path ('/' separators) to bytes.</summary>
    public static SortedDictionary<string, byte[]> ReadTree(string root) => new(
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(root, path).Replace('\\', '/'), File.ReadAllBytes),
        StringComparer.Ordinal);

    /// <summary>Runs a program; returns exit code and combined output.</summary>
    public static (int ExitCode, string Output) Tool(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
