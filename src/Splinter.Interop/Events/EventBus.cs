using System;
using System.Threading;
using Splinter.Interop.Events;
using Splinter.Interop.Native;

namespace Splinter.Interop;

/// <summary>
/// The store's event bus: one eventfd, owned by the process that armed it, that the library
/// signals after each write made in that process, plus a cumulative dirty mask in the header.
/// Reach it through <see cref="SplinterStore.Events"/>.
/// </summary>
/// <remarks>
/// <para>Only writes made in the owner process signal the bus (libsplinter behaviour, native/FORMAT.md "The event bus"):
/// a write in any other process sets no dirty bit and wakes nobody. Arm the bus in the process
/// that writes. Writes made through this library in a non-owner process can also signal it when
/// <see cref="SignalLocalWrites"/> is on (off by default, see there).</para>
/// <para>Unset, bump, purge and label-free metadata changes are not signalled by libsplinter either
/// (native/README.md, "Kept on purpose"); a subscription still reports them at its next read, which a later wake or
/// <see cref="EventSubscription.WatchAsync"/>'s periodic rescan triggers.</para>
/// </remarks>
public sealed unsafe class EventBus
{
    private readonly SplinterStore _store;
    private volatile bool _signalLocalWrites;
    private LocalSignalTarget? _localTarget;

    internal EventBus(SplinterStore store)
    {
        _store = store;
    }

    /// <summary>True when the store header names an owner (the owner may since have exited: subscribing tells).</summary>
    public bool IsArmed
    {
        get
        {
            using var lease = _store.Lease();
            splinter_header* header = _store.MappedHeader;
            return Volatile.Read(ref header->event_bus.owner_fd) >= 0 && Volatile.Read(ref header->event_bus.owner_pid) > 0;
        }
    }

    /// <summary>The owner pid recorded in the store header, or 0 when none.</summary>
    public int OwnerProcessId
    {
        get
        {
            using var lease = _store.Lease();
            return Volatile.Read(ref _store.MappedHeader->event_bus.owner_pid);
        }
    }

    /// <summary>True when this process armed the bus through this store (or another SplinterStore open on it) and is still the recorded owner.</summary>
    public bool IsOwner => Volatile.Read(ref ArmedHere) != 0 && OwnerProcessId == Environment.ProcessId;

    /// <summary>Whether the bus was armed here: a property of the open store's library copy, shared by every SplinterStore on it.</summary>
    private ref int ArmedHere => ref _store.Shared.BusArmed;

    /// <summary>
    /// Opt-in: writes made through this library in a process that is NOT the owner also signal the
    /// bus (set the slot's dirty bit when the slot is known, and write the bus eventfd), so watchers
    /// hear about them. Off by default: it costs one extra system call per write, and it needs the
    /// owner's descriptor (pidfd_getfd, same rights as <see cref="Subscribe"/>); when the bus cannot
    /// be reached the write still succeeds and simply signals nothing. Safe with upstream's
    /// library: its waiters only see one more wake-up. Setting it to false releases the descriptor.
    /// </summary>
    public bool SignalLocalWrites
    {
        get => _signalLocalWrites;
        set
        {
            _signalLocalWrites = value;
            _store.OnSignalLocalWritesChanged(value);
            if (!value)
            {
                Interlocked.Exchange(ref _localTarget, null)?.Handle?.Dispose();
            }
        }
    }

    /// <summary>
    /// Makes this process the bus owner (splinter_event_bus_init): from now on every write made here
    /// sets its slot's dirty bit and signals the bus. Calling it again through the same store is a no-op.
    /// Any process may arm; the last one to do so becomes the owner and earlier subscribers stop hearing.
    /// </summary>
    /// <param name="allowSubscribersOutsideDescendants">
    /// Subscribers in other processes take the bus descriptor with pidfd_getfd, which needs ptrace-attach rights over
    /// this process. Under Yama's ptrace_scope 1 (Ubuntu's default) only this process's descendants have them, so other
    /// processes fall back to polling. True calls prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY): every process of the same
    /// user may then ptrace-attach to this process — read and change its memory, not only take the descriptor — as on
    /// a system without Yama, for the rest of this process's life. Off by default; nothing changes where Yama is absent.
    /// </param>
    public void Arm(bool allowSubscribersOutsideDescendants = false)
    {
        using var lease = _store.Lease();
        if (allowSubscribersOutsideDescendants)
        {
            AllowAnyPtracer();
        }

        if (Volatile.Read(ref ArmedHere) != 0 && Volatile.Read(ref _store.MappedHeader->event_bus.owner_pid) == Environment.ProcessId)
        {
            return;
        }

        int error;
        if (_store.Api.splinter_event_bus_init_errno(&error) != 0)
        {
            throw new SplinterException($"splinter_event_bus_init failed with {Errno.Name(error)}; the bus was not armed.", error);
        }

        Volatile.Write(ref ArmedHere, 1);
    }

