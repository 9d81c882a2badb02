using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop.Native;

/// <summary>
/// Finds, checks and loads the native libraries: libsplinter.so (shared-memory variant, library name "splinter"),
/// libsplinter_p.so (persistent variant, "splinter_p"), their embeddings-flavour builds libsplinter_embeddings.so and
/// libsplinter_p_embeddings.so, and libsplinter_shim.so ("splinter_shim").
/// Order for each: a path set in code, then an environment variable (SPLINTER_LIBRARY, SPLINTER_LIBRARY_P,
/// SPLINTER_SHIM_LIBRARY), then the copy beside the application in runtimes/linux-x64/native/ (or the
/// application folder itself), then the system loader. A path set in code or an environment variable names the
/// user's library for its variant, whatever its flavour.
/// </summary>
/// <remarks>
/// Two kinds of loads: the raw layer's process-global library ([LibraryImport] "splinter", <see cref="GetApi"/>),
/// loaded once as the system loads any library, and the stores' private copies: every open store has a copy of its
/// library of its own (its own process globals, so any number of stores can be open at once), taken from a pool per
/// library file and never shared with the raw layer. Every library is checked against the bindings before its first
/// use (<see cref="SplinterLibraryMismatchException"/>); the verdict is kept per file.
/// </remarks>
public static partial class SplinterLibrary
{
    /// <summary>The [LibraryImport] name of the persistent variant.</summary>
    public const string PersistentLibraryName = "splinter_p";

    /// <summary>The library name of the shared-memory variant's embeddings-flavour build (libsplinter_embeddings.so).</summary>
    public const string EmbeddingsLibraryName = "splinter_embeddings";

    /// <summary>The library name of the persistent variant's embeddings-flavour build (libsplinter_p_embeddings.so).</summary>
    public const string PersistentEmbeddingsLibraryName = "splinter_p_embeddings";

    private const string CodeSource = "path set in code";

    private static readonly object s_gate = new();
    private static readonly Dictionary<string, string> s_explicitPaths = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, (nint Handle, string Source, string Path)> s_loaded = new(StringComparer.Ordinal);
    private static readonly Dictionary<SplinterVariant, SplinterApi> s_apis = [];
    private static readonly Dictionary<FileIdentity, LibraryPool> s_pools = [];
    private static readonly Dictionary<(FileIdentity, SplinterVariant), object> s_verdicts = [];
    private static readonly Dictionary<(SplinterVariant, int), LibraryVerdict> s_storeLibraries = [];
    private static readonly Dictionary<string, string> s_storeSources = new(StringComparer.Ordinal);
    private static int s_resolverRegistered;

    /// <summary>Uses this file for a variant (either flavour). Must be called before the variant is first loaded.</summary>
    /// <param name="variant">The variant the file implements.</param>
    /// <param name="path">Path of the shared library.</param>
    /// <exception cref="InvalidOperationException">The variant is already loaded from another file.</exception>
    public static void SetLibraryPath(SplinterVariant variant, string path) => SetPath(LibraryName(variant), path);

    /// <summary>Uses this file for libsplinter_shim.so. Must be called before the shim is first loaded.</summary>
    /// <param name="path">Path of the shim library.</param>
    /// <exception cref="InvalidOperationException">The shim is already loaded from another file.</exception>
    public static void SetShimLibraryPath(string path) => SetPath(LibSplinterShim.LibraryName, path);

    /// <summary>The handle of a variant's process-global library (the raw layer's), loading and checking it on first use.</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>The native library handle (never unloaded).</returns>
    /// <exception cref="DllNotFoundException">No candidate location holds a loadable library; the message lists them.</exception>
    /// <exception cref="SplinterLibraryMismatchException">The library does not match the bindings.</exception>
    public static nint GetHandle(SplinterVariant variant) => Load(LibraryName(variant));

    /// <summary>The shim's handle, loading it on first use (the shim's bindings are internal: tests and the library check).</summary>
    /// <returns>The native library handle (never unloaded).</returns>
    internal static nint GetShimHandle() => Load(LibSplinterShim.LibraryName);

