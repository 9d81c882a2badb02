namespace Splinter.Interop;

/// <summary>How libsplinter scrubs value bytes on writes and deletes (the "mop" mode).</summary>
public enum SplinterMopMode
{
    /// <summary>No scrubbing: stale bytes beyond a shorter value remain.</summary>
    None = 0,

    /// <summary>Hybrid (default): zero the written length rounded up to 64 bytes; delete zeroes the whole region.</summary>
    Hybrid = 1,

    /// <summary>Full: zero the whole value region before every write.</summary>
    Full = 2,
}
