using System;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Store;

/// <summary>
/// One SplinterStore's hold on an open store, as a SafeHandle whose value is the base of the C# layer's mapping: the
/// Dispose protocol of the native calls. Invariant: a call made under a <see cref="Lease"/> runs on an open store,
/// because the handle is released (and the store closed) only after Dispose and the end of the last lease. The mapping
/// reads (<see cref="CloseFlag"/>) and the gated set (<see cref="HotCallGate"/>) have protocols of their own. Releasing
/// the handle drops this SplinterStore's share of the <see cref="OpenStore"/>; the last share closes the store
/// (splinter_close), releases the mapping (<see cref="MappingRanges.Release"/>) and gives the library copy back.
/// </summary>
internal sealed unsafe class StoreHandle : SafeHandle
{
    private readonly OpenStore _store;

    public StoreHandle(OpenStore store)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _store = store;
        SetHandle((IntPtr)store.Mapping);
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Length of the C# mapping in bytes.</summary>
    public nuint Length => _store.Length;

    /// <summary>A reference for one operation; ObjectDisposedException naming <paramref name="storeName"/> once the handle is closed.</summary>
    public StoreLease Lease(string storeName)
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            StoreErrors.ThrowDisposed(storeName);
        }

        return new StoreLease(this);
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        StoreRegistry.ReleaseHandle(_store);
        return true;
    }
}
