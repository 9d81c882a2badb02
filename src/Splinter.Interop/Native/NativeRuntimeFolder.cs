using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

/// <summary>
/// Which of the package's runtimes/&lt;rid&gt;/native folders fits this process: the processor (x64 or arm64) and the
/// C library (glibc or musl; a glibc build does not load on musl). The package ships linux-x64, linux-arm64,
/// linux-musl-x64 and linux-musl-arm64 (README.md, "Platforms"); any other process gets no folder and falls back to the
/// application folder and the system loader.
/// </summary>
internal static class NativeRuntimeFolder
{
    private static readonly Lazy<bool> s_musl = new(() => IsMusl(RuntimeInformation.RuntimeIdentifier, MappedFiles));
    private static readonly Lazy<string?> s_current = new(() => For(RuntimeInformation.ProcessArchitecture, s_musl.Value));

    /// <summary>The folder name for this process ("linux-x64", "linux-arm64", "linux-musl-x64", "linux-musl-arm64"), or null when none fits.</summary>
    public static string? Current => s_current.Value;

    /// <summary>True when this process runs on musl (see <see cref="IsMusl"/>).</summary>
    public static bool CurrentIsMusl => s_musl.Value;

    /// <summary>
    /// Where a native file of the package may lie beside the application, best first: the runtime folder that fits
    /// (an application built without a runtime identifier keeps every folder), then the application folder itself
    /// (a publish for one runtime identifier copies that folder's files there).
    /// </summary>
    /// <param name="baseDirectory">The application folder.</param>
    /// <param name="fileName">The library's file name.</param>
    /// <returns>Full paths to try in order.</returns>
    public static IEnumerable<string> Candidates(string baseDirectory, string fileName)
    {
        if (Current is string folder)
        {
            yield return Path.Combine(baseDirectory, "runtimes", folder, "native", fileName);
        }

        yield return Path.Combine(baseDirectory, fileName);
    }

    /// <summary>The package's folder for a processor and C library, or null when the package has none.</summary>
    /// <param name="architecture">The process's processor architecture.</param>
    /// <param name="musl">True on musl, false on glibc.</param>
    /// <returns>The runtime identifier of the folder.</returns>
    internal static string? For(Architecture architecture, bool musl) => (architecture, musl) switch
    {
        (Architecture.X64, false) => "linux-x64",
        (Architecture.Arm64, false) => "linux-arm64",
        (Architecture.X64, true) => "linux-musl-x64",
        (Architecture.Arm64, true) => "linux-musl-arm64",
        _ => null,
    };

    /// <summary>
    /// True when this process runs on musl. The runtime's own identifier says so for the portable runtimes
    /// ("linux-musl-x64") and Alpine's ("alpine.3.20-x64"), and says glibc for "linux-x64"/"linux-arm64"; a runtime
    /// built for another distribution ("debian.12-x64") names no C library, and then the mapped files decide: musl's C
    /// library is its dynamic loader, ld-musl-&lt;arch&gt;.so.1.
    /// </summary>
    /// <param name="runtimeIdentifier">RuntimeInformation.RuntimeIdentifier.</param>
    /// <param name="mappedFiles">Paths of the files mapped into the process (read only when the identifier does not decide).</param>
    /// <returns>True for musl.</returns>
    internal static bool IsMusl(string runtimeIdentifier, Func<IEnumerable<string>> mappedFiles)
    {
        if (runtimeIdentifier.Contains("-musl-", StringComparison.Ordinal) || runtimeIdentifier.StartsWith("alpine", StringComparison.Ordinal))
        {
            return true;
        }

        if (runtimeIdentifier.StartsWith("linux-", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (string path in mappedFiles())
        {
            if (Path.GetFileName(path).StartsWith("ld-musl-", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The file paths in /proc/self/maps (none when it cannot be read).</summary>
    private static IEnumerable<string> MappedFiles()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/maps");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string line in lines)
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                yield return line[slash..];
            }
        }
    }
}
