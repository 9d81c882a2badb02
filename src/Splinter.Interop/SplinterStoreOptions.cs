using System;

namespace Splinter.Interop;

/// <summary>How <see cref="SplinterStore"/> creates or opens a store.</summary>
public sealed record SplinterStoreOptions
{
    /// <summary>The default options: shared memory, default permissions, 100 ms contention budget.</summary>
    public static SplinterStoreOptions Default { get; } = new();

    /// <summary>Shorthand for options with the persistent variant.</summary>
    public static SplinterStoreOptions Persistent { get; } = new() { Variant = SplinterVariant.Persistent };

    /// <summary>The library build to use (shared memory or persistent file).</summary>
    public SplinterVariant Variant { get; init; } = SplinterVariant.SharedMemory;

    /// <summary>Create the store with mode 0600 (owner only) instead of 0666 masked by the umask.</summary>
    public bool PrivatePermissions { get; init; }

    /// <summary>
    /// Create the store in the SPLINTER_EMBEDDINGS flavour (slots that carry an embedding vector) instead of the default
    /// one. Only Create and OpenOrCreate's create look at it: an existing store opens in the flavour it has. The default
    /// is the flavour of this build (true in an embeddings build of Splinter.Interop).
    /// </summary>
    public bool Embeddings { get; init; } = Store.StoreFormat.MirrorIsEmbeddings;

    /// <summary>How long an operation spins and retries on a busy slot (odd epoch) before it throws <see cref="SplinterContentionException"/>.</summary>
    public TimeSpan ContentionTimeout { get; init; } = TimeSpan.FromMilliseconds(100);
}
