using System;

namespace Splinter.Interop;

/// <summary>The per-slot user flag byte (SPL_FUSR1..8); never interpreted by the library.</summary>
[Flags]
public enum SplinterSlotUserFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>User flag 1.</summary>
    User1 = 0x01,

    /// <summary>User flag 2.</summary>
    User2 = 0x02,

    /// <summary>User flag 3.</summary>
    User3 = 0x04,

    /// <summary>User flag 4.</summary>
    User4 = 0x08,

    /// <summary>User flag 5.</summary>
    User5 = 0x10,

    /// <summary>User flag 6.</summary>
    User6 = 0x20,

    /// <summary>User flag 7.</summary>
    User7 = 0x40,

    /// <summary>User flag 8.</summary>
    User8 = 0x80,
}
