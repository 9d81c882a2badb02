using System;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// The header of one store (<see cref="SplinterStore.Header"/>): a consistent copy of its scalar fields, the core flag
/// byte and the scrub (mop) mode that two of its bits hold.
/// </summary>
public sealed unsafe class SplinterHeader
{
    private readonly SplinterStore _store;

    internal SplinterHeader(SplinterStore store) => _store = store;

    /// <summary>Copies the header's scalar fields (splinter_get_header_snapshot).</summary>
    /// <returns>The snapshot.</returns>
    public SplinterHeaderSnapshot GetSnapshot()
    {
        using (_store.Lease())
        {
            splinter_header_snapshot snapshot;
            int result = _store.Api.splinter_get_header_snapshot(&snapshot);
            NativeCall.Check(_store, "Header.GetSnapshot", null, ResultConvention.NegativeFails, result);
            return new SplinterHeaderSnapshot(
                snapshot.magic,
                snapshot.version,
                snapshot.slots,
                snapshot.max_val_sz,
                snapshot.epoch,
                (SplinterCoreFlags)snapshot.core_flags,
                snapshot.user_flags,
                snapshot.parse_failures,
                snapshot.last_failure_epoch);
        }
    }

    /// <summary>Reads the store's core flag byte (splinter_config_snapshot).</summary>
    /// <returns>The flags.</returns>
    public SplinterCoreFlags GetCoreFlags()
    {
        using (_store.Lease())
        {
            return (SplinterCoreFlags)_store.Api.splinter_config_snapshot(_store.MappedHeader);
        }
    }

    /// <summary>Atomically sets core flag bits (splinter_config_set). The scrub bits change the mop mode.</summary>
    /// <param name="flags">Bits to set.</param>
    public void SetCoreFlags(SplinterCoreFlags flags)
    {
        using (_store.Lease())
        {
            _store.Api.splinter_config_set(_store.MappedHeader, (byte)flags);
        }
    }

    /// <summary>Atomically clears core flag bits (splinter_config_clear).</summary>
    /// <param name="flags">Bits to clear.</param>
    public void ClearCoreFlags(SplinterCoreFlags flags)
    {
        using (_store.Lease())
        {
            _store.Api.splinter_config_clear(_store.MappedHeader, (byte)flags);
        }
    }

    /// <summary>Tests core flag bits (splinter_config_test).</summary>
    /// <param name="flags">Bits to test.</param>
    /// <returns>True if any of them is set.</returns>
    public bool TestCoreFlags(SplinterCoreFlags flags)
    {
        using (_store.Lease())
        {
            return _store.Api.splinter_config_test(_store.MappedHeader, (byte)flags) != 0;
        }
    }

    /// <summary>Reads the scrub mode (splinter_get_mop).</summary>
    /// <returns>The mode.</returns>
    public SplinterMopMode GetMopMode()
    {
        using (_store.Lease())
        {
            int mode = _store.Api.splinter_get_mop();
            NativeCall.Check(_store, "Header.GetMopMode", null, ResultConvention.NegativeFails, mode);
            return (SplinterMopMode)mode;
        }
    }

    /// <summary>
    /// Sets the scrub mode (splinter_set_mop). libsplinter only adds the auto-scrub bit for
    /// <see cref="SplinterMopMode.Full"/>, so from Hybrid it would stay Hybrid; this method
    /// passes through None first so the requested mode is what <see cref="GetMopMode"/> reports.
    /// </summary>
    /// <param name="mode">The new mode.</param>
    public void SetMopMode(SplinterMopMode mode)
    {
        if (mode is not (SplinterMopMode.None or SplinterMopMode.Hybrid or SplinterMopMode.Full))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mop mode.");
        }

        using (_store.Lease())
        {
            if (mode == SplinterMopMode.Full)
            {
                SetMopRaw(SplinterMopMode.None);
            }

            SetMopRaw(mode);
        }
    }

    private void SetMopRaw(SplinterMopMode mode)
    {
        int error = 0;
        int result = _store.Api.splinter_set_mop_errno((uint)mode, &error);
        NativeCall.Check(_store, "Header.SetMopMode", null, ResultConvention.NegativeFails, result, error);
    }
}
