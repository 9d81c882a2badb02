using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Splinter.Interop.Events;

/// <summary>Monotonic deadlines for waits expressed as <see cref="TimeSpan"/> (infinite = <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
internal static class Deadline
{
    /// <summary>The deadline value meaning "never".</summary>
    internal const long Infinite = long.MaxValue;

    /// <summary>Rejects negative timeouts other than infinite, and timeouts beyond int.MaxValue milliseconds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Validate(TimeSpan timeout, string parameterName)
    {
        // One unsigned compare of the ticks (a negative count wraps above the limit), on every wait.
        long ticks = timeout.Ticks;
        if ((ulong)ticks > (ulong)int.MaxValue * TimeSpan.TicksPerMillisecond && ticks != Timeout.InfiniteTimeSpan.Ticks)
        {
            ThrowOutOfRange(timeout, parameterName);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowOutOfRange(TimeSpan timeout, string parameterName) =>
        throw new ArgumentOutOfRangeException(parameterName, timeout,
            "The timeout must be Timeout.InfiniteTimeSpan or between 0 and int.MaxValue milliseconds.");

    /// <summary>
    /// A validated timeout in whole milliseconds rounded up, -1 for infinite: the first sleep of a wait that has just
    /// computed its deadline, without reading the clock again (<see cref="RemainingMilliseconds"/> would give the same).
    /// </summary>
    internal static int Milliseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        long ms = (timeout.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return ms > int.MaxValue ? int.MaxValue : (int)ms;
    }

    /// <summary>The Stopwatch timestamp at which a wait of <paramref name="timeout"/> started now ends.</summary>
    internal static long From(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        return Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Milliseconds left until <paramref name="deadline"/>, rounded up, for poll/epoll_wait (-1 = infinite).</summary>
    internal static int RemainingMilliseconds(long deadline)
    {
        if (deadline == Infinite)
        {
            return -1;
        }

        long left = deadline - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            return 0;
        }

        long ms = (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return ms > int.MaxValue ? int.MaxValue : (int)ms;
    }

    /// <summary>True once <paramref name="deadline"/> has passed.</summary>
    internal static bool HasPassed(long deadline) =>
        deadline != Infinite && Stopwatch.GetTimestamp() >= deadline;
}
