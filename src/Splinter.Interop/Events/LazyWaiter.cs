using System;
using System.Threading;

namespace Splinter.Interop.Events;

/// <summary>First-use creation of the one waiter an owner (<see cref="EventFd"/>, <see cref="EventSubscription"/>) keeps.</summary>
internal static class LazyWaiter
{
    /// <summary>
    /// The slow path of an owner's <c>Waiter()</c>, for when <paramref name="slot"/> was seen empty:
    /// creates a waiter, publishes it unless another thread won the race (the loser is disposed and
    /// the winner returned), and backs out when the owner was disposed meanwhile. Pass a static
    /// lambda as <paramref name="create"/> so nothing is allocated per call.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The owner is disposed (before or during the creation).</exception>
    internal static TWaiter Create<TOwner, TWaiter>(TOwner owner, ref TWaiter? slot, ref int disposed, Func<TOwner, TWaiter> create)
        where TOwner : class
        where TWaiter : class, IDisposable
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, owner);
        TWaiter created = create(owner);
        TWaiter? waiter = Interlocked.CompareExchange(ref slot, created, null);
        if (waiter is not null)
        {
            created.Dispose();
            return waiter;
        }

        // Dispose ran between the check above and the publication, so it found no waiter to end.
        if (Volatile.Read(ref disposed) != 0 && Interlocked.Exchange(ref slot, null) is { } late)
        {
            late.Dispose();
            throw new ObjectDisposedException(owner.GetType().Name);
        }

        return created;
    }
}
