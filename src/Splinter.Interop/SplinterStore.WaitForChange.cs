using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Splinter.Interop.Events;

namespace Splinter.Interop;

/// <content>WaitForChangeAsync: a part of its own because an async method cannot live in an unsafe context.</content>
public sealed partial class SplinterStore
{
    /// <summary>
    /// Completes with true when the key's slot epoch changes (or a writer is inside the slot when the call starts), with
    /// false when <paramref name="timeout"/> passes: WaitForChange without a blocked thread. A bad key, a missing key or a
    /// disposed store throw at the call. It looks at the slot every
    /// millisecond at first, backing off to every 10 ms (splinter_poll's step) while nothing changes. Label changes are
    /// not seen. Cancellation ends it with <see cref="OperationCanceledException"/>, Dispose with ObjectDisposedException.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until cancelled.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>True if the epoch changed, false on timeout.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist when the call starts.</exception>
    public Task<bool> WaitForChangeAsync(string key, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForChangeAsync(new SplinterKey(key), timeout, cancellationToken);

    /// <summary>The pre-encoded form of <see cref="WaitForChangeAsync(string, TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until cancelled.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>True if the epoch changed, false on timeout.</returns>
    public Task<bool> WaitForChangeAsync(SplinterKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // Arguments, a missing key and a disposed store fail here, before any task exists.
        Deadline.Validate(timeout, nameof(timeout));
        long deadline = Deadline.From(timeout);
        bool idle = TryStartWatchingSlot(key, out int slot, out ulong start);
        Task<bool> wait = idle ? WaitForSlotAsync(key, slot, start, deadline, cancellationToken) : Task.FromResult(true);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the first look (the wait keeps the key itself)
        return wait;
    }

    private async Task<bool> WaitForSlotAsync(SplinterKey key, int slot, ulong start, long deadline, CancellationToken cancellationToken)
    {
        int step = 1;
        while (true)
        {
            int remaining = Deadline.RemainingMilliseconds(deadline);
            if (remaining == 0)
            {
                return false;
            }

            await Task.Delay(remaining < 0 ? step : Math.Min(step, remaining), cancellationToken).ConfigureAwait(false);
            if (SlotEpochMoved(key, slot, start))
            {
                return true;
            }

            step = Math.Min(step * 2, 10);
        }
    }
}
