using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Security;

/// <content>
/// The "any library" half: a trap library, compiled here, that defines splinter_open,
/// splinter_open_or_create and splinter_create_or_open as "print and raise SIGBUS" and takes every
/// other function from our libsplinter (DT_NEEDED: dlsym on its handle searches its dependencies).
/// A TestChild process (rel-open) loads it through SPLINTER_LIBRARY / SPLINTER_LIBRARY_P.
/// </content>
public sealed partial class SecurityTests
{
    private const string TrapSource = """
        #include <signal.h>
        #include <stddef.h>
        #include <string.h>
        #include <unistd.h>

        /* Stands for a library that maps whatever it is given (upstream 1.2.0 checks magic and
           version only, native/README.md divergence 3): reaching any of these means the C# check did not run first. */
        static void trap(const char *name)
        {
            static const char prefix[] = "trap: native ";
            if (write(2, prefix, sizeof prefix - 1) < 0 || write(2, name, strlen(name)) < 0 || write(2, "\n", 1) < 0) {
                _exit(99);
            }
            signal(SIGBUS, SIG_DFL); /* past the runtime's handler: die as an unchecked mapping would */
            raise(SIGBUS);
        }

        int splinter_open(const char *name_or_path)
        {
            (void)name_or_path;
            trap("splinter_open");
            return -1;
        }

        int splinter_open_or_create(const char *name_or_path, size_t slots, size_t max_value_sz)
        {
            (void)name_or_path; (void)slots; (void)max_value_sz;
            trap("splinter_open_or_create");
            return -1;
        }

        int splinter_create_or_open(const char *name_or_path, size_t slots, size_t max_value_sz)
        {
            (void)name_or_path; (void)slots; (void)max_value_sz;
            trap("splinter_create_or_open");
            return -1;
        }
        """;

    private string? _trapDirectory;

    private string TrapVariable => Variant == SplinterVariant.SharedMemory ? "SPLINTER_LIBRARY" : "SPLINTER_LIBRARY_P";

    private string RealLibraryFile => Variant == SplinterVariant.SharedMemory ? "libsplinter.so" : "libsplinter_p.so";

    /// <summary>Removes this fixture's trap library folder.</summary>
    [OneTimeTearDown]
    public void RemoveTrapLibrary()
    {
        if (_trapDirectory is not null && Directory.Exists(_trapDirectory))
        {
            Directory.Delete(_trapDirectory, recursive: true);
        }
    }

    /// <summary>Builds the trap for this variant once per fixture (in a private temp folder, removed at the end of the fixture).</summary>
    private string TrapLibrary()
    {
        if (_trapDirectory is null)
        {
            _trapDirectory = Directory.CreateTempSubdirectory($"splinter-trap-{Environment.ProcessId}-").FullName;
            File.WriteAllText(Path.Combine(_trapDirectory, "trap.c"), TrapSource);
        }

        string real = NativeBuildInfo.RuntimeLibrary(RealLibraryFile);
        if (!File.Exists(real))
        {
            Assert.Ignore($"no {RealLibraryFile} in this configuration");
        }

        string output = Path.Combine(_trapDirectory, "libtrap_" + RealLibraryFile);
        if (!File.Exists(output))
        {
            string compiler = File.Exists("/usr/bin/clang-19") ? "/usr/bin/clang-19" : "cc";
            string directory = Path.GetDirectoryName(real)!;
            ProcessRun.Result build = ProcessRun.Run(compiler, null,
                "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                "-o", output, Path.Combine(_trapDirectory, "trap.c"),
                "-Wl,--no-as-needed", "-L" + directory, "-l:" + RealLibraryFile, "-Wl,-rpath," + directory);
            Assert.That(build.ExitCode, Is.Zero, $"compiling the trap library failed: {build.Stderr}");
        }

        return output;
    }

    private ProcessRun.Result RunOpenChildWithTrapLibrary(string name)
    {
        return ProcessRun.Run(ProcessRun.DotnetHost, new Dictionary<string, string> { [TrapVariable] = TrapLibrary() }, ChildProcess.ChildAssemblyPath, "rel-open", name, Variant.ToString());
    }
}
