using System;
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
        ReadDiagnostics.Retries++;
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

/// <summary>
/// Per-thread counts of the read paths' slow work, for the contention benchmark (bench/Splinter.Interop.Benchmarks,
/// Contention): thread-local, so counting costs no shared cache line, and touched only off the fast paths.
/// </summary>
internal static class ReadDiagnostics
{
    /// <summary>Copying reads whose inline pass did not answer (busy or torn slot, missing key, small buffer...).</summary>
    [ThreadStatic]
    internal static long SlowReads;

    /// <summary>Waits before another pass (<see cref="ContentionRetry.Wait"/>): one per discarded pass of a retry loop.</summary>
    [ThreadStatic]
    internal static long Retries;
}
