namespace Splinter.Interop;

/// <summary>Why a process could not reach a store's event bus.</summary>
public enum EventBusUnavailableReason
{
    /// <summary>No process has armed the bus (ENODEV).</summary>
    NotArmed = 0,

    /// <summary>The owner process recorded in the store has exited (ESRCH).</summary>
    OwnerGone = 1,

    /// <summary>This process lacks ptrace-attach rights over the owner, which pidfd_getfd needs (EPERM).</summary>
    PermissionDenied = 2,

    /// <summary>The owner no longer has the recorded descriptor open, e.g. it closed the store (EBADF).</summary>
    OwnerDescriptorClosed = 3,

    /// <summary>The kernel lacks pidfd_open / pidfd_getfd (ENOSYS; Linux 5.6 or later is needed).</summary>
    NotSupported = 4,

    /// <summary>The recorded owner process and descriptor were reused by something that is not an eventfd.</summary>
    StaleOwner = 5,

    /// <summary>Another system error; see <see cref="SplinterException.Errno"/>.</summary>
    Other = 6,
}

/// <summary>The store's event bus cannot be reached from this process; the message says why and what to do.</summary>
public sealed class EventBusUnavailableException : SplinterException
{
    /// <summary>Creates the exception for a reason, the errno reported, and the owner recorded in the store header.</summary>
    public EventBusUnavailableException(EventBusUnavailableReason reason, int errno, int ownerProcessId, int ownerDescriptor)
        : base(Describe(reason, errno, ownerProcessId, ownerDescriptor), errno)
    {
        Reason = reason;
        OwnerProcessId = ownerProcessId;
    }

    private EventBusUnavailableException(EventBusUnavailableReason reason, int errno, int ownerProcessId, string message)
        : base(message, errno)
    {
        Reason = reason;
        OwnerProcessId = ownerProcessId;
    }

    /// <summary>Why the bus could not be reached.</summary>
    public EventBusUnavailableReason Reason { get; }

    /// <summary>The owner pid recorded in the store header when the attempt failed (0 when none).</summary>
    public int OwnerProcessId { get; }

    /// <summary>What ends an existing subscription when the owner process <paramref name="pid"/> exits (OwnerGone, ESRCH).</summary>
    internal static EventBusUnavailableException OwnerExited(int pid) =>
        new(EventBusUnavailableReason.OwnerGone, Splinter.Interop.Errno.ESRCH, pid,
            $"The event-bus owner process, pid {pid}, exited (ESRCH) while this subscription was open: its eventfd will never be " +
            "signalled again, so the subscription has ended (changes up to now were reported; ReadChanges still works). " +
            "Arm the bus again in a live writer process (EventBus.Arm()) and subscribe again.");

    /// <summary>Maps the errno of splinter_event_bus_open to a reason.</summary>
    internal static EventBusUnavailableReason ReasonFor(int errno) => errno switch
    {
        Splinter.Interop.Errno.ENODEV => EventBusUnavailableReason.NotArmed,
        Splinter.Interop.Errno.ESRCH => EventBusUnavailableReason.OwnerGone,
        Splinter.Interop.Errno.EPERM => EventBusUnavailableReason.PermissionDenied,
        Splinter.Interop.Errno.EBADF => EventBusUnavailableReason.OwnerDescriptorClosed,
        Splinter.Interop.Errno.ENOSYS => EventBusUnavailableReason.NotSupported,
        _ => EventBusUnavailableReason.Other,
    };

    private static string Describe(EventBusUnavailableReason reason, int errno, int pid, int fd) => reason switch
    {
        EventBusUnavailableReason.NotArmed =>
            "The store's event bus is not armed (ENODEV): no process has called EventBus.Arm() (splinter_event_bus_init). " +
            "Arm it in the process that writes, then subscribe.",
        EventBusUnavailableReason.OwnerGone =>
            $"The event-bus owner, pid {pid}, has exited (ESRCH), and its eventfd with it. " +
            "Arm the bus again in a live writer process (EventBus.Arm()), then subscribe.",
        EventBusUnavailableReason.PermissionDenied =>
            $"This process may not take the event-bus descriptor from owner pid {pid} (EPERM): pidfd_getfd needs ptrace-attach rights " +
            "over the owner (same user and no restrictive Yama ptrace_scope, or CAP_SYS_PTRACE). Run both processes as the same user or relax the policy.",
        EventBusUnavailableReason.OwnerDescriptorClosed =>
            $"The event-bus owner, pid {pid}, no longer has descriptor {fd} open (EBADF); it probably closed the store. " +
            "Arm the bus again in the owner (EventBus.Arm()), then subscribe.",
        EventBusUnavailableReason.NotSupported =>
            "This kernel lacks pidfd_open/pidfd_getfd (ENOSYS); reaching another process's event bus needs Linux 5.6 or later.",
        EventBusUnavailableReason.StaleOwner =>
            $"The store names pid {pid}, descriptor {fd} as event-bus owner, but that descriptor is not an eventfd: the owner left and the " +
            "pid and descriptor number were reused. Arm the bus again in a live writer process, then subscribe.",
        _ => $"The event bus could not be opened: splinter_event_bus_open failed with {Splinter.Interop.Errno.Name(errno)} (owner pid {pid}, descriptor {fd}).",
    };
}
