using System.Runtime.InteropServices;

namespace Splinter.Interop.Store.Interop;

/// <summary>The few libc calls the store layer makes itself: its own read-write mapping of the store, the pre-open check and the identity of files.</summary>
/// <remarks>Cold paths only (open/create); errno travels through SetLastError here, never on data operations.</remarks>
internal static unsafe partial class StoreLibc
{
    static StoreLibc() => Native.SplinterLibrary.EnsureResolver(); // "libc.so.6" is resolved for musl too
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x1;
    public const int MAP_PRIVATE = 0x2;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;

    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_INO = 0x100;
    public const uint STATX_SIZE = 0x200;
    public const ushort S_IFMT = 0xF000;
    public const ushort S_IFREG = 0x8000;

    private const string Libc = Native.SplinterLibrary.SystemLibraryName;

    /// <summary>struct statx (arch-independent layout; only the fields we read are named).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
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

    /// <summary>The struct statx buffer's device and inode as one comparable value.</summary>
    public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode)
    {
        /// <inheritdoc/>
        public override string ToString() => $"device {DeviceMajor}:{DeviceMinor} inode {Inode}";
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags);

    /// <summary>
    /// statx(2) through syscall(2): glibc exports a statx wrapper only from 2.28 and musl from 1.2.5, both above the
    /// floor the package supports (README, Platforms); the system call itself is in every kernel .NET 10 runs on.
    /// Returns 0, or -1 with errno (SetLastError).
    /// </summary>
    public static int StatxCall(int dirfd, byte* path, int flags, uint mask, Statx* buffer) =>
        (int)Syscall(StatxNumber, dirfd, (nint)path, flags, (nint)mask, (nint)buffer);

    /// <summary>The statx system call's number: 332 on x86_64, 291 on arm64 (the generic table).</summary>
    private static readonly nint StatxNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 332,
        Architecture.Arm64 => 291,
        var other => throw new System.PlatformNotSupportedException($"Splinter.Interop does not know the statx system call number of {other}."),
    };

    /// <summary>
    /// long syscall(long number, ...), with five integer arguments. NOTE: variadic in C; on the Linux x86_64 and arm64
    /// calling conventions integer arguments passed through "..." travel exactly like fixed ones.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint argument1, nint argument2, nint argument3, nint argument4, nint argument5);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport(Libc, EntryPoint = "statvfs", SetLastError = true)]
    public static partial int Statvfs(byte* path, StatvfsBuffer* buffer);

    /// <summary>struct statvfs on 64-bit Linux (glibc and musl): only the fields we read are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 112)]
    public struct StatvfsBuffer
    {
        [FieldOffset(8)]
        public ulong FragmentSize;

        [FieldOffset(32)]
        public ulong BlocksAvailable;
    }

    [LibraryImport(Libc, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport(Libc, EntryPoint = "chmod", SetLastError = true)]
    public static partial int Chmod(byte* path, uint mode);
}
