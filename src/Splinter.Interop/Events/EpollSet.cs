using System.Collections.Generic;
using System.Runtime.InteropServices;
using System;
using Splinter.Interop.Native;

namespace Splinter.Interop.Events;

/// <summary>
/// One epoll instance and the descriptors registered in it, each reported by a token. A registered descriptor is kept
/// open by a reference (DangerousAddRef) until it is removed or the set is disposed, so it can never be closed, and
/// its number reused, while epoll still knows it. Registration may change while another thread is inside
/// <see cref="Wait"/> (epoll allows that). Used by the async waiter thread (<see cref="FdWaiter{T}"/>) and by the
/// blocking waits of <see cref="EventSubscription"/>.
/// </summary>
internal sealed unsafe class EpollSet : IDisposable
{
    private readonly EventFdHandle _epoll;
    private readonly Dictionary<SafeHandle, int> _registered = new();
    private bool _disposed;

    public EpollSet()
    {
        int fd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (fd < 0)
        {
            throw SystemCall.Failure("epoll_create1", SystemCall.LastError);
        }

        _epoll = new EventFdHandle(fd);
    }

    /// <summary>Registers <paramref name="handle"/> for <paramref name="events"/> (EPOLLIN, EPOLLET...), reported as <paramref name="token"/>.</summary>
    public void Add(SafeHandle handle, uint events, ulong token)
    {
        bool referenced = false;
        handle.DangerousAddRef(ref referenced);
        try
        {
            int fd = (int)handle.DangerousGetHandle().ToInt64();
            byte* registration = stackalloc byte[16];
            *(uint*)registration = events;
            *(ulong*)(registration + LibC.EpollEventDataOffset) = token;
            lock (_registered)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (LibC.epoll_ctl(_epoll.Descriptor, LibC.EPOLL_CTL_ADD, fd, registration) != 0)
                {
                    throw SystemCall.Failure("epoll_ctl(EPOLL_CTL_ADD)", SystemCall.LastError);
                }

                _registered.Add(handle, fd);
                referenced = false; // the set keeps the reference
            }
        }
        finally
        {
            if (referenced)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Unregisters <paramref name="handle"/> (nothing when it is not registered) and drops the set's reference.</summary>
    public void Remove(SafeHandle handle)
    {
        lock (_registered)
        {
            if (!_registered.Remove(handle, out int fd))
            {
                return;
            }

            LibC.epoll_ctl(_epoll.Descriptor, LibC.EPOLL_CTL_DEL, fd, null);
        }

        handle.DangerousRelease();
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) and writes the tokens of the ready descriptors
    /// into <paramref name="tokens"/>: their count, 0 on timeout, -1 when a signal interrupted the wait.
    /// </summary>
    public int Wait(Span<ulong> tokens, int timeoutMilliseconds)
    {
        bool referenced = false;
        try
        {
            // The reference keeps the epoll descriptor open (and its number unused) until the wait returns.
            _epoll.DangerousAddRef(ref referenced);
            return WaitOwned(tokens, timeoutMilliseconds);
        }
        finally
        {
            if (referenced)
            {
                _epoll.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// <see cref="Wait"/> without the reference on the epoll descriptor, for the one thread that also disposes the set
    /// (<see cref="FdWaiter{T}"/>'s: its set is disposed only by that thread, when it leaves), so the descriptor cannot be
    /// closed under the wait. Registration from other threads meanwhile is fine, as for <see cref="Wait"/>.
    /// </summary>
    public int WaitOwned(Span<ulong> tokens, int timeoutMilliseconds)
    {
        int max = Math.Min(tokens.Length, 8);
        byte* events = stackalloc byte[8 * 16];
        int count = LibC.epoll_wait(_epoll.Descriptor, events, max, timeoutMilliseconds);
        if (count < 0)
        {
            int errno = Marshal.GetLastSystemError();
            return errno == Errno.EINTR ? -1 : throw SystemCall.Failure("epoll_wait", errno);
        }

        for (int i = 0; i < count; i++)
        {
            tokens[i] = *(ulong*)(events + (i * LibC.EpollEventSize) + LibC.EpollEventDataOffset);
        }

        return count;
    }

    /// <summary>Closes the epoll instance and drops every reference it held.</summary>
    public void Dispose()
    {
        List<SafeHandle> held;
        lock (_registered)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            held = [.. _registered.Keys];
            _registered.Clear();
        }

        _epoll.Dispose();
        foreach (SafeHandle handle in held)
        {
            handle.DangerousRelease();
        }
    }
}
