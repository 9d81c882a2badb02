using System.Diagnostics;
using System.Threading;

namespace Splinter.Interop.Store;

/// <summary>Bounded spin-and-retry on a busy slot: SpinWait until the store's contention budget is spent.</summary>
internal struct ContentionRetry
{
    private SpinWait _spin;
    private long _deadline;

    /// <summary>Waits a little and returns true while the budget (in Stopwatch ticks) lasts; false when it is spent.</summary>
    public bool Wait(long budgetTicks)
    {
        long now = Stopwatch.GetTimestamp();
        if (_deadline == 0)
        {
            _deadline = now + budgetTicks;
        }
        else if (now >= _deadline)
        {
            SplinterMetrics.ContentionTimeout();
            return false;
        }

        SplinterMetrics.ContentionRetry();
        _spin.SpinOnce();
        return true;
    }
}
