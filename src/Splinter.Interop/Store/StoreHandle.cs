using System;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store.Interop;

namespace Splinter.Interop.Store;

/// <summary>
/// The open store as a SafeHandle. The handle value is the base of the C# layer's own mapping;
/// releasing it closes the library's current store (splinter_close), releases the C# mapping (its
/// range turns into zero pages, <see cref="StoreMapping.Release"/>) and frees the variant's registry
/// slot. Operations other than the mapping reads and the gated calls hold a reference for their
/// duration (<see cref="StoreLease"/>), so release never runs under them.
/// </summary>
internal sealed unsafe class StoreHandle : SafeHandle
{
    private readonly SplinterApi _api;
    private readonly nuint _length;
    private readonly StoreRegistry.Entry _entry;
    private volatile bool _nativeInstalled;

    public StoreHandle(SplinterApi api, byte* mapping, nuint length, StoreRegistry.Entry entry)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _api = api;
        _length = length;
        _entry = entry;
        SetHandle((IntPtr)mapping);
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Length of the C# mapping in bytes.</summary>
    public nuint Length => _length;

    /// <summary>Records that libsplinter may have a store installed, so release calls splinter_close.</summary>
    public void MarkNativeInstalled() => _nativeInstalled = true;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        if (_nativeInstalled)
        {
            _api.splinter_close();
        }

        StoreMapping.Release((void*)handle);
        StoreRegistry.Release(_entry);
        return true;
    }
}
