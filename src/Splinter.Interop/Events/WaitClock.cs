using System;

namespace Splinter.Interop.Events;

/// <summary>
/// The timing of one event wait, shared by the async waiter thread (<see cref="FdWaiter{T}"/>) and the blocking
/// <see cref="EventSubscription.Wait"/>: its deadline, and each sleep in epoll until then, cut short by the periodic
/// check that a wait makes without an edge. A mutable struct kept by its waiter: no allocation per wait.
/// </summary>
internal struct WaitClock
{
    private const int NoFirstSleep = int.MinValue;
    private readonly long _deadline;

    // The first sleep comes from the timeout itself (no second clock read right after Deadline.From), later ones from
    // the time left.
    private int _firstSleep;

    /// <summary>Starts a wait of <paramref name="timeout"/> (validated; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none).</summary>
    public WaitClock(TimeSpan timeout)
    {
        _deadline = Deadline.From(timeout);
        _firstSleep = Deadline.Milliseconds(timeout);
    }

    /// <summary>True when the wait has no deadline.</summary>
    public readonly bool IsInfinite => _deadline == Deadline.Infinite;

    /// <summary>True once the deadline has passed.</summary>
    public readonly bool HasPassed => Deadline.HasPassed(_deadline);

    /// <summary>
    /// Sleeps once in <paramref name="set"/>: until a registered descriptor is ready, the deadline passes, or
    /// <paramref name="checkMilliseconds"/> (-1: no periodic check) elapse. <paramref name="owned"/>: the calling
    /// thread alone disposes the set, so the wait takes no reference on its descriptor (<see cref="EpollSet.WaitOwned"/>).
    /// </summary>
    public Ready Sleep(EpollSet set, int checkMilliseconds, bool owned)
    {
        int sleep = _firstSleep != NoFirstSleep ? _firstSleep : Deadline.RemainingMilliseconds(_deadline);
        _firstSleep = NoFirstSleep;
        if (checkMilliseconds >= 0 && (sleep < 0 || checkMilliseconds < sleep))
        {
            sleep = checkMilliseconds;
        }

        return owned ? set.WaitOwned(sleep) : set.Wait(sleep);
    }
}