    private static void AllowAnyPtracer()
    {
        // EINVAL: the kernel has no Yama, whose rule this relaxes; there is nothing to allow.
        if (LibC.prctl(LibC.PR_SET_PTRACER, LibC.PR_SET_PTRACER_ANY, 0, 0, 0) != 0 && SystemCall.LastError != Errno.EINVAL)
        {
            throw SystemCall.Failure("prctl(PR_SET_PTRACER)", SystemCall.LastError);
        }
    }

    /// <summary>The number of 64-bit words in the bus's dirty mask (one bit per slot index modulo 1024).</summary>
    public const int DirtyMaskWords = LibSplinter.SPLINTER_MAX_SLOTS / 64;

    /// <summary>
    /// Copies the bus's dirty mask (splinter_event_bus_get_dirty): bit <c>i % 64</c> of word <c>i / 64</c> is set once
    /// slot <c>i</c> (modulo 1024) was written in the owner process. The mask is cumulative (nothing clears it) and
    /// aliases slots 1024 apart, so it tells "ever written since the bus was created", not "changed since you looked":
    /// for that, use <see cref="Subscribe"/>.
    /// </summary>
    /// <param name="destination">Receives up to <see cref="DirtyMaskWords"/> words; words past that are left alone.</param>
    /// <returns>The number of words written: min(destination.Length, <see cref="DirtyMaskWords"/>).</returns>
    public int CopyDirtyMask(Span<ulong> destination)
    {
        int words = Math.Min(destination.Length, DirtyMaskWords);
        if (words == 0)
        {
            return 0;
        }

        using var lease = _store.Lease();
        fixed (ulong* output = destination)
        {
            _store.Api.splinter_event_bus_get_dirty(output, (nuint)words);
        }

        return words;
    }

    /// <summary>
    /// Opens a subscription: its own memory of slot epochs, so that <see cref="EventSubscription.ReadChanges"/> reports
    /// exactly what changed since it last looked, whoever wrote it. It is woken through the bus when one is armed and
    /// this process may take its descriptor (<see cref="SubscriptionMode.Bus"/>); otherwise — nobody armed it, its owner
    /// exited, or the owner's ptrace rules refuse this process — it polls the store's global epoch
    /// (<see cref="SubscriptionMode.Polling"/>), and moves to the bus when one becomes reachable. Changes made before
    /// this call are not reported.
    /// </summary>
    /// <param name="options">Filters, polling bound, whether the bus is required (null: <see cref="SubscriptionOptions.Default"/>).</param>
    /// <returns>The subscription; dispose it when done.</returns>
    /// <exception cref="EventBusUnavailableException">Only with <see cref="SubscriptionOptions.RequireBus"/>: the bus cannot be reached.</exception>
    public EventSubscription Subscribe(SubscriptionOptions? options = null)
    {
        using var lease = _store.Lease();
        return new EventSubscription(_store, options ?? SubscriptionOptions.Default);
    }

