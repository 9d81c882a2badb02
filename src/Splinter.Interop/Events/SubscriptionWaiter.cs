using System;

namespace Splinter.Interop.Events;

/// <summary>
/// The async waiter of one <see cref="EventSubscription"/>: an edge on the bus completes the wait with true, and so does
/// a check without an edge that finds the store's global epoch moved (a write whose edge another reader's drain made
/// epoll drop, a write in a non-owner process, or any write while the subscription polls); a timeout gives false. The
/// bus and the owner's pidfd come and go with the subscription's connection (<see cref="FdWaiter{T}.AddSource"/>).
/// </summary>
internal sealed class SubscriptionWaiter : FdWaiter<bool>
{
    private readonly EventSubscription _subscription;
    private ulong _observedGlobalEpoch;
    private int _pollStep = 1;

    internal SubscriptionWaiter(EventSubscription subscription, EventFdHandle? bus, EventFdHandle? ownerPidfd, ulong observedGlobalEpoch)
        : base(bus, "Splinter event-bus waiter", timeoutResult: false, endSignal: ownerPidfd)
    {
        _subscription = subscription;
        _observedGlobalEpoch = observedGlobalEpoch;
    }

    /// <inheritdoc/>
    protected override int PeriodicCheckMilliseconds => _subscription.CheckIntervalMilliseconds(_pollStep);

    /// <inheritdoc/>
    protected override bool TryTake(out bool result)
    {
        // NOTE: the shared bus counter is never read here: reading would drain it for every
        // other process. The edge itself is the signal; the change list comes from slot epochs.
        _subscription.TryReadGlobalEpoch(out _observedGlobalEpoch);
        result = _subscription.WokeUp();
        return true;
    }

    /// <inheritdoc/>
    protected override void OnEndSignal()
    {
        _subscription.OnOwnerExited();
        if (_subscription.EndedByOwnerExit)
        {
            base.OnEndSignal();
        }
    }

    /// <inheritdoc/>
    protected override Exception CreateEndFailure() => _subscription.OwnerExitedFailure();

    /// <inheritdoc/>
    protected override bool TryTakeWithoutEdge(out bool result)
    {
        result = _subscription.CheckWithoutEdge(ref _observedGlobalEpoch, ref _pollStep) && _subscription.WokeUp();
        if (_subscription.EndedByOwnerExit)
        {
            End();
        }

        return result;
    }
}
