using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int AT_FDCWD = -100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_INO = 0x100;
    internal const uint STATX_SIZE = 0x200;
    internal const ushort S_IFMT = 0xF000;
    internal const ushort S_IFREG = 0x8000;

    /// <summary>struct statx (the same layout on every architecture; only the fields read here are named).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct Statx
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }

    /// <summary>
    /// int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf), through
    /// <see cref="syscall(nint, nint, nint, nint, nint, nint)"/> (the libc wrappers are newer than the floor). 0, or -1
    /// with errno.
    /// </summary>
    internal static unsafe int statx(int dirfd, byte* path, int flags, uint mask, Statx* buffer) =>
        (int)syscall(SYS_statx, dirfd, (nint)path, flags, (nint)mask, (nint)buffer);
}
