using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Splinter.Interop;

/// <summary>
/// The metrics Splinter.Interop publishes through System.Diagnostics.Metrics, under the meter <see cref="MeterName"/>:
/// <list type="bullet">
/// <item><c>splinter.contention.retries</c>: waits on a slot a writer held (each spin-and-retry of a read or write);</item>
/// <item><c>splinter.contention.timeouts</c>: operations that gave up on a busy slot (SplinterContentionException);</item>
/// <item><c>splinter.subscription.wakeups</c>: subscription waits that returned because something changed, tagged
/// <c>mode</c> = <c>bus</c> or <c>polling</c>;</item>
/// <item><c>splinter.subscription.polling_fallbacks</c>: subscriptions that had to poll (no reachable bus, or its owner exited);</item>
/// <item><c>splinter.stores.open</c>: SplinterStore instances open in this process.</item>
/// </list>
/// Nothing is recorded, and nothing costs more than a field read, while no listener (a MeterListener, OpenTelemetry,
/// dotnet-counters) listens.
/// </summary>
public static class SplinterMetrics
{
    /// <summary>The meter's name: listen to it with a MeterListener, OpenTelemetry or <c>dotnet-counters monitor Splinter.Interop</c>.</summary>
    public const string MeterName = "Splinter.Interop";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_contentionRetries = s_meter.CreateCounter<long>("splinter.contention.retries", "{retry}", "Waits on a slot a writer held.");
    private static readonly Counter<long> s_contentionTimeouts = s_meter.CreateCounter<long>("splinter.contention.timeouts", "{operation}", "Operations that gave up on a busy slot.");
    private static readonly Counter<long> s_wakeUps = s_meter.CreateCounter<long>("splinter.subscription.wakeups", "{wakeup}", "Subscription waits that returned because something changed.");
    private static readonly Counter<long> s_pollingFallbacks = s_meter.CreateCounter<long>("splinter.subscription.polling_fallbacks", "{subscription}", "Subscriptions that fell back to polling.");
    private static readonly UpDownCounter<long> s_storesOpen = s_meter.CreateUpDownCounter<long>("splinter.stores.open", "{store}", "SplinterStore instances open in this process.");

    internal static void ContentionRetry()
    {
        if (s_contentionRetries.Enabled)
        {
            s_contentionRetries.Add(1);
        }
    }

    internal static void ContentionTimeout()
    {
        if (s_contentionTimeouts.Enabled)
        {
            s_contentionTimeouts.Add(1);
        }
    }

    internal static void WakeUp(bool polling)
    {
        if (s_wakeUps.Enabled)
        {
            s_wakeUps.Add(1, new KeyValuePair<string, object?>("mode", polling ? "polling" : "bus"));
        }
    }

    internal static void PollingFallback()
    {
        if (s_pollingFallbacks.Enabled)
        {
            s_pollingFallbacks.Add(1);
        }
    }

    internal static void StoreOpened()
    {
        if (s_storesOpen.Enabled)
        {
            s_storesOpen.Add(1);
        }
    }

    internal static void StoreClosed()
    {
        if (s_storesOpen.Enabled)
        {
            s_storesOpen.Add(-1);
        }
    }
}