    /// <summary>Where a variant's library came from ("path set in code", "SPLINTER_LIBRARY", "beside the application"...), or null when neither the raw layer nor a store loaded it yet.</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>A description of the source, for diagnostics.</returns>
    public static string? GetLoadedSource(SplinterVariant variant)
    {
        string name = LibraryName(variant);
        lock (s_gate)
        {
            return s_loaded.TryGetValue(name, out var loaded) ? loaded.Source
                : s_storeSources.TryGetValue(name, out string? source) ? source
                : null;
        }
    }

    /// <summary>The function table of a variant's process-global library, the one the raw layer's [LibraryImport] calls use (tests).</summary>
    /// <param name="variant">Which library.</param>
    /// <returns>The loaded functions. Stores never use this library: each has a private copy of its own.</returns>
    /// <exception cref="SplinterLibraryMismatchException">The library does not match the bindings.</exception>
    /// <remarks>
    /// Internal: a table is made from any handle with <see cref="SplinterApi.Load"/>; what may be called next to open
    /// stores is written down once, on <see cref="LibSplinter"/>.
    /// </remarks>
    internal static SplinterApi GetApi(SplinterVariant variant)
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

    /// <summary>The library name of a variant's build of one flavour.</summary>
    /// <param name="variant">Which variant.</param>
    /// <param name="embeddings">True for the SPLINTER_EMBEDDINGS flavour.</param>
    /// <returns>"splinter", "splinter_p", "splinter_embeddings" or "splinter_p_embeddings" (the file is lib&lt;name&gt;.so).</returns>
    public static string LibraryName(SplinterVariant variant, bool embeddings) => (variant, embeddings) switch
    {
        (_, false) => LibraryName(variant),
        (SplinterVariant.SharedMemory, true) => EmbeddingsLibraryName,
        (SplinterVariant.Persistent, true) => PersistentEmbeddingsLibraryName,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown SplinterVariant."),
    };

