using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int EFD_SEMAPHORE = 0x1;
    internal const int EFD_NONBLOCK = 0x800;
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>int eventfd(unsigned int initval, int flags): a new eventfd, or -1 with errno.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);
}
