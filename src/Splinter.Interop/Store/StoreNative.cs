using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>The shim's entry points the store layer uses (each open store calls libsplinter through its own library copy's SplinterApi).</summary>
internal static unsafe class StoreNative
{
    /// <summary>The tick counter libsplinter uses for shard bids (splinter_now, through the shim).</summary>
    public static ulong Now() => LibSplinterShim.SplinterShim_now();

    /// <summary>Removes a store object: 0 or -errno.</summary>
    public static int Remove(byte* nameOrPath, SplinterVariant variant) =>
        variant == SplinterVariant.SharedMemory
            ? LibSplinterShim.SplinterShim_remove_shm((sbyte*)nameOrPath)
            : LibSplinterShim.SplinterShim_remove_file((sbyte*)nameOrPath);
}
