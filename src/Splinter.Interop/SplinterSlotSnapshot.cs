namespace Splinter.Interop;

/// <summary>A consistent copy of one slot's metadata (splinter_get_slot_snapshot).</summary>
/// <param name="Key">The key stored in the slot.</param>
/// <param name="Hash">FNV-1a 64 hash of the key.</param>
/// <param name="Epoch">The slot epoch when copied (even).</param>
/// <param name="ValueOffset">Offset of the value from the start of the value arena.</param>
/// <param name="ValueLength">Value length in bytes.</param>
/// <param name="Type">Type bits.</param>
/// <param name="UserFlags">Per-slot user flag bits.</param>
/// <param name="CreationTime">Client-maintained creation time.</param>
/// <param name="AccessTime">Client-maintained access time.</param>
/// <param name="Labels">The 64-bit label mask.</param>
public readonly record struct SplinterSlotSnapshot(
    string Key,
    ulong Hash,
    ulong Epoch,
    uint ValueOffset,
    uint ValueLength,
    SplinterSlotTypes Type,
    SplinterSlotUserFlags UserFlags,
    ulong CreationTime,
    ulong AccessTime,
    ulong Labels);
