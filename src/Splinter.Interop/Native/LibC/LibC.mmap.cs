using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x1;
    internal const int MAP_PRIVATE = 0x2;
    internal const int MAP_FIXED = 0x10;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_NORESERVE = 0x4000;

    /// <summary>void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset): MAP_FAILED ((void*)-1) with errno on failure.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    /// <summary>int munmap(void *addr, size_t length).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int munmap(void* address, nuint length);
}