    /// <summary>
    /// Takes a descriptor for the bus the store header names (splinter_event_bus_open) and, when the owner is another
    /// process, a pidfd that turns readable when it exits. Caller holds a store lease. Throws
    /// <see cref="EventBusUnavailableException"/> when the bus cannot be reached.
    /// </summary>
    internal BusConnection OpenBus()
    {
        splinter_header* header = _store.MappedHeader;

        // The pidfd is opened before the bus descriptor is taken: if the pid were reused between the
        // two, the pidfd names the process that exited first and reports the exit at once.
        int ownerPid = Volatile.Read(ref header->event_bus.owner_pid);
        EventFdHandle? pidfd = WatchOwner(ownerPid);
        EventFdHandle? descriptor = null;
        try
        {
            descriptor = OpenVerified();
            int openedFrom = Volatile.Read(ref header->event_bus.owner_pid);
            if (openedFrom != ownerPid)
            {
                // Another process armed the bus in between: watch the owner the descriptor came from.
                pidfd?.Dispose();
                pidfd = null;
                ownerPid = openedFrom;
                pidfd = WatchOwner(ownerPid);
            }

            return new BusConnection(descriptor, pidfd, IsOtherProcess(ownerPid) ? ownerPid : 0, Volatile.Read(ref header->event_bus.owner_fd));
        }
        catch
        {
            pidfd?.Dispose();
            descriptor?.Dispose();
            throw;
        }
    }

    private static bool IsOtherProcess(int pid) => pid > 0 && pid != Environment.ProcessId;

    /// <summary>
    /// Set to "1", new subscriptions do not open a pidfd for the owner and fall back to kill(pid, 0) in their periodic
    /// check, as where pidfd_open is missing (ENOSYS) or refused (EPERM). For such sandboxes and for tests of that path.
    /// </summary>
    internal const string NoPidfdVariable = "SPLINTER_INTEROP_NO_PIDFD";

    /// <summary>
    /// A pidfd for the owner <paramref name="pid"/> when it is another process (readable once it
    /// exits); null for this process, and where the kernel has no pidfd_open (ENOSYS) or a sandbox
    /// refuses it (EPERM): the subscription then asks kill(pid, 0) in its periodic check.
    /// Throws OwnerGone when the process no longer exists.
    /// </summary>
    private EventFdHandle? WatchOwner(int pid)
    {
        if (!IsOtherProcess(pid))
        {
            return null;
        }

        if (Environment.GetEnvironmentVariable(NoPidfdVariable) == "1")
        {
            return null; // as on a kernel without pidfd_open: kill(pid, 0) in the periodic check
        }

        nint fd = LibC.syscall(LibC.SYS_pidfd_open, pid, 0);
        if (fd >= 0)
        {
            return new EventFdHandle((int)fd);
        }

        int errno = SystemCall.LastError;
        return errno switch
        {
            Errno.ENOSYS or Errno.EPERM => null,
            Errno.ESRCH => throw new EventBusUnavailableException(
                EventBusUnavailableReason.OwnerGone, errno, pid, Volatile.Read(ref _store.MappedHeader->event_bus.owner_fd)),
            _ => throw SystemCall.Failure("pidfd_open", errno),
        };
    }

    /// <summary>Hook behind <c>SplinterStore.OnDisposing</c>: releases the descriptor used by <see cref="SignalLocalWrites"/>.</summary>
    internal void OnStoreDisposing()
    {
        _signalLocalWrites = false;
        Interlocked.Exchange(ref _localTarget, null)?.Handle?.Dispose();
    }

    /// <summary>Hook behind <c>SplinterStore.OnLocalWrite</c>: signals the bus for a non-owner write when enabled.</summary>
    internal void OnLocalWrite(int slotIndexOrMinus1)
    {
        if (!_signalLocalWrites)
        {
            return;
        }

        try
        {
            using var lease = _store.Lease();
            splinter_header* header = _store.MappedHeader;
            int ownerPid = Volatile.Read(ref header->event_bus.owner_pid);
            int ownerFd = Volatile.Read(ref header->event_bus.owner_fd);
            if (ownerPid <= 0 || ownerFd < 0 || ownerPid == Environment.ProcessId)
            {
                // Not armed, or this process owns the bus and the library already signalled.
                return;
            }

            LocalSignalTarget? target = Volatile.Read(ref _localTarget);
            if (target is null || target.OwnerPid != ownerPid || target.OwnerFd != ownerFd)
            {
                target = ReplaceLocalTarget(ownerPid, ownerFd);
            }

            if (target?.Handle is not { } handle)
            {
                // Disabled meanwhile, or this owner's bus cannot be reached from here (remembered
                // until the owner fields change, so an unreachable bus costs nothing per write).
                return;
            }

            if ((uint)slotIndexOrMinus1 < _store.SlotCount)
            {
                int mapped = slotIndexOrMinus1 % LibSplinter.SPLINTER_MAX_SLOTS;
                ulong* word = &header->event_bus.dirty_mask[0] + (mapped / 64);
                Interlocked.Or(ref *word, 1UL << (mapped % 64));
            }

            handle.SignalOne();
        }
        catch (ObjectDisposedException)
        {
            // The store or the descriptor went away under us: the write itself already succeeded.
        }
    }

