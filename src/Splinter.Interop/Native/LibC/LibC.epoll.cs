using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const uint EPOLLIN = 0x1;
    internal const uint EPOLLONESHOT = 0x40000000;
    internal const uint EPOLLET = 0x80000000;

    /// <summary>
    /// Bytes of one struct epoll_event (a 32-bit event mask and 64 bits of user data). NOTE: the kernel declares it
    /// packed on x86_64 (12 bytes, the data at offset 4) and naturally aligned elsewhere, arm64 included (16 bytes, the
    /// data at offset 8); <see cref="Events.EpollSet"/> reads and writes it through these two numbers.
    /// </summary>
    internal static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    /// <summary>Offset of the user data in struct epoll_event (see <see cref="EpollEventSize"/>).</summary>
    internal static readonly int EpollEventDataOffset = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 4 : 8;

    /// <summary>int epoll_create1(int flags).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    /// <summary>int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    /// <summary>
    /// int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout), without SetLastError: that
    /// stub clears errno before every call and copies it after (two more native calls and a thread-local store on each
    /// wake-up). The caller reads errno itself (Marshal.GetLastSystemError) only when the result is negative, right
    /// after the call, as the SetLastError stub does.
    /// </summary>
    [LibraryImport(LibraryName)]
    internal static unsafe partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);
}
