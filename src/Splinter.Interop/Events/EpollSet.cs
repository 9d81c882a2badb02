using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Events;

/// <summary>
/// One epoll instance and the descriptors registered in it, each reported by its <see cref="Ready"/> token. A registered descriptor is kept
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
    public void Add(SafeHandle handle, uint events, Ready token)
    {
        bool referenced = false;
        handle.DangerousAddRef(ref referenced);
        try
        {
            int fd = (int)handle.DangerousGetHandle().ToInt64();
            byte* registration = stackalloc byte[16];
            *(uint*)registration = events;
            *(ulong*)(registration + LibC.EpollEventDataOffset) = (ulong)token;
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
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1 = forever) and returns the tokens of the ready descriptors;
    /// <see cref="Ready.None"/> on timeout or when a signal interrupted the wait.
    /// </summary>
    public Ready Wait(int timeoutMilliseconds)
    {
        bool referenced = false;
        try
        {
            // The reference keeps the epoll descriptor open (and its number unused) until the wait returns.
            _epoll.DangerousAddRef(ref referenced);
            return WaitOwned(timeoutMilliseconds);
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
    public Ready WaitOwned(int timeoutMilliseconds)
    {
        // Every token is one of three bits: eight events cover a set that holds each descriptor at most once per token.
        const int MaxEvents = 8;
        byte* events = stackalloc byte[MaxEvents * 16];
        int count = LibC.epoll_wait(_epoll.Descriptor, events, MaxEvents, timeoutMilliseconds);
        if (count < 0)
        {
            int errno = Marshal.GetLastSystemError();
            return errno == Errno.EINTR ? Ready.None : throw SystemCall.Failure("epoll_wait", errno);
        }

        Ready ready = Ready.None;
        for (int i = 0; i < count; i++)
        {
            ready |= (Ready)(*(ulong*)(events + (i * LibC.EpollEventSize) + LibC.EpollEventDataOffset));
        }

        return ready;
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
