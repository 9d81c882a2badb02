using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>struct statvfs on 64-bit Linux (glibc and musl); only the fields read here are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    internal struct Statvfs
    {
        [FieldOffset(8)]
        public ulong FragmentSize;

        [FieldOffset(32)]
        public ulong BlocksAvailable;
    }

    /// <summary>int statvfs(const char *path, struct statvfs *buf).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int statvfs(byte* path, Statvfs* buffer);
}
