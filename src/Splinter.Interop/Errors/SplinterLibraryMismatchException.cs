using System.Collections.Generic;

namespace Splinter.Interop;

/// <summary>
/// A native library (libsplinter or the shim) does not match the bindings this assembly was built with: a bound
/// function is missing, the shim's struct layout differs from the C# mirrors, or the stores the library makes have
/// another format version, header or slot size. Raised before the library is first used, never later.
/// </summary>
public sealed class SplinterLibraryMismatchException : SplinterException
{
    /// <summary>Creates the exception for the library at <paramref name="libraryPath"/> with every difference found.</summary>
    /// <param name="libraryPath">The library file that was checked.</param>
    /// <param name="differences">What differs, one entry per finding.</param>
    public SplinterLibraryMismatchException(string libraryPath, IReadOnlyList<string> differences)
        : base($"The library '{libraryPath}' does not match the bindings of Splinter.Interop: {string.Join("; ", differences)}.")
    {
        LibraryPath = libraryPath;
        Differences = differences;
    }

    /// <summary>The library file that was checked.</summary>
    public string LibraryPath { get; }

    /// <summary>What differs, one entry per finding.</summary>
    public IReadOnlyList<string> Differences { get; }
}
