namespace Splinter.Interop;

/// <summary>A copy of the store header's scalar fields (splinter_get_header_snapshot).</summary>
/// <param name="Magic">The format magic, 0x534C4E54.</param>
/// <param name="Version">The data-format version (4).</param>
/// <param name="SlotCount">Number of slots.</param>
/// <param name="MaxValueSize">Bytes of value space per slot.</param>
/// <param name="Epoch">The store-wide epoch (starts at 1, advances on most writes).</param>
/// <param name="CoreFlags">Core flag byte (mop mode and user bits).</param>
/// <param name="UserFlags">Store user flag byte (never written by the library).</param>
/// <param name="ParseFailures">Diagnostics counter (never maintained by the library).</param>
/// <param name="LastFailureEpoch">Diagnostics value (never maintained by the library).</param>
public readonly record struct SplinterHeaderSnapshot(
    uint Magic,
    uint Version,
    uint SlotCount,
    uint MaxValueSize,
    ulong Epoch,
    SplinterCoreFlags CoreFlags,
    byte UserFlags,
    ulong ParseFailures,
    ulong LastFailureEpoch);
