namespace Splinter.Interop;

/// <summary>Which client-maintained time of a slot to write (SPL_TIME_*).</summary>
public enum SplinterSlotTime : ushort
{
    /// <summary>The creation time (ctime).</summary>
    Creation = 0,

    /// <summary>The access time (atime).</summary>
    Access = 1,
}
