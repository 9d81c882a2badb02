using System;
using System.Diagnostics;
using System.IO;
using NUnit.Framework;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// A C program from the test output's native/ folder, compiled for one test against the header and the library under
/// test (the variant's libsplinter*.so in runtimes/linux-x64/native), so it writes to stores the way C programs of
/// our users do. The executable lives in a private temporary folder, removed on Dispose.
/// </summary>
public sealed class CProgram : IDisposable
{
    private readonly string _directory;

    private CProgram(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    /// <summary>The executable.</summary>
    public string Path { get; }

    /// <summary>The folder of the executable (and of its library, when built beside it).</summary>
    public string Directory => _directory;

    /// <summary>
    /// Compiles native/<paramref name="name"/>.c against the library of <paramref name="variant"/>; Assert.Ignore when no
    /// C compiler is installed. With <paramref name="besideItsLibrary"/> the library is copied next to the program, which
    /// finds it there ($ORIGIN), so the folder can be moved where another user can run it.
    /// </summary>
    public static CProgram Build(string name, SplinterVariant variant, bool besideItsLibrary = false)
    {
        string compiler = File.Exists("/usr/bin/clang-19") ? "/usr/bin/clang-19" : File.Exists("/usr/bin/cc") ? "/usr/bin/cc" : string.Empty;
        if (compiler.Length == 0)
        {
            Assert.Ignore("no C compiler (clang-19 or cc) to build the C writer with");
        }

        string library = variant == SplinterVariant.SharedMemory ? "libsplinter.so" : "libsplinter_p.so";
        string libraryPath = NativeBuildInfo.RuntimeLibrary(library);
        if (!File.Exists(libraryPath))
        {
            Assert.Ignore($"this configuration has no {library}");
        }

        string source = System.IO.Path.Combine(AppContext.BaseDirectory, "native", name + ".c");
        string directory = System.IO.Directory.CreateTempSubdirectory($"splinter-cprogram-{Environment.ProcessId}-").FullName;
        string output = System.IO.Path.Combine(directory, name);
        string libraryDirectory = System.IO.Path.GetDirectoryName(libraryPath)!;
        string runPath = libraryDirectory;
        if (besideItsLibrary)
        {
            File.Copy(libraryPath, System.IO.Path.Combine(directory, library));
            runPath = "$ORIGIN";
        }

        var start = new ProcessStartInfo(compiler)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror",
                     "-I" + System.IO.Path.GetDirectoryName(NativeBuildInfo.Header), source, "-o", output,
                     "-L" + libraryDirectory, "-l:" + library, "-Wl,-rpath," + runPath,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {compiler}");
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            System.IO.Directory.Delete(directory, recursive: true);
            Assert.Fail($"compiling {source} failed: {errors}");
        }

        return new CProgram(directory, output);
    }

    /// <summary>Removes the executable and its folder.</summary>
    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
