namespace Splinter.Interop;

/// <summary>Advice handed to posix_madvise by the cooperative madvise (the POSIX_MADV_* numbering, passed verbatim).</summary>
public enum SplinterMemoryAdvice
{
    /// <summary>POSIX_MADV_NORMAL.</summary>
    Normal = 0,

    /// <summary>POSIX_MADV_RANDOM.</summary>
    Random = 1,

    /// <summary>POSIX_MADV_SEQUENTIAL.</summary>
    Sequential = 2,

    /// <summary>POSIX_MADV_WILLNEED.</summary>
    WillNeed = 3,

    /// <summary>POSIX_MADV_DONTNEED (a no-op in glibc).</summary>
    DontNeed = 4,
}
