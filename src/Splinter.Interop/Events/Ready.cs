using System;

namespace Splinter.Interop.Events;

/// <summary>
/// What woke an event wait. Every descriptor registered in an <see cref="EpollSet"/> carries one of these as its token,
/// and a wait returns the union of the tokens that were ready.
/// </summary>
[Flags]
internal enum Ready
{
    /// <summary>Nothing: the sleep ran out (deadline or periodic check), or a signal interrupted it.</summary>
    None = 0,

    /// <summary>The watched descriptor has a new edge (the bus, or an <see cref="EventFd"/>): the wait is answered.</summary>
    Target = 1,

    /// <summary>The waiter's private eventfd was written: look at cancellation, disposal or a new wait.</summary>
    Kick = 2,

    /// <summary>The end signal (the bus owner's pidfd) is readable: the owner exited.</summary>
    End = 4,
}
