using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Diagnostics;

/// <summary>Every instrument of <see cref="SplinterMetrics"/> moves when its event happens, seen through a MeterListener.</summary>
[TestFixture]
[Category("Store")]
[NonParallelizable] // the listener sees the whole process: other tests' stores would blur the counts
public sealed unsafe class MetricsTests : StoreFixtureBase
{
    public MetricsTests()
        : base(SplinterVariant.SharedMemory)
    {
    }

    [Test]
    public void EveryInstrumentMoves()
    {
        var totals = new ConcurrentDictionary<string, long>();
        var modes = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SplinterMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            totals.AddOrUpdate(instrument.Name + (value < 0 ? "-" : "+"), Math.Abs(value), (_, total) => total + Math.Abs(value));
            foreach (var tag in tags)
            {
                if (tag.Key == "mode")
                {
                    modes.AddOrUpdate((string)tag.Value!, 1, (_, n) => n + 1);
                }
            }
        });
        listener.Start();

        // A store opened and closed, then the one the rest uses.
        using (SplinterStore other = SplinterStore.Create(Names.NewName("metrics"), 4, 8, Options))
        {
        }

        SplinterStore store = Names.Track(SplinterStore.Create(Names.NewName("metrics"), 16, 64, Options with { ContentionTimeout = TimeSpan.FromMilliseconds(20) }));

        // A subscription on a store nobody armed falls back to polling and wakes up on a write.
        using (EventSubscription subscription = store.Events.Subscribe())
        {
            store.Set("k", "v"u8);
            Assert.That(subscription.Wait(TimeSpan.FromSeconds(30)), Is.True);
        }

        // A slot held by a writer: the read waits, then gives up.
        using (var slots = new SlotEditor(store))
        {
            splinter_slot* slot = slots.Find("k");
            ulong even = slot->epoch;
            Interlocked.Exchange(ref slot->epoch, even + 1);
            Assert.Throws<SplinterContentionException>(() => store.TryGet("k", new byte[8], out _));
            Interlocked.Exchange(ref slot->epoch, even + 2);
        }

        listener.RecordObservableInstruments();
        Assert.Multiple(() =>
        {
            Assert.That(totals.GetValueOrDefault("splinter.stores.open+"), Is.GreaterThanOrEqualTo(2), "stores opened");
            Assert.That(totals.GetValueOrDefault("splinter.stores.open-"), Is.GreaterThanOrEqualTo(1), "stores closed");
            Assert.That(totals.GetValueOrDefault("splinter.subscription.polling_fallbacks+"), Is.GreaterThanOrEqualTo(1));
            Assert.That(totals.GetValueOrDefault("splinter.subscription.wakeups+"), Is.GreaterThanOrEqualTo(1));
            Assert.That(modes.GetValueOrDefault("polling"), Is.GreaterThanOrEqualTo(1), "the wake-up was tagged with the polling mode");
            Assert.That(totals.GetValueOrDefault("splinter.contention.retries+"), Is.GreaterThanOrEqualTo(1));
            Assert.That(totals.GetValueOrDefault("splinter.contention.timeouts+"), Is.GreaterThanOrEqualTo(1));
        });
    }
}
