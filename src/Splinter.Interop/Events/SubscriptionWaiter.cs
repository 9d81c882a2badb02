namespace Splinter.Interop.Events;

/// <summary>The async waiter of one <see cref="EventSubscription"/>: every edge on the bus completes the wait with true; a timeout with false.</summary>
internal sealed class SubscriptionWaiter : FdWaiter<bool>
{
    internal SubscriptionWaiter(EventFdHandle bus)
        : base(bus, "Splinter event-bus waiter", timeoutResult: false)
    {
    }

    /// <inheritdoc/>
    protected override bool TryTake(out bool result)
    {
        // NOTE: the shared bus counter is never read here: reading would drain it for every
        // other process. The edge itself is the signal; the change list comes from slot epochs.
        result = true;
        return true;
    }
}
