using System;
using System.Collections.Generic;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreSignalTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 16, maxValueSize: 32);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void Watch_MakesEachSetPulseTheGroup_UnwatchStopsIt()
    {
        _store.Set("w", "v");
        _store.Signals.Register("w", 5);
        ulong before = _store.Signals.GetCount(5);
        _store.Set("w", "v2");
        _store.Set("w", "v3");
        Assert.That(_store.Signals.GetCount(5), Is.EqualTo(before + 2));

        _store.Signals.Unregister("w", 5);
        _store.Set("w", "v4");
        Assert.That(_store.Signals.GetCount(5), Is.EqualTo(before + 2));
    }

    [Test]
    public void Watch_AllKeyForms()
    {
        _store.Set("a", "v");
        _store.Signals.Register("a"u8, 1);
        _store.Signals.Register(new SplinterKey("a"), 2);
        _store.Set("a", "v");
        Assert.That(_store.Signals.GetCount(1), Is.EqualTo(1ul));
        Assert.That(_store.Signals.GetCount(2), Is.EqualTo(1ul));
        _store.Signals.Unregister("a"u8, 1);
        _store.Signals.Unregister(new SplinterKey("a"), 2);
        _store.Set("a", "v");
        Assert.That(_store.Signals.GetCount(1) + _store.Signals.GetCount(2), Is.EqualTo(2ul));
    }

    [Test]
    public void WatchLabels_MapsLabelBitsToAGroup()
    {
        _store.Set("l", "v");
        _store.Signals.MapLabels(1ul << 3, 7);
        _store.Set("l", "v");
        Assert.That(_store.Signals.GetCount(7), Is.Zero, "no label yet");
        _store.AddLabels("l", 1ul << 3);
        _store.Set("l", "v");
        Assert.That(_store.Signals.GetCount(7), Is.EqualTo(1ul));
    }

    [Test]
    public void Pulse_AndPulseSlot_PulseWithoutChangingTheValue()
    {
        _store.Set("p", "v");
        _store.Signals.Register("p", 9);
        ulong epoch = _store.GetEpoch("p");
        _store.Signals.Pulse("p");
        _store.Signals.Pulse("p"u8);
        _store.Signals.Pulse(new SplinterKey("p"));
        int slot = _store.Slots.IndexOf("p");
        Assert.That(slot, Is.InRange(0, 15));
        Assert.That(_store.Slots.IndexOf(new SplinterKey("p")), Is.EqualTo(slot));
        _store.Signals.PulseSlot(slot);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Signals.GetCount(9), Is.EqualTo(4ul));
            Assert.That(_store.GetEpoch("p"), Is.EqualTo(epoch));
            Assert.That(_store.Slots.IndexOf("absent"), Is.EqualTo(-1));
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.PulseSlot(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.PulseSlot(-1));
        Assert.Throws<KeyNotFoundException>(() => _store.Signals.Pulse("absent"));
    }

    [Test]
    public void Bump_AdvancesEpochByTwoAndPulses()
    {
        _store.Set("b", "v");
        _store.Signals.Register("b", 3);
        ulong epoch = _store.GetEpoch("b");
        ulong storeEpoch = _store.Header.GetSnapshot().Epoch;
        _store.Signals.Bump("b");
        _store.Signals.Bump("b"u8);
        _store.Signals.Bump(new SplinterKey("b"));
        Assert.Multiple(() =>
        {
            Assert.That(_store.GetEpoch("b"), Is.EqualTo(epoch + 6));
            Assert.That(_store.Signals.GetCount(3), Is.EqualTo(3ul));
            Assert.That(_store.Header.GetSnapshot().Epoch, Is.EqualTo(storeEpoch));
            Assert.That(_store.GetString("b"), Is.EqualTo("v"));
        });
        Assert.Throws<KeyNotFoundException>(() => _store.Signals.Bump("absent"));
    }

    [Test]
    public void Retrain_LeavesTheSlotFree_AndTheValueIntact()
    {
        _store.Set("r", "v");
        for (int i = 0; i < 5; i++)
        {
            _store.Set("r", "v");
        }

        _store.Slots.Retrain("r");
        Assert.That(_store.GetEpoch("r") % 2, Is.Zero);
        _store.Set("r", "w");
        _store.Slots.Retrain("r"u8);
        Assert.That(_store.GetEpoch("r") % 2, Is.Zero);
        _store.Slots.Retrain(new SplinterKey("r"));
        Assert.That(_store.GetString("r"), Is.EqualTo("w"));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.Retrain("absent"));
    }

    [Test]
    [OurLibrary("epochs never go back (upstream's retrain stores 4 whatever the slot had)")]
    public void Retrain_MovesTheEpochForward()
    {
        for (int i = 0; i < 6; i++)
        {
            _store.Set("r", "v");
        }

        ulong before = _store.GetEpoch("r");
        _store.Slots.Retrain("r");
        Assert.That(_store.GetEpoch("r"), Is.EqualTo(before + 2));
    }

    [Test]
    public void GroupIds_OutsideZeroTo63_AreRejected()
    {
        _store.Set("g", "v");
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.Register("g", 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.Register("g", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.Unregister("g", 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.MapLabels(1, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Signals.GetCount(64));
        Assert.Throws<KeyNotFoundException>(() => _store.Signals.Register("absent", 1));
        Assert.Throws<KeyNotFoundException>(() => _store.Signals.Unregister("absent", 1));
    }

    [Test]
    public void WaitForChange_TimesOutWhenUnchanged()
    {
        _store.Set("poll", "v");
        Assert.That(_store.WaitForChange("poll", TimeSpan.Zero), Is.False);
        Assert.That(_store.WaitForChange("poll"u8, TimeSpan.FromMilliseconds(20)), Is.False);
        Assert.Throws<KeyNotFoundException>(() => _store.WaitForChange("absent", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.WaitForChange("poll", TimeSpan.FromSeconds(-2)));
    }

    [Test]
    public void WaitForChange_ReturnsTrueWhenAnotherThreadWrites()
    {
        _store.Set("poll", "v");
        using var started = new ManualResetEventSlim();
        bool changed = false;
        var waiter = new Thread(() =>
        {
            started.Set();
            changed = _store.WaitForChange(new SplinterKey("poll"), TimeSpan.FromSeconds(30));
        });
        waiter.Start();
        started.Wait();

        // Keep writing until the waiter returns: a write made before its first sample is not a change it can see.
        int writes = 0;
        while (!waiter.Join(TimeSpan.FromMilliseconds(20)) && writes < 1500)
        {
            _store.Set("poll", $"changed {writes++}");
        }

        Assert.That(waiter.Join(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(changed, Is.True);
    }
}
