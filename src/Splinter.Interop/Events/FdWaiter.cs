using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using Splinter.Interop.Native;

namespace Splinter.Interop.Events;

/// <summary>
/// One dedicated thread that waits in <c>epoll_wait</c> on its descriptors and completes a reusable
/// value-task source inline on that thread (no allocation per wait, no thread-pool hop).
/// </summary>
/// <remarks>
/// Why this shape (measured, Events/README.md "Async design"): a thread that serves only
/// this waiter and runs the awaiting code inline matched a blocking C waiter's latency; any hop
/// to the thread pool doubled p50 and multiplied p99. Because the thread serves one waiter, the
/// awaiting code can only ever delay itself.
/// <para>
/// The target is registered edge-triggered (EPOLLIN|EPOLLET): every write to it produces a new
/// edge even when nobody reads the counter, so a descriptor shared with other processes that
/// drain it (upstream's <c>splinter_event_bus_wait</c>) cannot steal a wake-up from us.
/// </para>
/// <para>
/// Cancellation, timeouts and disposal never complete the source on the caller's thread: they
/// write the private "kick" eventfd and the waiter thread completes the wait, so a cancelling
/// thread never runs the awaiting code.
/// </para>
/// <para>
/// An optional end signal (e.g. a pidfd of the process that feeds the target) is registered
/// one-shot: when it becomes readable <see cref="OnEndSignal"/> runs; by default the waiter is ended
/// for good, the wait in progress and every later wait fail with <see cref="CreateEndFailure"/>
/// (completed on the waiter thread, like the rest). Targets and end signals can also be added and
/// removed later (<see cref="AddSource"/>), for an owner whose source comes and goes.
/// </para>
/// <para>State machine: Idle -> Waiting (an awaiter registered) -> Idle (thread completed it);
/// Idle -> Pending (an edge arrived while nobody waited) -> Idle (the next wait consumed it).</para>
/// </remarks>
internal abstract unsafe class FdWaiter<T> : IValueTaskSource<T>, IDisposable
{
    private const int Idle = 0;
    private const int Pending = 1;
    private const int Waiting = 2;

    private readonly EventFdHandle _kick;
    private readonly EpollSet _set;
    private readonly Thread _thread;
    private readonly T _timeoutResult;
    private ManualResetValueTaskSourceCore<T> _core;
    private int _state;
    private int _disposed;
    private int _ended;
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;

    // The wait in progress: set by WaitAsync before it publishes the Waiting state, then used by the thread alone.
    private WaitClock _clock;

