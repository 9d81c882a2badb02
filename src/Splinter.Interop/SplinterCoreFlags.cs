using System;

namespace Splinter.Interop;

/// <summary>The store's core flag byte (SPL_SYS_* and SPL_SUSR* bits).</summary>
[Flags]
public enum SplinterCoreFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Scrubbing enabled.</summary>
    AutoScrub = 0x01,

    /// <summary>Hybrid scrubbing (64-byte granularity).</summary>
    HybridScrub = 0x02,

    /// <summary>Reserved, unused by the library.</summary>
    Reserved2 = 0x04,

    /// <summary>Reserved, unused by the library.</summary>
    Reserved3 = 0x08,

    /// <summary>Store-level user flag 1 (never interpreted by the library).</summary>
    User1 = 0x10,

    /// <summary>Store-level user flag 2.</summary>
    User2 = 0x20,

    /// <summary>Store-level user flag 3.</summary>
    User3 = 0x40,

    /// <summary>Store-level user flag 4.</summary>
    User4 = 0x80,
}