    private LocalSignalTarget? ReplaceLocalTarget(int ownerPid, int ownerFd)
    {
        EventFdHandle? handle;
        try
        {
            handle = OpenVerified();
        }
        catch (SplinterException)
        {
            // The bus cannot be reached from here (not permitted, owner gone...): signal nothing.
            handle = null;
        }

        LocalSignalTarget created = new(ownerPid, ownerFd, handle);
        Interlocked.Exchange(ref _localTarget, created)?.Handle?.Dispose();
        if (!_signalLocalWrites && Interlocked.CompareExchange(ref _localTarget, null, created) == created)
        {
            created.Handle?.Dispose();
            return null;
        }

        return created;
    }

    /// <summary>Opens the bus descriptor, marks it close-on-exec and checks it really is an eventfd. Caller holds a lease.</summary>
    private EventFdHandle OpenVerified()
    {
        splinter_header* header = _store.MappedHeader;
        if (Volatile.Read(ref header->event_bus.owner_pid) == Environment.ProcessId && Volatile.Read(ref ArmedHere) == 0)
        {
            // This process is the recorded owner but did not arm through this store: it armed an
            // earlier store instance, whose close closed the eventfd (the header keeps the owner fields). The recorded
            // descriptor number may meanwhile belong to any other file of ours, even another eventfd,
            // which no check could tell apart, so do not dup it.
            throw new EventBusUnavailableException(EventBusUnavailableReason.OwnerDescriptorClosed, Errno.EBADF,
                Environment.ProcessId, Volatile.Read(ref header->event_bus.owner_fd));
        }

        int error;
        int fd = _store.Api.splinter_event_bus_open_errno(&error);
        int ownerPid = Volatile.Read(ref header->event_bus.owner_pid);
        int ownerFd = Volatile.Read(ref header->event_bus.owner_fd);
        if (fd < 0)
        {
            throw new EventBusUnavailableException(EventBusUnavailableException.ReasonFor(error), error, ownerPid, ownerFd);
        }

        // Closed by the library's own splinter_event_bus_close, the counterpart of splinter_event_bus_open.
        EventFdHandle handle = new(fd, _store.Api.splinter_event_bus_close);
        try
        {
            // NOTE: in the owner process splinter_event_bus_open is a plain dup without
            // FD_CLOEXEC; set it on our descriptor so child processes do not inherit it.
            // F_SETFD changes this descriptor only, never the shared open file.
            int flags = LibC.fcntl(fd, LibC.F_GETFD, 0);
            if (flags >= 0 && (flags & LibC.FD_CLOEXEC) == 0)
            {
                LibC.fcntl(fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC);
            }

            // Stale owner fields can name a pid and descriptor number that were reused.
            if (!DescriptorIsEventFd(fd))
            {
                throw new EventBusUnavailableException(EventBusUnavailableReason.StaleOwner, 0, ownerPid, ownerFd);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static bool DescriptorIsEventFd(int fd)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
        ReadOnlySpan<byte> expected = "anon_inode:[eventfd]"u8;
        byte* path = stackalloc byte[32];
        prefix.CopyTo(new Span<byte>(path, 32));
        int length = prefix.Length;
        if (!fd.TryFormat(new Span<byte>(path + length, 32 - length - 1), out int digits, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }

        path[length + digits] = 0;
        byte* target = stackalloc byte[64];
        nint read = LibC.readlink(path, target, 64);
        return read > 0 && new ReadOnlySpan<byte>(target, (int)read).SequenceEqual(expected);
    }

    private sealed class LocalSignalTarget(int ownerPid, int ownerFd, EventFdHandle? handle)
    {
        public int OwnerPid { get; } = ownerPid;

        public int OwnerFd { get; } = ownerFd;

        public EventFdHandle? Handle { get; } = handle;
    }
}
