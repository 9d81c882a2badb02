using System;

namespace Splinter.Interop;

/// <summary>Type bits of a slot (SPL_SLOT_TYPE_*). Only <see cref="BigUInt"/> has library semantics (integer operations).</summary>
[Flags]
public enum SplinterSlotTypes : byte
{
    /// <summary>No type bits (never stored by the library, which uses <see cref="Void"/>).</summary>
    None = 0,

    /// <summary>Untyped: the type of a fresh or freed slot.</summary>
    Void = 0x01,

    /// <summary>Signed big integer (informational).</summary>
    BigInt = 0x02,

    /// <summary>Unsigned 64-bit integer; enables integer operations.</summary>
    BigUInt = 0x04,

    /// <summary>JSON text (informational).</summary>
    Json = 0x08,

    /// <summary>Opaque binary; also set by <see cref="SplinterSlots.MarkAsSystem(string)"/>.</summary>
    Binary = 0x10,

    /// <summary>Image data (informational).</summary>
    ImageData = 0x20,

    /// <summary>Audio data (informational).</summary>
    Audio = 0x40,

    /// <summary>Variable-length text (informational).</summary>
    VarText = 0x80,
}
