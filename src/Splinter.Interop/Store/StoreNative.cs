using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>Where the store layer gets its native entry points: the per-variant SplinterApi from the resolver, and the shim.</summary>
internal static unsafe class StoreNative
{
    /// <summary>The function table of the library that backs <paramref name="variant"/>.</summary>
    public static SplinterApi GetApi(SplinterVariant variant) => SplinterLibrary.GetApi(variant);

    /// <summary>The tick counter libsplinter uses for shard bids (splinter_now, through the shim).</summary>
    public static ulong Now() => LibSplinterShim.SplinterShim_now();

    /// <summary>Removes a store object: 0 or -errno.</summary>
    public static int Remove(byte* nameOrPath, SplinterVariant variant) =>
        variant == SplinterVariant.SharedMemory
            ? LibSplinterShim.SplinterShim_remove_shm((sbyte*)nameOrPath)
            : LibSplinterShim.SplinterShim_remove_file((sbyte*)nameOrPath);
}
