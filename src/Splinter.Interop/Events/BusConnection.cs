namespace Splinter.Interop.Events;

/// <summary>
/// A subscription's way to the store's bus: its own descriptor for the eventfd and, when the owner is another process,
/// a pidfd that turns readable when it exits. Owned by the subscription; disposed together.
/// </summary>
/// <param name="Bus">The bus descriptor (closed by splinter_event_bus_close).</param>
/// <param name="OwnerPidfd">The owner's pidfd; null for this process, or where pidfds are missing or refused.</param>
/// <param name="OwnerPid">The owner when it is another process, else 0.</param>
/// <param name="OwnerFd">The owner's descriptor number recorded in the header when the bus was opened.</param>
internal sealed record BusConnection(EventFdHandle Bus, EventFdHandle? OwnerPidfd, int OwnerPid, int OwnerFd)
{
    /// <summary>Closes both descriptors.</summary>
    public void Close()
    {
        OwnerPidfd?.Dispose();
        Bus.Dispose();
    }
}
