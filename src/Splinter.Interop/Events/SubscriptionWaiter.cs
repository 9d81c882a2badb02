using System;

namespace Splinter.Interop.Events;

/// <summary>
/// The async waiter of one <see cref="EventSubscription"/>: an edge on the bus completes the wait
/// with true, and so does a periodic check that finds the store's global epoch moved (a write whose
/// edge another reader's drain made epoll drop, or a write in a non-owner process); a timeout gives false.
/// When the bus owner is another process, its pidfd is the end signal: the owner's exit ends every
/// wait with <see cref="EventBusUnavailableException"/> (where pidfds are missing, the periodic check
/// asks kill(pid, 0) instead).
/// </summary>
internal sealed class SubscriptionWaiter : FdWaiter<bool>
{
    private readonly EventSubscription _subscription;
    private ulong _observedGlobalEpoch;

    internal SubscriptionWaiter(EventSubscription subscription, EventFdHandle bus, ulong observedGlobalEpoch)
        : base(bus, "Splinter event-bus waiter", timeoutResult: false, endSignal: subscription.OwnerProcessHandle)
    {
        _subscription = subscription;
        _observedGlobalEpoch = observedGlobalEpoch;
    }

    /// <inheritdoc/>
    protected override int PeriodicCheckMilliseconds => _subscription.GlobalEpochCheckMilliseconds;

    /// <inheritdoc/>
    protected override bool TryTake(out bool result)
    {
        // NOTE: the shared bus counter is never read here: reading would drain it for every
        // other process. The edge itself is the signal; the change list comes from slot epochs.
        _subscription.TryReadGlobalEpoch(out _observedGlobalEpoch);
        result = true;
        return true;
    }

    /// <inheritdoc/>
    protected override Exception CreateEndFailure() => _subscription.OwnerExitedFailure();

    /// <inheritdoc/>
    protected override bool TryTakeWithoutEdge(out bool result)
    {
        if (_subscription.OwnerExitedWithoutPidfd())
        {
            End();
        }

        result = _subscription.GlobalEpochMoved(ref _observedGlobalEpoch);
        return result;
    }
}
