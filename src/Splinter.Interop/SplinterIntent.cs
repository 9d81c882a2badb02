namespace Splinter.Interop;

/// <summary>Access intent recorded with a shard bid (splinter_intent_t; not the POSIX_MADV_* numbering).</summary>
public enum SplinterIntent : byte
{
    /// <summary>No particular intent.</summary>
    None = 0,

    /// <summary>Will need the range soon (protective: bumps DONTNEED bids).</summary>
    WillNeed = 1,

    /// <summary>Sequential access (protective).</summary>
    Sequential = 2,

    /// <summary>Random access.</summary>
    Random = 3,

    /// <summary>Will not need the range (cannot win while a protective bid is live).</summary>
    DontNeed = 4,
}
