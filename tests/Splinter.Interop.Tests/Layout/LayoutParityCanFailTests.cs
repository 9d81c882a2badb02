using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop.Generator;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Layout;

/// <summary>
/// Proves the parity check can fail: a copy of the header with one field moved goes through the generator and clang,
/// and comparing that table with the mirrors of the real header reports exactly the moved field.
/// </summary>
[TestFixture]
[Category("Generator")]
[Category("Layout")]
public sealed class LayoutParityCanFailTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"splinter-layout-can-fail-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void MovingOneFieldIsReportedForExactlyThatField()
    {
        // splinter_header.user_flags (offset 25) moves into the padding after bloom_watches (offset 120):
        // no other field and no struct size changes, so the check must name this one field only.
        string[] lines = File.ReadAllLines(NativeBuildInfo.Header);
        int structStart = Array.FindIndex(lines, l => l.TrimStart().StartsWith("struct splinter_header {", StringComparison.Ordinal));
        int userFlags = structStart < 0 ? -1 : Array.FindIndex(lines, structStart, l => l.Contains(" user_flags;", StringComparison.Ordinal));
        int bloomWatches = structStart < 0 ? -1 : Array.FindIndex(lines, structStart, l => l.Contains(" bloom_watches[", StringComparison.Ordinal));
        if (userFlags < 0 || bloomWatches < 0 || bloomWatches < userFlags)
        {
            Assert.Ignore($"{NativeBuildInfo.Header} does not declare splinter_header.user_flags before bloom_watches as ours does.");
        }
        var moved = lines.ToList();
        string declaration = moved[userFlags];
        moved.Insert(bloomWatches + 1, declaration);
        moved.RemoveAt(userFlags);
        string header = Path.Combine(_directory, "splinter.h");
        File.WriteAllLines(header, moved);

        string output = Path.Combine(_directory, "generated");
        var arguments = new List<string>
        {
            "--config", NativeBuildInfo.GeneratorConfig, "--repo-root", NativeBuildInfo.RepoRoot, "--header", header, "--out", output,
        };
        foreach (string define in NativeBuildInfo.Defines)
        {
            arguments.Add("--define");
            arguments.Add(define);
        }
        var messages = new StringWriter();
        Assert.That(GeneratorCommand.Run(arguments.ToArray(), messages, messages), Is.Zero, messages.ToString());

        string program = Path.Combine(_directory, "layout");
        var compile = new List<string> { "-std=c11", "-DSPLINTER_LAYOUT_MAIN", "-I", _directory, "-I", Path.GetDirectoryName(NativeBuildInfo.ShimHeader)!, "-o", program, Path.Combine(output, "native", "splinter_layout.g.c") };
        compile.AddRange(NativeBuildInfo.Defines.Select(d => "-D" + d));
        Run("clang-19", compile);

        List<string> problems = LayoutParity.Compare(LayoutTable.FromProgram(program));
        Assert.That(problems, Has.Count.EqualTo(1), string.Join("\n", problems));
        Assert.That(problems[0], Does.StartWith("splinter_header.user_flags: C offset 120 size 1, C# offset 25 size 1"));
    }

    private static void Run(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{tool} failed: {error}");
    }
}
