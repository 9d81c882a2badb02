using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

/// <summary>
/// Finds and loads the native libraries: libsplinter.so (shared-memory variant, library name "splinter"),
/// libsplinter_p.so (persistent variant, "splinter_p") and libsplinter_shim.so ("splinter_shim").
/// Order for each: a path set in code, then an environment variable (SPLINTER_LIBRARY, SPLINTER_LIBRARY_P,
/// SPLINTER_SHIM_LIBRARY), then the copy beside the application in runtimes/linux-x64/native/ (or the
/// application folder itself), then the system loader.
/// </summary>
public static class SplinterLibrary
{
    /// <summary>The [LibraryImport] name of the persistent variant.</summary>
    public const string PersistentLibraryName = "splinter_p";

    private static readonly object s_gate = new();
    private static readonly Dictionary<string, string> s_explicitPaths = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, (nint Handle, string Source)> s_loaded = new(StringComparer.Ordinal);
    private static readonly Dictionary<SplinterVariant, SplinterApi> s_apis = [];
    private static bool s_resolverRegistered;

    /// <summary>Uses this file for a variant. Must be called before the variant is first loaded.</summary>
    /// <param name="variant">The variant the file implements.</param>
    /// <param name="path">Path of the shared library.</param>
    /// <exception cref="InvalidOperationException">The variant is already loaded from another file.</exception>
    public static void SetLibraryPath(SplinterVariant variant, string path) => SetPath(LibraryName(variant), path);

    /// <summary>Uses this file for libsplinter_shim.so. Must be called before the shim is first loaded.</summary>
    /// <param name="path">Path of the shim library.</param>
    /// <exception cref="InvalidOperationException">The shim is already loaded from another file.</exception>
    public static void SetShimLibraryPath(string path) => SetPath(LibSplinterShim.LibraryName, path);

    /// <summary>The handle of a variant's library, loading it on first use.</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>The native library handle (never unloaded).</returns>
    /// <exception cref="DllNotFoundException">No candidate location holds a loadable library; the message lists them.</exception>
    public static nint GetHandle(SplinterVariant variant) => Load(LibraryName(variant));

    /// <summary>The shim's handle, loading it on first use.</summary>
    /// <returns>The native library handle (never unloaded).</returns>
    public static nint GetShimHandle() => Load(LibSplinterShim.LibraryName);

    /// <summary>Where a loaded library came from ("code", "SPLINTER_LIBRARY", a path...), or null when not loaded yet.</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>A description of the source, for diagnostics.</returns>
    public static string? GetLoadedSource(SplinterVariant variant)
    {
        lock (s_gate)
        {
            return s_loaded.TryGetValue(LibraryName(variant), out var loaded) ? loaded.Source : null;
        }
    }

    /// <summary>The function table of a variant (one per process and variant; the library keeps one store per process).</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>The loaded functions.</returns>
    /// <exception cref="EntryPointNotFoundException">The library lacks a required function.</exception>
    public static SplinterApi GetApi(SplinterVariant variant)
    {
        nint handle = GetHandle(variant);
        lock (s_gate)
        {
            if (!s_apis.TryGetValue(variant, out SplinterApi? api))
            {
                api = SplinterApi.Load(handle);
                s_apis[variant] = api;
            }
            return api;
        }
    }

    /// <summary>The [LibraryImport] library name of a variant.</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>"splinter" or "splinter_p".</returns>
    public static string LibraryName(SplinterVariant variant) => variant switch
    {
        SplinterVariant.SharedMemory => LibSplinter.LibraryName,
        SplinterVariant.Persistent => PersistentLibraryName,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown SplinterVariant."),
    };

    /// <summary>Registers the DllImport resolver for this assembly (idempotent; the raw classes call it first).</summary>
    internal static void EnsureResolver()
    {
        lock (s_gate)
        {
            if (s_resolverRegistered)
            {
                return;
            }
            s_resolverRegistered = true;
        }
        NativeLibrary.SetDllImportResolver(typeof(SplinterLibrary).Assembly, Resolve);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName is LibSplinter.LibraryName or PersistentLibraryName or LibSplinterShim.LibraryName ? Load(libraryName) : 0;

    private static void SetPath(string libraryName, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        lock (s_gate)
        {
            if (s_loaded.TryGetValue(libraryName, out var loaded) && loaded.Source != fullPath)
            {
                throw new InvalidOperationException($"lib{libraryName}.so is already loaded from {loaded.Source}; set its path before first use.");
            }
            s_explicitPaths[libraryName] = fullPath;
        }
    }

    private static nint Load(string libraryName)
    {
        LinuxOnly.ThrowIfNotLinux();
        lock (s_gate)
        {
            if (s_loaded.TryGetValue(libraryName, out var loaded))
            {
                return loaded.Handle;
            }
            var tried = new List<string>();
            foreach ((string candidate, string source) in Candidates(libraryName))
            {
                if (NativeLibrary.TryLoad(candidate, out nint handle))
                {
                    s_loaded[libraryName] = (handle, source);
                    return handle;
                }
                tried.Add($"{candidate} ({source})");
            }
            throw new DllNotFoundException($"lib{libraryName}.so could not be loaded; tried: {string.Join(", ", tried)}.");
        }
    }

    private static IEnumerable<(string Path, string Source)> Candidates(string libraryName)
    {
        string fileName = "lib" + libraryName + ".so";
        if (s_explicitPaths.TryGetValue(libraryName, out string? explicitPath))
        {
            // A path set in code is the only candidate: falling back silently would load the wrong library.
            yield return (explicitPath, "path set in code");
            yield break;
        }
        string variable = libraryName switch
        {
            LibSplinter.LibraryName => "SPLINTER_LIBRARY",
            PersistentLibraryName => "SPLINTER_LIBRARY_P",
            _ => "SPLINTER_SHIM_LIBRARY",
        };
        string? fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return (fromEnvironment, variable);
            yield break;
        }
        foreach (string besideTheApplication in NativeRuntimeFolder.Candidates(AppContext.BaseDirectory, fileName))
        {
            yield return (besideTheApplication, "beside the application");
        }

        yield return (fileName, "system loader");
    }
}
