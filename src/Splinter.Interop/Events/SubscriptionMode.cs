namespace Splinter.Interop;

/// <summary>How an <see cref="EventSubscription"/> hears about changes right now (it moves between the two on its own).</summary>
public enum SubscriptionMode
{
    /// <summary>Woken by the store's event bus (an eventfd armed by a writer process), within microseconds of a signalled write.</summary>
    Bus = 0,

    /// <summary>
    /// No bus is reachable (nobody armed it, its owner exited, or this process may not take its descriptor): the store's global
    /// epoch is polled, every millisecond while writes keep coming, backing off to <see cref="SubscriptionOptions.PollingInterval"/>
    /// when the store is quiet.
    /// </summary>
    Polling = 1,
}
