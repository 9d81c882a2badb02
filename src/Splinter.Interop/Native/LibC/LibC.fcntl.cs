using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int FD_CLOEXEC = 1;

    /// <summary>
    /// int fcntl(int fd, int cmd, int arg). NOTE: fcntl is variadic in C; on the Linux x86_64 and
    /// arm64 calling conventions an int passed through "..." travels exactly like a fixed int
    /// parameter, which is what this import relies on. Only F_GETFD / F_SETFD are used.
    /// </summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);
}
