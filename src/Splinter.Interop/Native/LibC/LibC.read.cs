using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>ssize_t read(int fd, void *buf, size_t count).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial nint read(int fd, void* buf, nuint count);
}
