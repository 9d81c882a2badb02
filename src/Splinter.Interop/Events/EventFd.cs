using System;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop.Native;

namespace Splinter.Interop;

/// <summary>
/// A Linux eventfd: a 64-bit kernel counter that writers add to and a reader takes in one go.
/// Created non-blocking and close-on-exec. Counter mode (the default): <see cref="TryRead"/>
/// returns everything accumulated since the last read and resets it to 0. Semaphore mode: each
/// read takes exactly 1.
/// </summary>
/// <remarks>
/// <see cref="WaitAsync"/> parks no thread of the caller's: the first call starts one dedicated
/// waiter thread for this instance (kept until <see cref="Dispose"/>), and the code after the
/// await runs on that thread. Keep that code short or hand it off; it delays only this instance.
/// </remarks>
public sealed class EventFd : IDisposable
{
    private readonly EventFdHandle _handle;
    private Events.EventFdWaiter? _waiter;
    private int _disposed;

    /// <summary>Creates an eventfd with counter 0.</summary>
    /// <param name="semaphore">True for semaphore mode (each read takes 1); false for counter mode.</param>
    public EventFd(bool semaphore = false)
        : this(0, semaphore)
    {
    }

    /// <summary>Creates an eventfd with an initial counter value.</summary>
    /// <param name="initialValue">Starting counter value.</param>
    /// <param name="semaphore">True for semaphore mode (each read takes 1); false for counter mode.</param>
    public EventFd(uint initialValue, bool semaphore)
    {
        Native.LinuxOnly.ThrowIfNotLinux();
        int flags = LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC | (semaphore ? LibC.EFD_SEMAPHORE : 0);
        int fd = LibC.eventfd(initialValue, flags);
        if (fd < 0)
        {
            throw Events.SystemCall.Failure("eventfd", Events.SystemCall.LastError);
        }

        _handle = new EventFdHandle(fd);
        IsSemaphore = semaphore;
    }

    /// <summary>True when each read takes exactly 1 (semaphore mode).</summary>
    public bool IsSemaphore { get; }

    /// <summary>The descriptor, for your own poll/epoll loop. It stays owned by this instance.</summary>
    public EventFdHandle SafeHandle => _handle;

    /// <summary>
    /// Adds <paramref name="count"/> to the counter, waking every waiter.
    /// Throws <see cref="OverflowException"/> when the counter would pass 0xFFFFFFFFFFFFFFFE (nobody drained it).
    /// </summary>
    public unsafe void Notify(ulong count = 1)
    {
        if (count == ulong.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "An eventfd counter holds at most 0xFFFFFFFFFFFFFFFE; 0xFFFFFFFFFFFFFFFF cannot be added.");
        }

        bool referenced = false;
        try
        {
            _handle.DangerousAddRef(ref referenced);
            while (true)
            {
                nint written = LibC.write(_handle.Descriptor, &count, sizeof(ulong));
                if (written == sizeof(ulong))
                {
                    return;
                }

                int errno = Events.SystemCall.LastError;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno == Errno.EAGAIN)
                {
                    throw new OverflowException($"Adding {count} would overflow the eventfd counter (maximum 0xFFFFFFFFFFFFFFFE); a reader must drain it first.");
                }

                throw Events.SystemCall.Failure("write(eventfd)", errno);
            }
        }
        finally
        {
            if (referenced)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Takes the pending count without blocking: the accumulated value (1 in semaphore mode), or 0 when nothing is pending.</summary>
    public ulong TryRead()
    {
        bool referenced = false;
        try
        {
            _handle.DangerousAddRef(ref referenced);
            return ReadNonBlocking(_handle.Descriptor);
        }
        finally
        {
            if (referenced)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Blocks the calling thread until a count is pending (then takes it, as <see cref="TryRead"/>) or
    /// <paramref name="timeout"/> passes (returns 0). <see cref="Timeout.InfiniteTimeSpan"/> waits forever.
    /// Disposing meanwhile closes the descriptor only when this call returns.
    /// </summary>
    public unsafe ulong Read(TimeSpan timeout)
    {
        Events.Deadline.Validate(timeout, nameof(timeout));
        long deadline = Events.Deadline.From(timeout);
        bool referenced = false;
        try
        {
            _handle.DangerousAddRef(ref referenced);
            int fd = _handle.Descriptor;
            while (true)
            {
                ulong value = ReadNonBlocking(fd);
                if (value != 0)
                {
                    return value;
                }

                int wait = Events.Deadline.RemainingMilliseconds(deadline);
                if (wait == 0)
                {
                    return 0;
                }

                LibC.PollFd poll = new() { fd = fd, events = LibC.POLLIN };
                if (LibC.poll(&poll, 1, wait) < 0)
                {
                    int errno = Events.SystemCall.LastError;
                    if (errno != Errno.EINTR)
                    {
                        throw Events.SystemCall.Failure("poll(eventfd)", errno);
                    }
                }
            }
        }
        finally
        {
            if (referenced)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Completes when a count is pending and takes it (as <see cref="TryRead"/>). No caller thread is
    /// parked; the continuation runs on this instance's waiter thread. Cancellation completes it with
    /// <see cref="OperationCanceledException"/> from that thread (never on the cancelling thread);
    /// <see cref="Dispose"/> completes it with <see cref="ObjectDisposedException"/>. One wait at a time.
    /// </summary>
    public ValueTask<ulong> WaitAsync(CancellationToken cancellationToken = default)
    {
        ulong value = TryRead();
        if (value != 0)
        {
            return new ValueTask<ulong>(value);
        }

        return Waiter().WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);
    }

    /// <summary>Ends any wait (with <see cref="ObjectDisposedException"/>) and closes the descriptor, once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _waiter, null)?.Dispose();
        _handle.Dispose();
    }

    internal static unsafe ulong ReadNonBlocking(int fd)
    {
        while (true)
        {
            ulong value;
            nint read = LibC.read(fd, &value, sizeof(ulong));
            if (read == sizeof(ulong))
            {
                return value;
            }

            int errno = Events.SystemCall.LastError;
            if (errno == Errno.EAGAIN)
            {
                return 0;
            }

            if (errno != Errno.EINTR)
            {
                throw Events.SystemCall.Failure("read(eventfd)", errno);
            }
        }
    }

    private Events.EventFdWaiter Waiter() =>
        Volatile.Read(ref _waiter)
        ?? Events.LazyWaiter.Create(this, ref _waiter, ref _disposed, static owner => new Events.EventFdWaiter(owner._handle));
}