    /// <summary>
    /// Registers the optional <paramref name="target"/> (edge-triggered) and <paramref name="endSignal"/> (one-shot);
    /// the set keeps both open until the thread ends or they are removed. Starts the thread.
    /// </summary>
    protected FdWaiter(SafeHandle? target, string threadName, T timeoutResult, SafeHandle? endSignal = null)
    {
        _timeoutResult = timeoutResult;
        _core.RunContinuationsAsynchronously = false;

        EpollSet? set = null;
        EventFdHandle? kick = null;
        try
        {
            set = new EpollSet();
            int kickFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (kickFd < 0)
            {
                throw SystemCall.Failure("eventfd", SystemCall.LastError);
            }

            kick = new EventFdHandle(kickFd);
            set.Add(kick, LibC.EPOLLIN, Ready.Kick);
            if (target is not null)
            {
                Register(set, target, Ready.Target);
            }

            if (endSignal is not null)
            {
                Register(set, endSignal, Ready.End);
            }

            _set = set;
            _kick = kick;
            _thread = new Thread(Run, maxStackSize: 0) { IsBackground = true, Name = threadName };
            _thread.UnsafeStart();
        }
        catch
        {
            set?.Dispose();
            kick?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registers another descriptor while the thread runs: a target (<see cref="Ready.Target"/>) or an end signal
    /// (<see cref="Ready.End"/>). Throws ObjectDisposedException once the thread ended.
    /// </summary>
    internal void AddSource(SafeHandle handle, Ready token) => Register(_set, handle, token);

    // A target edge-triggered; an end signal one-shot (it stays readable for ever once raised: one report is enough).
    private static void Register(EpollSet set, SafeHandle handle, Ready token) =>
        set.Add(handle, token == Ready.End ? LibC.EPOLLIN | LibC.EPOLLONESHOT : LibC.EPOLLIN | LibC.EPOLLET, token);

    /// <summary>Unregisters a descriptor added before (the constructor's or <see cref="AddSource"/>'s).</summary>
    internal void RemoveSource(SafeHandle handle) => _set.Remove(handle);

    /// <summary>
    /// Runs on the waiter thread when an end signal became readable. The default ends the waiter for good; an owner
    /// that can carry on without that source (e.g. by polling) overrides it.
    /// </summary>
    protected virtual void OnEndSignal() => Volatile.Write(ref _ended, 1);

    /// <summary>True on the waiter's own thread (where completions and the awaiting code run).</summary>
    internal bool IsWaiterThread => Thread.CurrentThread == _thread;

    /// <summary>Called on the waiter thread (and by a wait that finds an edge pending) to produce the result; false keeps waiting.</summary>
    protected abstract bool TryTake(out T result);

    /// <summary>
    /// How often a wait that saw no edge asks <see cref="TryTakeWithoutEdge"/> (milliseconds, -1 = never).
    /// Read by the waiter thread before each sleep.
    /// </summary>
    protected virtual int PeriodicCheckMilliseconds => -1;

    /// <summary>
    /// Lets a wait complete without an edge (checked when a wait starts and on every periodic
    /// check): e.g. the event bus, where another process may have drained the shared counter
    /// before epoll looked at it, which makes epoll drop that edge.
    /// </summary>
    protected virtual bool TryTakeWithoutEdge(out T result)
    {
        result = default!;
        return false;
    }

    /// <summary>The exception every wait ends with once the waiter was ended (end signal or <see cref="End"/>).</summary>
    protected virtual Exception CreateEndFailure() => new InvalidOperationException("This waiter has ended.");

    /// <summary>
    /// Ends the waiter for good, from any thread: the wait in progress (completed on the waiter
    /// thread) and every later wait fail with <see cref="CreateEndFailure"/>.
    /// </summary>
    protected void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0 && !IsWaiterThread)
        {
            Kick();
        }
    }

    /// <summary>
    /// Waits for the next edge on the target (or one that arrived since the last wait), at most
    /// <paramref name="timeout"/>; returns the timeout result when it passes. One wait at a time.
    /// </summary>
    internal ValueTask<T> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        if (Volatile.Read(ref _ended) != 0)
        {
            return ValueTask.FromException<T>(CreateEndFailure());
        }

