using System;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Store;

/// <summary>
/// One SplinterStore's hold on an open store, as a SafeHandle whose value is the base of the C# layer's mapping.
/// Operations other than the mapping reads and the gated calls hold a reference for their duration
/// (<see cref="StoreLease"/>), so release never runs under them. Releasing it drops this SplinterStore's handle on the
/// shared <see cref="OpenStore"/>; the last one closes the store (splinter_close), releases the mapping (its range turns
/// into zero pages, <see cref="StoreMapping.Release"/>) and gives the library copy back to its pool.
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

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        StoreRegistry.ReleaseHandle(_store);
        return true;
    }
}
