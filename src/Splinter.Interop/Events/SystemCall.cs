using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

/// <summary>Turns a failed libc call into an exception that names the call and the errno.</summary>
internal static class SystemCall
{
    /// <summary>The errno of the last import made with SetLastError.</summary>
    internal static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>An exception for <paramref name="call"/> failing with <paramref name="errno"/>.</summary>
    internal static SplinterException Failure(string call, int errno) =>
        new($"{call} failed with {Errno.Name(errno)}.", errno);

    /// <summary>Registers <paramref name="fd"/> with an epoll instance for <paramref name="events"/>, reporting <paramref name="token"/>.</summary>
    internal static unsafe void EpollAdd(int epollFd, int fd, uint events, ulong token)
    {
        LibC.EpollEvent registration = new() { events = events, data = token };
        if (LibC.epoll_ctl(epollFd, LibC.EPOLL_CTL_ADD, fd, &registration) != 0)
        {
            throw Failure("epoll_ctl(EPOLL_CTL_ADD)", LastError);
        }
    }
}