    /// <summary>Registers the DllImport resolver for this assembly (idempotent; the raw classes call it first).</summary>
    /// <remarks>No lock: it runs inside the raw classes' static constructors, which must never wait for the loader's lock.</remarks>
    internal static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref s_resolverRegistered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(SplinterLibrary).Assembly, Resolve);
        }
    }

    /// <summary>
    /// A private copy of the library for a store of <paramref name="variant"/> whose slots are <paramref name="slotSize"/>
    /// bytes (its flavour), checked against the bindings. Give it back with <see cref="ReturnStoreInstance"/> once the
    /// store is closed.
    /// </summary>
    /// <exception cref="SplinterStoreFormatException">No library of the store's flavour: the message names both flavours.</exception>
    internal static LibraryInstance RentStoreInstance(SplinterVariant variant, int slotSize, string storePath)
    {
        lock (s_gate)
        {
            if (!s_storeLibraries.TryGetValue((variant, slotSize), out LibraryVerdict? verdict))
            {
                verdict = ChooseStoreLibrary(variant, slotSize, storePath);
                s_storeLibraries[(variant, slotSize)] = verdict;
                s_storeSources.TryAdd(LibraryName(variant), verdict.File.Source);
            }

            return PoolOf(verdict.File).Rent();
        }
    }

    /// <summary>
    /// Checks the user's library for a variant (a path set in code or an environment variable), when one is set, before
    /// a store of that variant is touched: a library that does not match is reported first, whatever the store.
    /// </summary>
    internal static void CheckUserLibrary(SplinterVariant variant)
    {
        string name = LibraryName(variant);
        lock (s_gate)
        {
            if (s_storeSources.ContainsKey(name))
            {
                return;
            }

            foreach ((string candidate, string source) in Candidates(name))
            {
                if (IsUserChoice(source))
                {
                    LibraryFile file = LibraryFile.Find(candidate, source)
                        ?? throw new DllNotFoundException($"lib{name}.so could not be loaded; tried: {candidate} ({source}).");
                    Verdict(file, variant);
                    s_storeSources[name] = source;
                }

                return; // only the first candidate can be a user's choice
            }
        }
    }

    /// <summary>Takes back a store's copy after libsplinter closed its store (splinter_close).</summary>
    internal static void ReturnStoreInstance(LibraryInstance instance)
    {
        lock (s_gate)
        {
            instance.Pool.Return(instance);
        }
    }

    /// <summary>The pool of copies of a library file (tests and measurements).</summary>
    internal static LibraryPool? FindPool(LibraryFile file)
    {
        lock (s_gate)
        {
            return s_pools.GetValueOrDefault(file.Identity);
        }
    }

    private static LibraryVerdict ChooseStoreLibrary(SplinterVariant variant, int slotSize, string storePath)
    {
        string plainName = LibraryName(variant);
        var tried = new List<string>();
        LibraryFile? first = FirstFile(plainName, tried);
        if (first is not null && IsUserChoice(first.Source))
        {
            // The user's library for this variant is the only candidate; its probe told its flavour.
            LibraryVerdict verdict = Verdict(first, variant);
            if (verdict.SlotSize != slotSize)
            {
                throw new SplinterStoreFormatException(storePath,
                    $"it is a store of {StoreFormat.Describe(slotSize)}, but the library {first} makes stores of {StoreFormat.Describe(verdict.SlotSize)}.");
            }

            return verdict;
        }

        string embeddingsName = LibraryName(variant, embeddings: true);
        bool wantsEmbeddings = slotSize == StoreFormat.EmbeddingsSlotSize;
        var seen = new List<string>();
        foreach (string name in wantsEmbeddings ? [embeddingsName, plainName] : (string[])[plainName, embeddingsName])
        {
            // A build of either flavour may sit under either name (an embeddings build of this repository ships its
            // flavour as libsplinter.so): the probe says which flavour a file is.
            LibraryFile? file = name == plainName ? first : FirstFile(name, tried);
            if (file is null)
            {
                continue;
            }

            LibraryVerdict verdict = Verdict(file, variant);
            if (verdict.SlotSize == slotSize)
            {
                return verdict;
            }

            seen.Add($"{file} makes stores of {StoreFormat.Describe(verdict.SlotSize)}");
        }

        if (seen.Count == 0)
        {
            throw new DllNotFoundException($"lib{plainName}.so could not be loaded; tried: {string.Join(", ", tried)}.");
        }

        throw new SplinterStoreFormatException(storePath,
            $"it is a store of {StoreFormat.Describe(slotSize)} and no library of that flavour was found (lib{LibraryName(variant, wantsEmbeddings)}.so): {string.Join("; ", seen)}.");
    }

    /// <summary>The first candidate of <paramref name="libraryName"/> that names an existing file (or that the system loader finds).</summary>
    private static LibraryFile? FirstFile(string libraryName, List<string> tried)
    {
        foreach ((string candidate, string source) in Candidates(libraryName))
        {
            LibraryFile? file = candidate.Contains('/')
                ? LibraryFile.Find(candidate, source)
                : NativeLibrary.TryLoad(candidate, out nint handle) ? FileOfLoaded(handle, candidate, source) : null;
            if (file is not null)
            {
                return file;
            }

            tried.Add($"{candidate} ({source})");
        }

        return null;
    }

    /// <summary>The file behind a library the system loader found by its bare name (dladdr of one of its functions).</summary>
    private static LibraryFile? FileOfLoaded(nint handle, string candidate, string source)
    {
        foreach (string function in SplinterBindings.RequiredFunctions)
        {
            if (NativeLibrary.TryGetExport(handle, function, out nint address) && LibraryInstance.ObjectNameOf(address) is { } path)
            {
                return LibraryFile.Find(path, source);
            }
        }

        throw new SplinterLibraryMismatchException(candidate, ["it exports none of the libsplinter functions"]);
    }

    private static bool IsUserChoice(string source) => source == CodeSource || source.StartsWith("SPLINTER_", StringComparison.Ordinal);

    /// <summary>The cached verdict on a file, or the check's result; a mismatch is cached too and thrown again.</summary>
    private static LibraryVerdict Verdict(LibraryFile file, SplinterVariant variant)
    {
        if (s_verdicts.TryGetValue((file.Identity, variant), out object? known))
        {
            return known is SplinterLibraryMismatchException mismatch
                ? throw new SplinterLibraryMismatchException(mismatch.LibraryPath, mismatch.Differences)
                : (LibraryVerdict)known;
        }

        try
        {
            LibraryVerdict verdict = LibraryCheck.Run(PoolOf(file), variant, ShimPath());
            s_verdicts[(file.Identity, variant)] = verdict;
            return verdict;
        }
        catch (SplinterLibraryMismatchException mismatch)
        {
            s_verdicts[(file.Identity, variant)] = mismatch;
            throw;
        }
    }

    private static LibraryPool PoolOf(LibraryFile file)
    {
        if (!s_pools.TryGetValue(file.Identity, out LibraryPool? pool))
        {
            pool = new LibraryPool(file);
            s_pools[file.Identity] = pool;
        }

        return pool;
    }

    private static string ShimPath()
    {
        Load(LibSplinterShim.LibraryName);
        return s_loaded[LibSplinterShim.LibraryName].Path;
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LibSplinter.LibraryName or PersistentLibraryName or LibSplinterShim.LibraryName => Load(libraryName),
        SystemLibraryName or DynamicLoaderLibraryName => SystemLibrary(),
        _ => 0,
    };

    /// <summary>The name the dl* imports use: glibc's libdl.so.2 (see LibC.Dladdr).</summary>
    internal const string DynamicLoaderLibraryName = "libdl.so.2";

    /// <summary>The name every libc import of this assembly uses: glibc's runtime name.</summary>
    internal const string SystemLibraryName = "libc.so.6";

    /// <summary>
    /// glibc's libc.so.6 and libdl.so.2 are found by the loader (0: the default resolution). musl has neither: its C
    /// library is the dynamic loader itself, always loaded and global, so the main program's handle finds every function.
    /// </summary>
    private static nint SystemLibrary() => NativeRuntimeFolder.CurrentIsMusl ? NativeLibrary.GetMainProgramHandle() : 0;

    private static void SetPath(string libraryName, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        lock (s_gate)
        {
            if (s_loaded.TryGetValue(libraryName, out var loaded) && loaded.Path != fullPath)
            {
                throw new InvalidOperationException($"lib{libraryName}.so is already loaded from {loaded.Path} ({loaded.Source}); set its path before first use.");
            }

            if (s_storeSources.TryGetValue(libraryName, out string? source) && !(source == CodeSource && s_explicitPaths.GetValueOrDefault(libraryName) == fullPath))
            {
                throw new InvalidOperationException($"lib{libraryName}.so is already loaded for open stores ({source}); set its path before first use.");
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
                    string path = candidate;
                    if (libraryName != LibSplinterShim.LibraryName)
                    {
                        // Checked before its first use, like the stores' copies (the verdict is shared per file).
                        LibraryFile file = (candidate.Contains('/') ? LibraryFile.Find(candidate, source) : FileOfLoaded(handle, candidate, source))
                            ?? throw new DllNotFoundException($"lib{libraryName}.so was loaded from {candidate} but that file cannot be found for its check.");
                        Verdict(file, libraryName == PersistentLibraryName ? SplinterVariant.Persistent : SplinterVariant.SharedMemory);
                        path = file.Path;
                    }

                    s_loaded[libraryName] = (handle, source, path);
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
            yield return (explicitPath, CodeSource);
            yield break;
        }
        string? variable = libraryName switch
        {
            LibSplinter.LibraryName => "SPLINTER_LIBRARY",
            PersistentLibraryName => "SPLINTER_LIBRARY_P",
            LibSplinterShim.LibraryName => "SPLINTER_SHIM_LIBRARY",
            _ => null, // an embeddings-flavour name: a user's library is set for its variant (above), whatever its flavour
        };
        string? fromEnvironment = variable is null ? null : Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return (fromEnvironment, variable!);
            yield break;
        }
        foreach (string besideTheApplication in NativeRuntimeFolder.Candidates(AppContext.BaseDirectory, fileName))
        {
            yield return (besideTheApplication, "beside the application");
        }

        yield return (fileName, "system loader");
    }
}
