using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>int close(int fd).</summary>
    // NOTE: never retry close on EINTR: on Linux the descriptor is already released.
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int close(int fd);
}
