namespace Splinter.Interop;

/// <summary>No store exists under the given shm name or path (ENOENT).</summary>
public sealed class SplinterStoreNotFoundException : SplinterException
{
    /// <summary>Creates the exception for a missing store.</summary>
    public SplinterStoreNotFoundException(string nameOrPath, SplinterVariant variant)
        : base($"No {(variant == SplinterVariant.SharedMemory ? "shared-memory" : "persistent")} store named '{nameOrPath}' exists.", Splinter.Interop.Errno.ENOENT)
    {
        NameOrPath = nameOrPath;
        Variant = variant;
    }

    /// <summary>The shm name or file path that was looked up.</summary>
    public string NameOrPath { get; }

    /// <summary>The variant that was asked for.</summary>
    public SplinterVariant Variant { get; }
}
