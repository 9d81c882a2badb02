namespace Splinter.Interop;

/// <summary>What happened to a slot since the subscription last looked.</summary>
public enum SlotChangeKind
{
    /// <summary>The slot's epoch moved: its value was written (set, append, integer op, type change, retrain, bump, purge).</summary>
    Written = 0,

    /// <summary>The key left the slot (unset, or the slot now holds another key); <see cref="SlotChange.Key"/> is the key that left.</summary>
    Removed = 1,

    /// <summary>Only the slot's labels changed (set_label / unset_label leave the epoch alone).</summary>
    LabelsChanged = 2,
}

/// <summary>One slot whose content changed since the subscription last looked.</summary>
/// <param name="SlotIndex">Physical slot index in the store.</param>
/// <param name="Key">The key now in the slot, or for <see cref="SlotChangeKind.Removed"/> the key that left it.</param>
/// <param name="Epoch">The slot epoch observed (even).</param>
/// <param name="Kind">What happened.</param>
public readonly record struct SlotChange(int SlotIndex, string Key, ulong Epoch, SlotChangeKind Kind);
