using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>ssize_t readlink(const char *path, char *buf, size_t bufsiz): bytes written (no NUL) or -1.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial nint readlink(byte* path, byte* buf, nuint bufsiz);
}
