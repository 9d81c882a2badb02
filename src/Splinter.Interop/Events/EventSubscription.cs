using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop.Events;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// One subscriber's view of a store's changes: its own memory of slot epochs, so <see cref="ReadChanges"/> reports
/// exactly the slots whose content changed since it last looked, whoever wrote them, and its own ways of waking up:
/// the store's event bus when one is reachable (<see cref="SubscriptionMode.Bus"/>), otherwise polling of the store's
/// global epoch (<see cref="SubscriptionMode.Polling"/>). It moves between the two on its own (<see cref="Mode"/>).
/// </summary>
/// <remarks>
/// <para>Nothing is lost: the change list is computed by comparing every slot's (hash, epoch, labels) with this
/// subscription's memory, read with the store's seqlock, not by counting wake-ups. A wake-up only says "look again".
/// Bus waits are edge-triggered epoll registrations that never read the shared counter; an edge that epoll drops
/// because another reader (upstream's <c>splinter_event_bus_wait</c>) drained the counter first, and writes in
/// processes that are not the bus owner (which libsplinter never signals), are caught by the global-epoch check
/// (<see cref="GlobalEpochCheckInterval"/>), so a wake-up can be late but not lost. Removals, bumps and purges move no
/// global epoch: <see cref="WatchAsync"/> finds them at its periodic rescan (<see cref="RescanInterval"/>).</para>
/// <para>Async waits run on one dedicated thread per subscription (started by the first async wait); the code after
/// the await runs inline on that thread, so it can only delay this subscription. That code must not block until an
/// async wait or the feed of this same subscription completes (<c>.AsTask().Wait()</c>, <c>.Result</c> of such a
/// task): that thread is the one that would complete it, so it would wait for ever. Await it instead, or move
/// blocking work elsewhere (<c>await Task.Run(...)</c>). Use it from one consumer at a time: concurrent reads or
/// concurrent waits of the same kind throw <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed unsafe class EventSubscription : IDisposable
{
    private const int StableReadAttempts = 64;
    private const int FastestPollMilliseconds = 1;

    private readonly SplinterStore _store;
    private readonly SubscriptionOptions _options;
    private readonly byte[] _keyPrefix;
    private readonly EpollSet _syncSet;
    private readonly EventFdHandle _disposedSignal;
    private readonly SlotSeen[] _seen;
    private readonly SlotMemory[] _memory;
    private readonly object _connectionLock = new();
    private BusConnection? _connection;
    private (int Pid, int Fd) _lastAttempt = (-1, -1);
    private volatile string? _pollingReason;
    private volatile bool _ownerGone;
    private SubscriptionWaiter? _waiter;
    private ChangeBatch? _preparedBatch;
    private int _reading;
    private int _syncWaiting;
    private int _disposed;
    private bool _skippedBusySlot;

    // What the slow path of the running scan (ReadChangedSlot) reads and accumulates. One scan runs at a time: the
    // constructor's, or ReadChanges' under its guard.
    private bool _scanReport;
    private ChangeBatch? _scanBatch;
    private long _scanExplained;
    private TimeSpan _rescanInterval = TimeSpan.FromSeconds(1);
    private int _globalEpochCheckMilliseconds = 50;
    private ulong _baselineGlobalEpoch;
    private ulong _syncObservedGlobalEpoch;
    private int _syncPollMilliseconds = FastestPollMilliseconds;
    private ulong _scannedGlobalEpoch;
    private long _unexplainedBalance;

    /// <summary>Records the store's current state and connects to its bus when one is reachable; the caller holds a store lease.</summary>
    internal EventSubscription(SplinterStore store, SubscriptionOptions options)
    {
        _store = store;
        _options = options;
        _keyPrefix = string.IsNullOrEmpty(options.KeyPrefix) ? [] : Encoding.UTF8.GetBytes(options.KeyPrefix);
        _seen = new SlotSeen[store.SlotCount];
        _memory = new SlotMemory[store.SlotCount];
        _syncSet = new EpollSet();
        try
        {
            int signalFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (signalFd < 0)
            {
                throw SystemCall.Failure("eventfd", SystemCall.LastError);
            }

            _disposedSignal = new EventFdHandle(signalFd);
            _syncSet.Add(_disposedSignal, LibC.EPOLLIN, Ready.Kick);
            Baseline();
            _syncObservedGlobalEpoch = _baselineGlobalEpoch;
            TryConnect(initial: true);
        }
        catch
        {
            _connection?.Close();
            _syncSet.Dispose();
            _disposedSignal?.Dispose();
            throw;
        }
    }

    /// <summary>How the subscription hears about changes right now: through the bus, or by polling (see <see cref="PollingReason"/>).</summary>
    public SubscriptionMode Mode => Volatile.Read(ref _connection) is null ? SubscriptionMode.Polling : SubscriptionMode.Bus;

    /// <summary>Why the subscription polls (the bus is not armed, its owner exited, permission refused...), or null in bus mode.</summary>
    public string? PollingReason => Mode == SubscriptionMode.Polling ? _pollingReason : null;

    /// <summary>What this subscription watches and how.</summary>
    public SubscriptionOptions Options => _options;

    /// <summary>
    /// The bus descriptor of this subscription, for your own poll/epoll loop (register it edge-triggered and never read
    /// it: the counter is shared), or null while polling. It changes when the subscription moves to another bus.
    /// </summary>
    public EventFdHandle? SafeHandle => Volatile.Read(ref _connection)?.Bus;

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
    /// In bus mode, how often a wait that has not been signalled checks the store's global epoch (one atomic load), to
    /// catch writes whose wake-up another reader drained and writes made in processes that are not the bus owner.
    /// Default 50 ms; <see cref="Timeout.InfiniteTimeSpan"/> turns the check off (pure wake-ups). In polling mode the
    /// global epoch is checked every millisecond while writes keep coming, backing off to
    /// <see cref="SubscriptionOptions.PollingInterval"/>.
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

    /// <summary>The longest polling sleep, in milliseconds.</summary>
    internal int SlowestPollMilliseconds => (int)Math.Ceiling(_options.PollingInterval.TotalMilliseconds);

    /// <summary>
    /// Blocks the calling thread until something was written since the previous wait of this kind returned, or
    /// <paramref name="timeout"/> passes. True when the bus was signalled or the store's global epoch moved, false on
    /// timeout. <see cref="Dispose"/> from another thread ends the wait with <see cref="ObjectDisposedException"/>.
    /// With <see cref="SubscriptionOptions.RequireBus"/>, the exit of a bus owner that is another process ends this
    /// wait and every later one with <see cref="EventBusUnavailableException"/> (OwnerGone); otherwise the
    /// subscription goes on polling.
    /// </summary>
    public bool Wait(TimeSpan timeout)
    {
        Deadline.Validate(timeout, nameof(timeout));
        PrepareBatch();
        if (Interlocked.Exchange(ref _syncWaiting, 1) != 0)
        {
            throw new InvalidOperationException("Another thread is already inside Wait on this subscription.");
        }

        try
        {
            var clock = new WaitClock(timeout);
            while (true)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                if (CheckWithoutEdge(ref _syncObservedGlobalEpoch, ref _syncPollMilliseconds))
                {
                    return WokeUp();
                }

                if (_ownerGone && _options.RequireBus)
                {
                    throw OwnerExitedFailure();
                }

                Ready ready = clock.Sleep(_syncSet, CheckIntervalMilliseconds(_syncPollMilliseconds), owned: false);
                if ((ready & Ready.Kick) != 0)
                {
                    throw new ObjectDisposedException(nameof(EventSubscription)); // the disposed signal
                }

                if ((ready & Ready.End) != 0)
                {
                    OnOwnerExited();
                }

                if ((ready & Ready.Target) != 0)
                {
                    // A wake-up that came with the owner's exit is returned first.
                    TryReadGlobalEpoch(out _syncObservedGlobalEpoch);
                    return WokeUp();
                }

                if (ready == Ready.None && clock.HasPassed)
                {
                    return CheckWithoutEdge(ref _syncObservedGlobalEpoch, ref _syncPollMilliseconds) && WokeUp();
                }
            }
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(nameof(EventSubscription));
        }
        finally
        {
            Volatile.Write(ref _syncWaiting, 0);
        }
    }

    /// <summary>
    /// Completes when something was written after the previous async wait (true). No caller thread is parked and the
    /// wait allocates nothing of its own; the continuation runs on this subscription's waiter thread. Like
    /// <see cref="Wait"/>, it allocates the batch of the next <see cref="ReadChanges"/> that finds a change, when the
    /// last one was taken, so that this allocation falls before the wait and not between the wake-up and your code.
    /// Cancellation completes it with <see cref="OperationCanceledException"/> from that thread, never on the cancelling
    /// thread; <see cref="Dispose"/> completes it with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken = default) =>
        WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>As <see cref="WaitAsync(CancellationToken)"/>, returning false when <paramref name="timeout"/> passes first.</summary>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Deadline.Validate(timeout, nameof(timeout));
        PrepareBatch();
        return Waiter().WaitAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// The slots whose content changed since this subscription last looked (or since it was created), within its
    /// filters: written (epoch moved), removed (key left the slot), labels changed. Every change completed before the
    /// call started is reported by it or an earlier call, except in a slot that a writer holds at that moment (odd
    /// epoch after a short spin): that slot is reported by the first read after the writer releases it. Each call
    /// returns a batch of its own, which stays valid (an empty read returns <see cref="ChangeBatch.Empty"/>).
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
            // A mapping read like the store's value reads, without a lease (two interlocked operations per wake-up of a
            // feed): a pass that overlapped the store's Dispose may have read zeros, so the check after it discards its
            // batch. Every later read fails the check before it, so what that pass wrote into the memory is never used.
            ref MappedStore mapped = ref _store.Mapped;
            mapped.ThrowIfClosed(_store.Name);
            ChangeBatch batch = Scan(report: true);
            mapped.ThrowIfClosed(_store.Name);
            return batch;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>
    /// The change feed: yields each non-empty <see cref="ChangeBatch"/> (each one its own; keeping them is safe), waiting
    /// for a wake-up in between and rescanning every <see cref="RescanInterval"/> without one. Cancellation ends it with
    /// <see cref="OperationCanceledException"/>; disposing the subscription ends it with <see cref="ObjectDisposedException"/>.
    /// With <see cref="SubscriptionOptions.RequireBus"/>, when the bus owner is another process and it exits, the feed
    /// yields a last batch of the changes not yet reported (if any) and ends with <see cref="EventBusUnavailableException"/>
    /// (OwnerGone); otherwise it goes on, polling.
    /// </summary>
    public async IAsyncEnumerable<ChangeBatch> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int busyBackoffMilliseconds = 1;
        while (true)
        {
            ChangeBatch batch = ReadChanges();
            if (batch.Count > 0 || batch.HasUnidentifiedChanges)
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
                if (last.Count > 0 || last.HasUnidentifiedChanges)
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
        lock (_connectionLock)
        {
            _syncSet.Dispose();
            _connection?.Close();
            _connection = null;
        }

        _disposedSignal.Dispose();
    }

    private SubscriptionWaiter Waiter() =>
        Volatile.Read(ref _waiter)
        ?? LazyWaiter.Create(this, ref _waiter, ref _disposed, static owner => owner.CreateWaiter());

    private SubscriptionWaiter CreateWaiter()
    {
        lock (_connectionLock)
        {
            // Created under the lock, so a bus attached or dropped meanwhile is seen by the waiter's registrations.
            BusConnection? connection = _connection;
            return new SubscriptionWaiter(this, connection?.Bus, connection?.OwnerPidfd, _baselineGlobalEpoch);
        }
    }

    // ---- the way to the bus ---------------------------------------------------------------------------------------

    /// <summary>
    /// Takes the bus the header names when it is armed and was not tried before under the same owner fields. On
    /// failure the subscription polls (and the reason is kept); with RequireBus the first attempt throws instead.
    /// </summary>
    private void TryConnect(bool initial)
    {
        lock (_connectionLock)
        {
            if (_connection is not null || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            splinter_header* header = _store.MappedHeader;
            (int Pid, int Fd) owner = (Volatile.Read(ref header->event_bus.owner_pid), Volatile.Read(ref header->event_bus.owner_fd));
            if (!initial && owner == _lastAttempt)
            {
                return; // the same owner failed before: only a new owner can succeed
            }

            _lastAttempt = owner;
            BusConnection connection;
            try
            {
                if (owner.Pid <= 0 || owner.Fd < 0)
                {
                    throw new EventBusUnavailableException(EventBusUnavailableReason.NotArmed, Errno.ENODEV, owner.Pid, owner.Fd);
                }

                connection = _store.Events.OpenBus();
            }
            catch (EventBusUnavailableException exception)
            {
                _pollingReason = exception.Message;
                if (initial && _options.RequireBus)
                {
                    throw;
                }

                if (initial)
                {
                    SplinterMetrics.PollingFallback();
                }

                return;
            }

            try
            {
                _syncSet.Add(connection.Bus, LibC.EPOLLIN | LibC.EPOLLET, Ready.Target);
                if (connection.OwnerPidfd is not null)
                {
                    // Level-triggered: once the owner exited, every later wait sees it until it is dropped.
                    _syncSet.Add(connection.OwnerPidfd, LibC.EPOLLIN, Ready.End);
                }

                if (Volatile.Read(ref _waiter) is { } waiter)
                {
                    waiter.AddSource(connection.Bus, Ready.Target);
                    if (connection.OwnerPidfd is not null)
                    {
                        waiter.AddSource(connection.OwnerPidfd, Ready.End);
                    }
                }
            }
            catch
            {
                Detach(connection);
                connection.Close();
                throw;
            }

            _ownerGone = false;
            _pollingReason = null;
            Volatile.Write(ref _connection, connection);
        }
    }

    /// <summary>Counts a wait that returns true (a change), by the mode that noticed it; returns true.</summary>
    internal bool WokeUp()
    {
        SplinterMetrics.WakeUp(polling: Volatile.Read(ref _connection) is null);
        return true;
    }

    /// <summary>The bus owner exited: polling from now on (or, with RequireBus, the end of the waits).</summary>
    internal void OnOwnerExited()
    {
        lock (_connectionLock)
        {
            BusConnection? connection = _connection;
            if (connection is null)
            {
                return;
            }

            _ownerGone = true;
            if (_options.RequireBus)
            {
                if (connection.OwnerPidfd is not null)
                {
                    _syncSet.Remove(connection.OwnerPidfd); // level-triggered: report it once, then throw from the flag
                }

                return;
            }

            Volatile.Write(ref _connection, null);
            Detach(connection);
            connection.Close();
            _pollingReason = $"The event-bus owner, pid {connection.OwnerPid}, exited; polling until a writer arms the bus again.";
            SplinterMetrics.PollingFallback();
        }
    }

    private void Detach(BusConnection connection)
    {
        _syncSet.Remove(connection.Bus);
        if (connection.OwnerPidfd is not null)
        {
            _syncSet.Remove(connection.OwnerPidfd);
        }

        if (Volatile.Read(ref _waiter) is { } waiter)
        {
            waiter.RemoveSource(connection.Bus);
            if (connection.OwnerPidfd is not null)
            {
                waiter.RemoveSource(connection.OwnerPidfd);
            }
        }
    }

    /// <summary>The exception that ends waits once the owner process exited (RequireBus only).</summary>
    internal EventBusUnavailableException OwnerExitedFailure() =>
        EventBusUnavailableException.OwnerExited(Volatile.Read(ref _connection)?.OwnerPid ?? _lastAttempt.Pid);

    /// <summary>True once the owner exited under a subscription that requires the bus (its waits end).</summary>
    internal bool EndedByOwnerExit => _ownerGone && _options.RequireBus;

    /// <summary>The milliseconds a wait sleeps before the next check without an edge: the bus-mode check interval, or the polling step.</summary>
    internal int CheckIntervalMilliseconds(int pollStep) =>
        Volatile.Read(ref _connection) is null ? pollStep : GlobalEpochCheckMilliseconds;

    /// <summary>The bus-mode check interval in milliseconds, -1 for none.</summary>
    internal int GlobalEpochCheckMilliseconds => Volatile.Read(ref _globalEpochCheckMilliseconds);

    /// <summary>
    /// What a wait does without an edge (when it starts and at every check): in polling mode, try a newly armed bus;
    /// notice an owner's exit where no pidfd reports it; and report whether the store's global epoch moved since
    /// <paramref name="observed"/>. <paramref name="pollStep"/> is the waiter's polling sleep: back to 1 ms after a
    /// change, doubled after each quiet look, up to <see cref="SubscriptionOptions.PollingInterval"/>.
    /// </summary>
    internal bool CheckWithoutEdge(ref ulong observed, ref int pollStep)
    {
        BusConnection? connection = Volatile.Read(ref _connection);
        if (connection is null && Volatile.Read(ref _disposed) == 0)
        {
            TryConnectQuietly();
        }
        else if (connection is { OwnerPid: > 0, OwnerPidfd: null } &&
                 LibC.kill(connection.OwnerPid, 0) != 0 && SystemCall.LastError == Errno.ESRCH)
        {
            // Without a pidfd the exit is noticed here (a reused pid reads as alive).
            OnOwnerExited();
        }

        bool polling = Volatile.Read(ref _connection) is null;
        if ((polling || GlobalEpochCheckMilliseconds >= 0) && TryReadGlobalEpoch(out ulong current) && current != observed)
        {
            observed = current;
            pollStep = FastestPollMilliseconds;
            return true;
        }

        pollStep = Math.Min(pollStep * 2, SlowestPollMilliseconds);
        return false;
    }

    private void TryConnectQuietly()
    {
        try
        {
            using var lease = _store.Lease();
            TryConnect(initial: false);
        }
        catch (ObjectDisposedException)
        {
            // The store is closing: nothing to connect to.
        }
        catch (SplinterException exception)
        {
            _pollingReason = exception.Message; // e.g. epoll registration failed: stay polling
        }
    }

    /// <summary>
    /// Reads the store's global epoch; false when the store is closed. A mapping read like the store's own value reads
    /// (<see cref="MappedStore"/>): the header stays mapped after Dispose (as zero pages), so the load needs no lease
    /// on the store (two interlocked operations, twice per wake-up of a blocking wait), and the closed check after it
    /// discards what a closing store gave.
    /// </summary>
    internal bool TryReadGlobalEpoch(out ulong globalEpoch)
    {
        ref MappedStore mapped = ref _store.Mapped;
        globalEpoch = Volatile.Read(ref mapped.Header->epoch);
        if (mapped.IsClosed)
        {
            globalEpoch = 0;
            return false;
        }

        return true;
    }

    // ---- the scan -------------------------------------------------------------------------------------------------

    /// <summary>Records the current state of every slot (and the global epoch first) without reporting it.</summary>
    private void Baseline()
    {
        _baselineGlobalEpoch = Volatile.Read(ref _store.MappedHeader->epoch);
        _scannedGlobalEpoch = _baselineGlobalEpoch;
        Scan(report: false);
    }

    /// <summary>
    /// Compares every slot with the memory and records the new state. The store's global epoch moves once per signalled
    /// write; writes explain it (a slot epoch that moved by 2 per write, labels that changed). A move the changes found
    /// cannot explain is a write that left no trace in the slots: with a library whose epochs go back (upstream ends a
    /// remove at epoch 2), a remove and a set of the same key can bring a slot back to the very epoch it had. The batch
    /// then says so (<see cref="ChangeBatch.HasUnidentifiedChanges"/>). Writes racing with the scan can be counted in
    /// the global epoch before this scan reaches their slot: what the global moves during the scan could account for is
    /// carried over to the next scan rather than reported. The balance never goes below zero, so a write that explains
    /// more than it moved (a remove, a bump, a purge) cannot hide a later one; the price is a rare extra flag when a write
    /// is seen in its slot a moment before it moves the global epoch.
    /// </summary>
    private ChangeBatch Scan(bool report)
    {
        _skippedBusySlot = false;
        _scanReport = report;
        _scanBatch = null;
        _scanExplained = 0;
        ref MappedStore mapped = ref _store.Mapped;
        ulong globalAtStart = Volatile.Read(ref mapped.Header->epoch);
        byte* slots = (byte*)mapped.Slot(0);
        nuint slotSize = (nuint)mapped.SlotSize;
        PassOverSlots(slots, slots + ((nuint)_seen.Length * slotSize), slotSize);

        ChangeBatch? batch = _scanBatch;
        _scanBatch = null;
        long explained = _scanExplained;

        ulong globalAtEnd = Volatile.Read(ref mapped.Header->epoch);
        _unexplainedBalance = Math.Max(0, _unexplainedBalance + (long)(globalAtEnd - _scannedGlobalEpoch) - explained);
        _scannedGlobalEpoch = globalAtEnd;
        long uncertain = (long)(globalAtEnd - globalAtStart); // moves of writes whose slot this scan may have passed already
        if (_unexplainedBalance > uncertain)
        {
            if (report)
            {
                (batch ??= TakeBatch()).HasUnidentifiedChanges = true;
            }

            _unexplainedBalance = uncertain;
        }

        return batch ?? ChangeBatch.Empty;
    }

    /// <summary>
    /// The pass of <see cref="Scan"/>: each slot's epoch, hash and labels against <see cref="_seen"/>, and the slots that
    /// differ to <see cref="ReadChangedSlot"/>. A method of its own, so that only its five values are live across that
    /// call and all of them stay in registers; in Scan's body the loop reloaded two from the stack on every slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PassOverSlots(byte* slotBytes, byte* end, nuint slotSize)
    {
        ref SlotSeen seen = ref MemoryMarshal.GetArrayDataReference(_seen);
        for (; slotBytes < end; slotBytes += slotSize, seen = ref Unsafe.Add(ref seen, 1))
        {
            // Fast path: one cache line, three atomic loads and one branch; most slots did not change.
            splinter_slot* slot = (splinter_slot*)slotBytes;
            ulong epoch = Volatile.Read(ref slot->epoch);
            ulong hash = Volatile.Read(ref slot->hash);
            ulong bloom = Volatile.Read(ref slot->bloom);
            if (((epoch ^ seen.Epoch) | (hash ^ seen.Hash) | (bloom ^ seen.Bloom)) == 0)
            {
                continue;
            }

            ReadChangedSlot(slot, ref seen);
        }
    }

    /// <summary>
    /// A slot whose epoch, hash or labels differ from what this subscription saw (<paramref name="seen"/>, an element of
    /// <see cref="_seen"/>): reads it stably, reports it (when the scan reports and a filter matches) and remembers it;
    /// adds the global-epoch moves it explains to <see cref="_scanExplained"/>. Out of the pass's loop, with what it
    /// accumulates in fields: with this work inline (out-arguments, the batch and the sum as locals) the loop loaded and
    /// stored five stack slots per slot (see the Events README for the pass's cost).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReadChangedSlot(splinter_slot* slot, ref SlotSeen seen)
    {
        int index = (int)((nuint)Unsafe.ByteOffset(ref MemoryMarshal.GetArrayDataReference(_seen), ref seen) / (nuint)Unsafe.SizeOf<SlotSeen>());
        ref SlotMemory memory = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_memory), index);
        if (!TryReadStable(slot, ref seen, ref memory, out ulong epoch, out ulong hash, out ulong bloom, out string? key, out bool matches))
        {
            // A writer is inside this slot; its release will signal (owner) or the next scan sees it.
            _skippedBusySlot = true;
            return;
        }

        _scanExplained += Explains(ref seen, epoch, hash, bloom);
        if (_scanReport && (matches || memory.Matches))
        {
            Report(ref _scanBatch, index, ref seen, ref memory, epoch, hash, key, matches);
        }

        seen.Epoch = epoch;
        seen.Hash = hash;
        seen.Bloom = bloom;
        memory.Key = key;
        memory.Matches = matches;
    }

    /// <summary>
    /// Allocates the batch of the next read that finds a change, if none is ready: called when a wait begins, after the
    /// code that handled the last batch, so that the allocation and the page faults of fresh heap memory it may cost
    /// (about one wake-up in fifty) fall between wake-ups instead of between a wake-up and the code that waits for it.
    /// </summary>
    private void PrepareBatch()
    {
        if (Volatile.Read(ref _preparedBatch) is null)
        {
            Interlocked.CompareExchange(ref _preparedBatch, new ChangeBatch(), null);
        }
    }

    /// <summary>A batch never handed out before: the prepared one (taken once), or a new one.</summary>
    private ChangeBatch TakeBatch() => Interlocked.Exchange(ref _preparedBatch, null) ?? new ChangeBatch();

    /// <summary>
    /// How many global-epoch moves a slot's change can account for, as an upper bound: each write that moves the global
    /// epoch moves its slot's by 2 (a remove moves none: a slot that became empty explains nothing), a label change
    /// moves it once; a slot whose epoch went back (a writer whose epochs do) explains up to its whole epoch.
    /// </summary>
    private static long Explains(ref SlotSeen seen, ulong epoch, ulong hash, ulong bloom)
    {
        long writes = hash == 0 ? 0 : epoch >= seen.Epoch ? (long)((epoch - seen.Epoch) / 2) : (long)(epoch / 2) + 1;
        return writes + (bloom != seen.Bloom ? 1 : 0);
    }

    private void Report(ref ChangeBatch? batch, int index, ref SlotSeen seen, ref SlotMemory memory, ulong epoch, ulong hash, string? key, bool matches)
    {
        bool keyLeft = seen.Hash != 0 && seen.Hash != hash;
        if (keyLeft && memory.Matches)
        {
            (batch ??= TakeBatch()).Add(new SlotChange(index, memory.Key ?? string.Empty, epoch, SlotChangeKind.Removed));
        }

        if (hash == 0 || (!matches && (keyLeft || !memory.Matches)))
        {
            // An empty slot whose epoch moved (purge) holds no key; a key outside the filters is not reported, unless it
            // was inside them before this change (it just lost a label the filter asks for).
            return;
        }

        SlotChangeKind kind = epoch != seen.Epoch || hash != seen.Hash ? SlotChangeKind.Written : SlotChangeKind.LabelsChanged;
        (batch ??= TakeBatch()).Add(new SlotChange(index, key ?? string.Empty, epoch, kind));
    }

    /// <summary>
    /// A seqlock pass over one slot's identity (the store's slot reader, <see cref="MappedStore.TryBegin"/> and
    /// <see cref="MappedStore.End"/>): hash, labels, key. Whether it passes the filters is decided on the key's bytes, so a
    /// key outside them is never decoded.
    /// </summary>
    private bool TryReadStable(splinter_slot* slot, ref SlotSeen seen, ref SlotMemory memory, out ulong epoch, out ulong hash, out ulong bloom, out string? key, out bool matches)
    {
        byte* keyCopy = stackalloc byte[StoreFormat.KeyFieldSize];
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
            bool reuseKey = hash == seen.Hash && memory.Key is not null;
            if (hash != 0 && !reuseKey)
            {
                Buffer.MemoryCopy(slot->key, keyCopy, StoreFormat.KeyFieldSize, StoreFormat.KeyFieldSize);
            }

            if (!MappedStore.End(slot, epoch))
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            if (hash == 0)
            {
                key = null;
                matches = false;
            }
            else if (reuseKey)
            {
                key = memory.Key;
                matches = LabelsMatch(bloom) && memory.KeyMatches;
            }
            else
            {
                ReadOnlySpan<byte> bytes = new(keyCopy, StoreFormat.KeyFieldSize);
                int end = bytes.IndexOf((byte)0);
                bytes = end < 0 ? bytes : bytes[..end];
                bool keyMatches = bytes.StartsWith(_keyPrefix);
                memory.KeyMatches = keyMatches;
                matches = keyMatches && LabelsMatch(bloom);
                key = keyMatches ? Encoding.UTF8.GetString(bytes) : null;
            }

            return true;
        }

        epoch = hash = bloom = 0;
        key = null;
        matches = false;
        return false;
    }

    private bool LabelsMatch(ulong bloom) => (bloom & _options.Labels) == _options.Labels;

    /// <summary>
    /// What this subscription last saw of one slot's identity: all the pass over the slots compares, 24 bytes a slot in
    /// an array of their own, so that the pass touches as few cache lines as it can (a wake-up finds them cold).
    /// </summary>
    private struct SlotSeen
    {
        public ulong Hash;
        public ulong Epoch;
        public ulong Bloom;
    }

    /// <summary>What this subscription keeps of one slot beside <see cref="SlotSeen"/>: needed only when the slot changed.</summary>
    private struct SlotMemory
    {
        /// <summary>The key, decoded only when it passes the key prefix.</summary>
        public string? Key;

        /// <summary>The key passes the key prefix (labels aside).</summary>
        public bool KeyMatches;

        /// <summary>The slot passed every filter when last seen.</summary>
        public bool Matches;
    }
}
