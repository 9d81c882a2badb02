using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

internal static partial class LibC
{
    /// <summary>
    /// struct epoll_event. NOTE: glibc declares it packed on x86_64 (12 bytes: the 64-bit data
    /// follows the 32-bit events mask directly); on arm64 it is naturally aligned (16 bytes).
    /// Only x86_64 is a supported target of the native package, so this mirror is the packed form;
    /// <see cref="EpollEventLayoutIsNative"/> guards against use on another architecture.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEvent
    {
        public uint events;
        public ulong data;
    }

    /// <summary>True when <see cref="EpollEvent"/> matches this process's struct epoll_event.</summary>
    internal static bool EpollEventLayoutIsNative =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    /// <summary>int epoll_create1(int flags).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    /// <summary>int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    /// <summary>int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int epoll_wait(int epfd, EpollEvent* events, int maxevents, int timeout);
}