        var clock = new WaitClock(timeout);
        while (true)
        {
            int state = Interlocked.CompareExchange(ref _state, Idle, Pending);
            if (state == Pending && TryTake(out T taken))
            {
                return new ValueTask<T>(taken);
            }

            if (state == Waiting)
            {
                throw new InvalidOperationException("A wait is already in progress on this object; only one wait at a time is supported.");
            }

            if (TryTakeWithoutEdge(out T missed))
            {
                return new ValueTask<T>(missed);
            }

            if (timeout == TimeSpan.Zero)
            {
                return new ValueTask<T>(_timeoutResult);
            }

            _core.Reset();
            _token = cancellationToken;
            _clock = clock; // published with the Waiting state below (the CAS is a full fence)
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static self => ((FdWaiter<T>)self!).Kick(), this);
            }

            if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
            {
                // An edge arrived between the check above and now: take it instead of waiting.
                ClearRegistration();
                continue;
            }

            if (Volatile.Read(ref _disposed) != 0 && Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                ClearRegistration();
                return ValueTask.FromException<T>(new ObjectDisposedException(GetType().Name));
            }

            // End() between the check at the top and now: the thread may already have looked at
            // the state and gone back to sleep, so do not leave this wait to it.
            if (Volatile.Read(ref _ended) != 0 && Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                ClearRegistration();
                return ValueTask.FromException<T>(CreateEndFailure());
            }

            // The thread computes its epoll timeout before sleeping; a waiter registered from
            // another thread must wake it so that a finite deadline, the periodic check, or a
            // cancellation that fired before registration is seen.
            if (cancellationToken.IsCancellationRequested ||
                ((!clock.IsInfinite || PeriodicCheckMilliseconds >= 0) && !IsWaiterThread))
            {
                Kick();
            }

            return new ValueTask<T>(this, _core.Version);
        }
    }

    /// <summary>Ends the thread; a wait in progress completes with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kick();
        if (!IsWaiterThread)
        {
            // NOTE: bounded, because the thread may be inside the awaiting code; the descriptors
            // are released by the thread itself when it leaves, never under its feet.
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    /// <inheritdoc/>
    public T GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Kick()
    {
        try
        {
            _kick.SignalOne();
        }
        catch (ObjectDisposedException)
        {
            // The thread already ended and closed its kick descriptor: nothing left to wake.
        }
    }

    private void Run()
    {
        Exception? failure = null;
        try
        {
            while (Volatile.Read(ref _disposed) == 0)
            {
                // This thread alone disposes the set (finally below): owned waits.
                Ready ready = Volatile.Read(ref _state) == Waiting
                    ? _clock.Sleep(_set, PeriodicCheckMilliseconds, owned: true)
                    : _set.WaitOwned(Timeout.Infinite);
                if ((ready & Ready.End) != 0)
                {
                    OnEndSignal();
                }

                if ((ready & Ready.Kick) != 0)
                {
                    ulong drained;
                    LibC.read(_kick.Descriptor, &drained, sizeof(ulong));
                }

                bool targetReady = (ready & Ready.Target) != 0;
                if (Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }

                if (targetReady)
                {
                    OnTargetReady();
                }
                else if (Volatile.Read(ref _state) == Waiting && TryTakeWithoutEdge(out T missed) &&
                         Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                {
                    Complete(missed);
                }

                if (Volatile.Read(ref _ended) != 0 && Volatile.Read(ref _state) == Waiting &&
                    Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                {
                    CompleteWithException(CreateEndFailure());
                }

                // A wait completed by this wake-up may already have been followed by the next one (its continuation runs
                // inline here): that wait just began, so only its cancellation needs a look, not its deadline (a clock read).
                CheckCancellationAndDeadline(checkDeadline: !targetReady);
            }
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                CompleteWithException(failure ?? new ObjectDisposedException(GetType().Name));
            }

            _set.Dispose();
            _kick.Dispose();
        }
    }

    private void OnTargetReady()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Waiting)
            {
                if (TryTake(out T result) && Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
                {
                    Complete(result);
                }

                return;
            }

            if (state == Pending || Interlocked.CompareExchange(ref _state, Pending, Idle) == Idle)
            {
                return;
            }
        }
    }

    private void CheckCancellationAndDeadline(bool checkDeadline = true)
    {
        if (Volatile.Read(ref _state) != Waiting)
        {
            return;
        }

        if (_token.IsCancellationRequested)
        {
            CancellationToken token = _token;
            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                CompleteWithException(new OperationCanceledException(token));
            }
        }
        else if (checkDeadline && _clock.HasPassed && Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            Complete(_timeoutResult);
        }
    }

    private void ClearRegistration()
    {
        CancellationTokenRegistration registration = _registration;
        _registration = default;
        _token = default;

        // Unregister, not Dispose: Dispose waits until a callback that is running on the cancelling thread returns,
        // and the waiter thread is woken by that very callback (its Kick) before Cancel() has returned, so it would
        // spin and then sleep a scheduler tick (4 ms, at the p99 of cancellation latency, measured). A Kick that
        // still lands after this wait completed only wakes the thread once more; after Dispose it is ignored.
        registration.Unregister();
    }

    private void Complete(T result)
    {
        ClearRegistration();
        _core.SetResult(result);
    }

    private void CompleteWithException(Exception exception)
    {
        ClearRegistration();
        _core.SetException(exception);
    }
}
