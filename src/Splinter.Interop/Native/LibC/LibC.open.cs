using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int O_RDWR = 0x2;
    internal const int O_NOCTTY = 0x100;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>int open(const char *path, int flags): a descriptor, or -1 with errno. Never creates (no mode argument).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int open(byte* path, int flags);
}
