using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop.Events;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// One subscriber's view of the event bus: its own descriptor, its own waits, and its own memory
/// of slot epochs, so <see cref="ReadChanges"/> reports exactly the slots whose content changed
/// since it last looked, whatever other processes do with the shared bus counter.
/// </summary>
/// <remarks>
/// <para>Nothing is lost: the change list is computed by comparing every slot's (hash, epoch, labels)
/// with this subscription's memory, read through the struct mirrors with the seqlock protocol, not by
/// counting wake-ups. The waits are edge-triggered epoll registrations that never read the shared
/// counter; an edge that epoll drops because another reader (upstream's
/// <c>splinter_event_bus_wait</c>) drained the counter first is caught by the global-epoch check
/// (<see cref="GlobalEpochCheckInterval"/>), so a wake-up can be late but not lost. The cumulative
/// dirty mask is not needed (it never clears and aliases modulo 1024 slots).</para>
/// <para>Async waits run on one dedicated thread per subscription (started by the first async
/// wait); the code after the await runs inline on that thread, so it can only delay this
/// subscription. Use it from one consumer at a time: concurrent reads or concurrent waits of the
/// same kind throw <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed unsafe class EventSubscription : IDisposable
{
    private const ulong BusToken = 0;
    private const ulong DisposedToken = 1;
    private const ulong OwnerToken = 2;
    private const int StableReadAttempts = 64;

    private readonly SplinterStore _store;
    private readonly EventFdHandle _bus;
    private readonly EventFdHandle _syncEpoll;
    private readonly EventFdHandle _disposedSignal;
    private readonly EventFdHandle? _ownerPidfd;
    private readonly int _ownerPid;
    private readonly SlotMemory[] _memory;
    private readonly ChangeBatch _batch = new();
    private SubscriptionWaiter? _waiter;
    private int _reading;
    private int _syncWaiting;
    private int _disposed;
    private bool _skippedBusySlot;
    private TimeSpan _rescanInterval = TimeSpan.FromSeconds(1);
    private int _globalEpochCheckMilliseconds = 50;
    private ulong _baselineGlobalEpoch;
    private ulong _syncObservedGlobalEpoch;

    /// <summary>
    /// Takes ownership of <paramref name="bus"/> and <paramref name="ownerPidfd"/>; the caller holds a
    /// store lease. <paramref name="ownerPid"/> is the owner process when it is another one (0 for
    /// this process); <paramref name="ownerPidfd"/> is its pidfd, null where the kernel has none.
    /// </summary>
    internal EventSubscription(SplinterStore store, EventFdHandle bus, int ownerPid, EventFdHandle? ownerPidfd)
    {
        _store = store;
        _bus = bus;
        _ownerPid = ownerPid;
        _ownerPidfd = ownerPidfd;
        _memory = new SlotMemory[store.SlotCount];

        int epollFd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epollFd < 0)
        {
            throw SystemCall.Failure("epoll_create1", SystemCall.LastError);
        }

        _syncEpoll = new EventFdHandle(epollFd);
        int signalFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (signalFd < 0)
        {
            int errno = SystemCall.LastError;
            _syncEpoll.Dispose();
            throw SystemCall.Failure("eventfd", errno);
        }

        _disposedSignal = new EventFdHandle(signalFd);
        try
        {
            SystemCall.EpollAdd(epollFd, bus.Descriptor, LibC.EPOLLIN | LibC.EPOLLET, BusToken);
            SystemCall.EpollAdd(epollFd, signalFd, LibC.EPOLLIN, DisposedToken);
            if (ownerPidfd is not null)
            {
                // Level-triggered: once the owner exited, every later Wait reports it too.
                SystemCall.EpollAdd(epollFd, ownerPidfd.Descriptor, LibC.EPOLLIN, OwnerToken);
            }

            Baseline();
            _syncObservedGlobalEpoch = _baselineGlobalEpoch;
        }
        catch
        {
            _syncEpoll.Dispose();
            _disposedSignal.Dispose();
            throw;
        }
    }

    /// <summary>The bus descriptor of this subscription, for your own poll/epoll loop (register it edge-triggered and never read it: the counter is shared).</summary>
    public EventFdHandle SafeHandle => _bus;

    /// <summary>
    /// How long <see cref="WatchAsync"/> waits without a wake-up before it rescans anyway, to report
    /// changes that neither signal the bus nor move the store's global epoch (unset, bump, purge).
    /// Default 1 second; <see cref="Timeout.InfiniteTimeSpan"/> turns the rescan off.
    /// </summary>
    public TimeSpan RescanInterval
    {
        get => _rescanInterval;
        set
        {
            Deadline.Validate(value, nameof(value));
            if (value == TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rescan interval of zero would spin; use a positive interval or Timeout.InfiniteTimeSpan.");
            }

            _rescanInterval = value;
        }
    }

    /// <summary>
    /// How often a wait that has not been signalled checks the store's global epoch (one atomic load).
    /// Two kinds of writes are only noticed this way: writes whose wake-up was lost because another
    /// reader drained the shared counter before epoll looked at it (upstream's
    /// splinter_event_bus_wait drains it; epoll re-checks readiness and drops such an edge), and
    /// writes made in non-owner processes, which libsplinter never signals (spec Q42).
    /// Default 50 ms; <see cref="Timeout.InfiniteTimeSpan"/> turns the check off (pure wake-ups).
    /// </summary>
    public TimeSpan GlobalEpochCheckInterval
    {
        get => _globalEpochCheckMilliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(_globalEpochCheckMilliseconds);
        set
        {
            Deadline.Validate(value, nameof(value));
            if (value == TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A check interval of zero would spin; use a positive interval or Timeout.InfiniteTimeSpan.");
            }

            Volatile.Write(ref _globalEpochCheckMilliseconds, value == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, (int)Math.Ceiling(value.TotalMilliseconds)));
        }
    }

    /// <summary>The pidfd of the owner process when it is another process and the kernel has pidfds (the async waiter's end signal).</summary>
    internal EventFdHandle? OwnerProcessHandle => _ownerPidfd;

    /// <summary>The periodic check interval in milliseconds, -1 for none (read by the waiter thread).</summary>
    internal int GlobalEpochCheckMilliseconds => Volatile.Read(ref _globalEpochCheckMilliseconds);

    /// <summary>
    /// Blocks the calling thread until something was written since the previous wait of this kind
    /// returned, or <paramref name="timeout"/> passes. True when the bus was signalled (or the global
    /// epoch check found a write, see <see cref="GlobalEpochCheckInterval"/>), false on timeout.
    /// <see cref="Dispose"/> from another thread ends the wait with <see cref="ObjectDisposedException"/>.
    /// When the bus owner is another process and it exits, this wait and every later one throw
    /// <see cref="EventBusUnavailableException"/> (OwnerGone): nobody can signal this bus any more.
    /// </summary>
    public bool Wait(TimeSpan timeout)
    {
        Deadline.Validate(timeout, nameof(timeout));
        if (Interlocked.Exchange(ref _syncWaiting, 1) != 0)
        {
            throw new InvalidOperationException("Another thread is already inside Wait on this subscription.");
        }

        bool referenced = false;
        bool signalReferenced = false;
        try
        {
            // Both references keep the descriptors open until this wait returns, so Dispose's
            // signal cannot vanish with a close before epoll_wait has collected it.
            _syncEpoll.DangerousAddRef(ref referenced);
            _disposedSignal.DangerousAddRef(ref signalReferenced);
            long deadline = Deadline.From(timeout);
            LibC.EpollEvent* events = stackalloc LibC.EpollEvent[3];
            while (true)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                if (GlobalEpochMoved(ref _syncObservedGlobalEpoch))
                {
                    return true;
                }

                if (OwnerExitedWithoutPidfd())
                {
                    throw OwnerExitedFailure();
                }

                int sleep = Deadline.RemainingMilliseconds(deadline);
                int check = GlobalEpochCheckMilliseconds;
                if (check >= 0 && (sleep < 0 || check < sleep))
                {
                    sleep = check;
                }

                int count = LibC.epoll_wait(_syncEpoll.Descriptor, events, 3, sleep);
                if (count < 0)
                {
                    int errno = SystemCall.LastError;
                    if (errno == LibC.EINTR)
                    {
                        continue;
                    }

                    throw SystemCall.Failure("epoll_wait", errno);
                }

                bool signalled = false;
                bool ownerExited = false;
                for (int i = 0; i < count; i++)
                {
                    if (events[i].data == DisposedToken)
                    {
                        throw new ObjectDisposedException(nameof(EventSubscription));
                    }

                    if (events[i].data == OwnerToken)
                    {
                        ownerExited = true;
                    }
                    else
                    {
                        signalled = true;
                    }
                }

                if (signalled)
                {
                    // A wake-up that came with the owner's exit is returned first; the next Wait throws.
                    TryReadGlobalEpoch(out _syncObservedGlobalEpoch);
                    return true;
                }

                if (ownerExited)
                {
                    throw OwnerExitedFailure();
                }

                if (count == 0 && Deadline.RemainingMilliseconds(deadline) == 0)
                {
                    return GlobalEpochMoved(ref _syncObservedGlobalEpoch);
                }
            }
        }
        finally
        {
            if (signalReferenced)
            {
                _disposedSignal.DangerousRelease();
            }

            if (referenced)
            {
                _syncEpoll.DangerousRelease();
            }

            Volatile.Write(ref _syncWaiting, 0);
        }
    }

    /// <summary>
    /// Completes when the bus is signalled after the previous async wait (true). No caller thread is
    /// parked and nothing is allocated per wait; the continuation runs on this subscription's waiter
    /// thread. Cancellation completes it with <see cref="OperationCanceledException"/> from that
    /// thread, never on the cancelling thread; <see cref="Dispose"/> completes it with
    /// <see cref="ObjectDisposedException"/>.
    /// </summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken = default) =>
        WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>As <see cref="WaitAsync(CancellationToken)"/>, returning false when <paramref name="timeout"/> passes first.</summary>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.Validate(timeout, nameof(timeout));
        return Waiter().WaitAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// The slots whose content changed since this subscription last looked (or since it was created):
    /// written (epoch moved), removed (key left the slot), labels changed. Every change completed before
    /// the call started is reported by it or an earlier call, except in a slot that a writer holds at
    /// that moment (odd epoch after a short spin): that slot is reported by the first read after the
    /// writer releases it. The returned batch is reused by the next call.
    /// </summary>
    public ChangeBatch ReadChanges()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("ReadChanges is already running on this subscription; use one consumer per subscription.");
        }

        try
        {
            using var lease = _store.Lease();
            _batch.Clear();
            Scan(report: true);
            return _batch;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>
    /// The change feed: yields each non-empty <see cref="ChangeBatch"/> (valid until the next one is
    /// requested), waiting for the bus in between and rescanning every <see cref="RescanInterval"/>
    /// without a wake-up. Cancellation ends it with <see cref="OperationCanceledException"/>;
    /// disposing the subscription ends it with <see cref="ObjectDisposedException"/>. When the bus
    /// owner is another process and it exits, the feed yields a last batch of the changes not yet
    /// reported (if any) and ends with <see cref="EventBusUnavailableException"/> (OwnerGone).
    /// </summary>
    public async IAsyncEnumerable<ChangeBatch> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int busyBackoffMilliseconds = 1;
        while (true)
        {
            ChangeBatch batch = ReadChanges();
            if (batch.Count > 0)
            {
                yield return batch;
            }

            TimeSpan wait = _rescanInterval;
            if (_skippedBusySlot)
            {
                // A slot seen mid-write is rescanned soon even if its writer never signals; backing
                // off (1, 2, 4 ... ms, at most the rescan interval or 1 s) bounds the cost when a
                // writer died inside a slot and left it odd.
                TimeSpan backoff = TimeSpan.FromMilliseconds(busyBackoffMilliseconds);
                wait = wait == Timeout.InfiniteTimeSpan ? TimeSpan.FromMilliseconds(Math.Min(busyBackoffMilliseconds, 1000)) : (backoff < wait ? backoff : wait);
                busyBackoffMilliseconds = Math.Min(busyBackoffMilliseconds * 2, 1000);
            }
            else
            {
                busyBackoffMilliseconds = 1;
            }

            ExceptionDispatchInfo? ownerGone = null;
            try
            {
                await WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (EventBusUnavailableException exception)
            {
                ownerGone = ExceptionDispatchInfo.Capture(exception);
            }

            if (ownerGone is not null)
            {
                // Nothing is lost: what changed before the owner's exit was noticed comes first.
                ChangeBatch last = ReadChanges();
                if (last.Count > 0)
                {
                    yield return last;
                }

                ownerGone.Throw();
            }
        }
    }

    /// <summary>Ends any wait in progress (sync or async) and closes the descriptors, once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _waiter, null)?.Dispose();
        _disposedSignal.SignalOne();
        _syncEpoll.Dispose();
        _disposedSignal.Dispose();
        _ownerPidfd?.Dispose();
        _bus.Dispose();
    }

    private SubscriptionWaiter Waiter() =>
        Volatile.Read(ref _waiter)
        ?? LazyWaiter.Create(
            this, ref _waiter, ref _disposed, static owner => new SubscriptionWaiter(owner, owner._bus, owner._baselineGlobalEpoch));

    /// <summary>The exception that ends waits once the owner process exited.</summary>
    internal EventBusUnavailableException OwnerExitedFailure() => EventBusUnavailableException.OwnerExited(_ownerPid);

    /// <summary>
    /// The fallback where the kernel has no pidfds (ENOSYS): true when the owner is another process
    /// and kill(pid, 0) says it no longer exists. Always false with a pidfd (that one is watched by
    /// epoll) or when this process owns the bus. NOTE: a reused pid reads as alive here.
    /// </summary>
    internal bool OwnerExitedWithoutPidfd() =>
        _ownerPid > 0 && _ownerPidfd is null && LibC.kill(_ownerPid, 0) != 0 && SystemCall.LastError == LibC.ESRCH;

    /// <summary>Reads the store's global epoch; false when the store is closed.</summary>
    internal bool TryReadGlobalEpoch(out ulong globalEpoch)
    {
        globalEpoch = 0;
        if (_store.IsDisposed)
        {
            return false;
        }

        try
        {
            using var lease = _store.Lease();
            globalEpoch = Volatile.Read(ref _store.Header->epoch);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>True (and <paramref name="observed"/> updated) when the global epoch differs from <paramref name="observed"/>.</summary>
    internal bool GlobalEpochMoved(ref ulong observed)
    {
        if (GlobalEpochCheckMilliseconds < 0 || !TryReadGlobalEpoch(out ulong current) || current == observed)
        {
            return false;
        }

        observed = current;
        return true;
    }

    /// <summary>Records the current state of every slot (and the global epoch first) without reporting it.</summary>
    private void Baseline()
    {
        _baselineGlobalEpoch = Volatile.Read(ref _store.Header->epoch);
        Scan(report: false);
    }

    private void Scan(bool report)
    {
        _skippedBusySlot = false;
        ref MappedStore mapped = ref _store.Mapped;
        int count = _memory.Length;
        for (int index = 0; index < count; index++)
        {
            splinter_slot* slot = mapped.Slot((uint)index);
            ref SlotMemory memory = ref _memory[index];

            // Fast path: one cache line, three atomic loads; most slots did not change.
            ulong epoch = Volatile.Read(ref slot->epoch);
            if (epoch == memory.Epoch && Volatile.Read(ref slot->hash) == memory.Hash && Volatile.Read(ref slot->bloom) == memory.Bloom)
            {
                continue;
            }

            if (!TryReadStable(slot, ref memory, out epoch, out ulong hash, out ulong bloom, out string? key))
            {
                // A writer is inside this slot; its release will signal (owner) or the next scan sees it.
                _skippedBusySlot = true;
                continue;
            }

            if (report)
            {
                Report(index, ref memory, epoch, hash, key);
            }

            memory.Epoch = epoch;
            memory.Hash = hash;
            memory.Bloom = bloom;
            memory.Key = key;
        }
    }

    private void Report(int index, ref SlotMemory memory, ulong epoch, ulong hash, string? key)
    {
        if (hash == 0)
        {
            if (memory.Hash != 0)
            {
                _batch.Add(new SlotChange(index, memory.Key ?? string.Empty, epoch, SlotChangeKind.Removed));
            }

            // An empty slot whose epoch moved (purge) holds no key: nothing to report.
            return;
        }

        if (memory.Hash != 0 && memory.Hash != hash)
        {
            _batch.Add(new SlotChange(index, memory.Key ?? string.Empty, epoch, SlotChangeKind.Removed));
        }

        SlotChangeKind kind = epoch != memory.Epoch || hash != memory.Hash ? SlotChangeKind.Written : SlotChangeKind.LabelsChanged;
        _batch.Add(new SlotChange(index, key ?? string.Empty, epoch, kind));
    }

    /// <summary>Seqlock read of one slot's identity: even epoch before and after, nothing torn in between.</summary>
    private static bool TryReadStable(splinter_slot* slot, ref SlotMemory memory, out ulong epoch, out ulong hash, out ulong bloom, out string? key)
    {
        byte* keyCopy = stackalloc byte[SlotKeyBytes];
        SpinWait spin = default;
        for (int attempt = 0; attempt < StableReadAttempts; attempt++)
        {
            if (!MappedStore.TryBegin(slot, out epoch))
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            hash = Volatile.Read(ref slot->hash);
            bloom = Volatile.Read(ref slot->bloom);
            bool reuseKey = hash == memory.Hash && memory.Key is not null;
            if (hash != 0 && !reuseKey)
            {
                Buffer.MemoryCopy(slot->key, keyCopy, SlotKeyBytes, SlotKeyBytes);
            }

            if (!MappedStore.End(slot, epoch))
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            key = hash == 0 ? null : reuseKey ? memory.Key : DecodeKey(keyCopy);
            return true;
        }

        epoch = hash = bloom = 0;
        key = null;
        return false;
    }

    private const int SlotKeyBytes = LibSplinter.SPLINTER_KEY_MAX;

    private static string DecodeKey(byte* key)
    {
        ReadOnlySpan<byte> bytes = new(key, SlotKeyBytes);
        int end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>What this subscription last saw in one slot.</summary>
    private struct SlotMemory
    {
        public ulong Hash;
        public ulong Epoch;
        public ulong Bloom;
        public string? Key;
    }
}
