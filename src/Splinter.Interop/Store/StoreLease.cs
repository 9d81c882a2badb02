namespace Splinter.Interop.Store;

/// <summary>A reference on the store's SafeHandle for one operation (<see cref="StoreHandle.Lease"/>); Dispose releases it.</summary>
internal readonly ref struct StoreLease
{
    private readonly StoreHandle _handle;

    internal StoreLease(StoreHandle handle) => _handle = handle;

    /// <summary>Releases the reference (DangerousRelease).</summary>
    public void Dispose() => _handle.DangerousRelease();
}
