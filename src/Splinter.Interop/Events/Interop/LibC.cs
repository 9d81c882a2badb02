using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

/// <summary>
/// The few libc entry points the event layer needs, imported by hand (they are not part of
/// splinter.h, so the generator does not see them). One file per entry point, C names kept.
/// Every import sets the last P/Invoke error: read it with <see cref="Marshal.GetLastPInvokeError"/>.
/// These calls are made once per wait or per descriptor, never per store operation, so the
/// cost of saving errno does not matter here.
/// </summary>
internal static partial class LibC
{
    static LibC() => Native.SplinterLibrary.EnsureResolver(); // "libc.so.6" is resolved for musl too

    /// <summary>glibc's runtime name; "libc" alone would resolve to the linker script libc.so.</summary>
    internal const string LibraryName = Native.SplinterLibrary.SystemLibraryName;

    internal const int EPERM = 1;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int EINVAL = 22;
    internal const int EMFILE = 24;
    internal const int ENOSYS = 38;

    // eventfd(2) flags (Linux values; the same on x86_64 and arm64).
    internal const int EFD_SEMAPHORE = 0x1;
    internal const int EFD_NONBLOCK = 0x800;
    internal const int EFD_CLOEXEC = 0x80000;

    // poll(2)
    internal const short POLLIN = 0x1;

    // epoll(7)
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const uint EPOLLIN = 0x1;
    internal const uint EPOLLERR = 0x8;
    internal const uint EPOLLHUP = 0x10;
    internal const uint EPOLLONESHOT = 0x40000000;
    internal const uint EPOLLET = 0x80000000;

    // fcntl(2)
    internal const int F_GETFD = 1;
    internal const int F_SETFD = 2;
    internal const int FD_CLOEXEC = 1;
}
