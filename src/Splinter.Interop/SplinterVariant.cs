namespace Splinter.Interop;

/// <summary>Which build of libsplinter backs a store: both share one format, they differ in where the store lives.</summary>
public enum SplinterVariant
{
    /// <summary>libsplinter.so: a POSIX shared-memory object (/dev/shm/&lt;name&gt;).</summary>
    SharedMemory = 0,

    /// <summary>libsplinter_p.so: a regular file at a filesystem path.</summary>
    Persistent = 1,
}
