namespace Splinter.Interop.Events;

/// <summary>The waiter behind <see cref="EventFd.WaitAsync"/>: an edge completes the wait only when a count could be taken.</summary>
internal sealed class EventFdWaiter : FdWaiter<ulong>
{
    private readonly EventFdHandle _handle;

    internal EventFdWaiter(EventFdHandle handle)
        : base(handle, "Splinter EventFd waiter", timeoutResult: 0)
    {
        _handle = handle;
    }

    /// <inheritdoc/>
    protected override bool TryTake(out ulong result)
    {
        // The waiter holds a reference on the handle for its whole life, so the descriptor is open.
        result = EventFd.ReadNonBlocking(_handle.Descriptor);
        return result != 0;
    }
}
