using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const short POLLIN = 0x1;

    /// <summary>struct pollfd (8 bytes on every Linux ABI).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    /// <summary>int poll(struct pollfd *fds, nfds_t nfds, int timeout): ready count, 0 on timeout, -1 with errno.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint nfds, int timeout);
}
