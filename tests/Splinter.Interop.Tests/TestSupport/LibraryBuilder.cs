using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Builds libsplinter from this repository's sources into a temporary folder, optionally changed (an edited copy of
/// the header, a function left out of the exports), to have libraries that deliberately do not match the bindings.
/// </summary>
public sealed class LibraryBuilder : IDisposable
{
    /// <summary>Creates a private temporary folder for the builds.</summary>
    public LibraryBuilder() => Folder = Directory.CreateTempSubdirectory($"splinter-libbuild-{Environment.ProcessId}-").FullName;

    /// <summary>Where the builds go.</summary>
    public string Folder { get; }

    /// <summary>The C compiler (clang-19 as the build uses, else cc); the test is ignored without one.</summary>
    public static string Compiler
    {
        get
        {
            foreach (string candidate in (string[])["/usr/bin/clang-19", "/usr/bin/cc", "/usr/bin/gcc"])
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            Assert.Ignore("no C compiler (clang-19, cc or gcc) to build a test library with");
            return string.Empty;
        }
    }

    /// <summary>
    /// Builds lib<paramref name="name"/>.so for <paramref name="variant"/> from a copy of native/src with the header
    /// edited by <paramref name="editHeader"/> and without the exports in <paramref name="hidden"/>. An edited header
    /// also drops the sources' compile-time checks of the struct sizes (the point is a library whose layout differs).
    /// </summary>
    public string Build(string name, SplinterVariant variant, Func<string, string>? editHeader = null, IReadOnlyCollection<string>? hidden = null, bool embeddings = false)
    {
        string repo = NativeBuildInfo.RepoRoot;
        string include = Path.Combine(Folder, name + "-include");
        string sources = Path.Combine(Folder, name + "-src");
        Directory.CreateDirectory(include);
        Directory.CreateDirectory(sources);
        string header = File.ReadAllText(Path.Combine(repo, "native", "include", "splinter.h"));
        File.WriteAllText(Path.Combine(include, "splinter.h"), editHeader is null ? header : editHeader(header));
        foreach (string file in Directory.GetFiles(Path.Combine(repo, "native", "src")))
        {
            string text = File.ReadAllText(file);
            if (editHeader is not null && Path.GetFileName(file) == "internal.h")
            {
                text = string.Join('\n', text.Split('\n').Where(line => !line.StartsWith("_Static_assert(sizeof(struct splinter_", StringComparison.Ordinal)));
            }

            File.WriteAllText(Path.Combine(sources, Path.GetFileName(file)), text);
        }

        var exports = File.ReadAllLines(Path.Combine(repo, "native", "exports.txt")).ToList();
        if (embeddings)
        {
            exports.AddRange(File.ReadAllLines(Path.Combine(repo, "native", "exports-embeddings.txt")));
        }

        string map = Path.Combine(Folder, name + ".map");
        File.WriteAllText(map, "{ global: " + string.Concat(exports.Where(e => e.Length > 0 && !(hidden?.Contains(e) ?? false)).Select(e => e + "; ")) + "local: *; };\n");

        string output = Path.Combine(Folder, "lib" + name + ".so");
        var arguments = new List<string> { "-std=c11", "-O0", "-g0", "-fPIC", "-shared", "-fvisibility=hidden", "-D_GNU_SOURCE", "-w", "-I" + include, "-o", output };
        if (variant == SplinterVariant.Persistent)
        {
            arguments.Add("-DSPLINTER_PERSISTENT");
        }

        if (embeddings)
        {
            arguments.Add("-DSPLINTER_EMBEDDINGS");
        }

        arguments.AddRange(Directory.GetFiles(sources, "*.c").Order(StringComparer.Ordinal));
        arguments.Add("-Wl,--version-script," + map);
        ProcessRun.Result result = ProcessRun.Run(Compiler, null, [.. arguments]);
        Assert.That(result.ExitCode, Is.Zero, $"building {output} failed: {result}");
        return output;
    }

    /// <summary>Removes the folder.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException exception)
        {
            TestContext.Out.WriteLine($"cleanup of {Folder} failed: {exception.Message}");
        }
    }
}
