using System;
using System.Collections.Generic;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreSnapshotAndFlagTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 8, maxValueSize: 200);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void HeaderSnapshot_OfAFreshStore()
    {
        SplinterHeaderSnapshot header = _store.Header.GetSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(header.Magic, Is.EqualTo(0x534C4E54u));
            Assert.That(header.Version, Is.EqualTo(4u));
            Assert.That(header.SlotCount, Is.EqualTo(8u));
            Assert.That(header.MaxValueSize, Is.EqualTo(200u));
            Assert.That(header.Epoch, Is.EqualTo(1ul));
            Assert.That(header.CoreFlags, Is.EqualTo(SplinterCoreFlags.AutoScrub | SplinterCoreFlags.HybridScrub));
            Assert.That(header.UserFlags, Is.Zero);
            Assert.That(header.ParseFailures, Is.Zero);
            Assert.That(header.LastFailureEpoch, Is.Zero);
        });
        _store.Set("k", "v");
        Assert.That(_store.Header.GetSnapshot().Epoch, Is.EqualTo(2ul));
        SplinterHeaderSnapshot first = _store.Header.GetSnapshot();
        SplinterHeaderSnapshot second = _store.Header.GetSnapshot();
        Assert.That(second, Is.EqualTo(first), "value equality of the record struct");
    }

    [Test]
    public void SlotSnapshot_CopiesTheSlot()
    {
        _store.Set("hello", "world");
        _store.AddLabels("hello", 6);
        SplinterSlotSnapshot snapshot = _store.Slots.GetSnapshot("hello");
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Key, Is.EqualTo("hello"));
            Assert.That(snapshot.Hash, Is.EqualTo(0xa430d84680aabd0bul), "FNV-1a of \"hello\"");
            Assert.That(snapshot.Epoch, Is.EqualTo(2ul));
            Assert.That(snapshot.ValueLength, Is.EqualTo(5u));
            Assert.That(snapshot.ValueOffset, Is.EqualTo(3u * 200u), "\"hello\" lives in slot 3 of 8");
            Assert.That(snapshot.Type, Is.EqualTo(SplinterSlotTypes.Void));
            Assert.That(snapshot.UserFlags, Is.EqualTo(SplinterSlotUserFlags.None));
            Assert.That(snapshot.Labels, Is.EqualTo(6ul));
        });
        Assert.That(_store.Slots.TryGetSnapshot("hello"u8, out SplinterSlotSnapshot viaUtf8), Is.True);
        Assert.That(viaUtf8, Is.EqualTo(snapshot));
        Assert.That(_store.Slots.TryGetSnapshot(new SplinterKey("hello"), out SplinterSlotSnapshot viaKey), Is.True);
        Assert.That(viaKey, Is.EqualTo(_store.Slots.GetSnapshot(new SplinterKey("hello"))));
        Assert.That(_store.Slots.IndexOf("hello"), Is.EqualTo(3));
    }

    [Test]
    public void SlotSnapshot_Missing()
    {
        Assert.That(_store.Slots.TryGetSnapshot("missing", out SplinterSlotSnapshot snapshot), Is.False);
        Assert.That(snapshot, Is.EqualTo(default(SplinterSlotSnapshot)));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.GetSnapshot("missing"));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.GetSnapshot(new SplinterKey("missing")));
    }

    [Test]
    public void MopMode_CanBeSetToEveryModeIncludingFullFromHybrid()
    {
        Assert.That(_store.Header.GetMopMode(), Is.EqualTo(SplinterMopMode.Hybrid));
        _store.Header.SetMopMode(SplinterMopMode.Full);
        Assert.That(_store.Header.GetMopMode(), Is.EqualTo(SplinterMopMode.Full), "libsplinter alone would stay in Hybrid");
        _store.Header.SetMopMode(SplinterMopMode.None);
        Assert.That(_store.Header.GetMopMode(), Is.EqualTo(SplinterMopMode.None));
        _store.Header.SetMopMode(SplinterMopMode.Hybrid);
        Assert.That(_store.Header.GetMopMode(), Is.EqualTo(SplinterMopMode.Hybrid));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Header.SetMopMode((SplinterMopMode)3));
    }

    [Test]
    public void Purge_AdvancesIdleSlotEpochsByTwo_AndKeepsValues()
    {
        _store.Set("p", "value");
        ulong epoch = _store.GetEpoch("p");
        ulong storeEpoch = _store.Header.GetSnapshot().Epoch;
        _store.Slots.Purge();
        Assert.Multiple(() =>
        {
            Assert.That(_store.GetEpoch("p"), Is.EqualTo(epoch + 2));
            Assert.That(_store.GetString("p"), Is.EqualTo("value"));
            Assert.That(_store.Header.GetSnapshot().Epoch, Is.EqualTo(storeEpoch));
        });
    }

    [Test]
    public void CoreFlags_SetClearTestRead()
    {
        Assert.That(_store.Header.GetCoreFlags(), Is.EqualTo(SplinterCoreFlags.AutoScrub | SplinterCoreFlags.HybridScrub));
        _store.Header.SetCoreFlags(SplinterCoreFlags.User1 | SplinterCoreFlags.User4);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Header.TestCoreFlags(SplinterCoreFlags.User4), Is.True);
            Assert.That(_store.Header.TestCoreFlags(SplinterCoreFlags.User2), Is.False);
            Assert.That(_store.Header.GetSnapshot().CoreFlags.HasFlag(SplinterCoreFlags.User1), Is.True);
        });
        _store.Header.ClearCoreFlags(SplinterCoreFlags.User1 | SplinterCoreFlags.HybridScrub);
        Assert.That(_store.Header.GetCoreFlags(), Is.EqualTo(SplinterCoreFlags.AutoScrub | SplinterCoreFlags.User4));
        Assert.That(_store.Header.GetMopMode(), Is.EqualTo(SplinterMopMode.Full), "core flags are the mop bits");
    }

    [Test]
    public void UserFlags_SetClearTestRead()
    {
        _store.Set("u", "v");
        var key = new SplinterKey("u");
        Assert.That(_store.Slots.GetUserFlags("u"), Is.EqualTo(SplinterSlotUserFlags.None));
        _store.Slots.SetUserFlags("u", SplinterSlotUserFlags.User1 | SplinterSlotUserFlags.User8);
        _store.Slots.SetUserFlags(key, SplinterSlotUserFlags.User3);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Slots.GetUserFlags(key), Is.EqualTo(SplinterSlotUserFlags.User1 | SplinterSlotUserFlags.User3 | SplinterSlotUserFlags.User8));
            Assert.That(_store.Slots.TestUserFlags("u", SplinterSlotUserFlags.User8), Is.True);
            Assert.That(_store.Slots.TestUserFlags(key, SplinterSlotUserFlags.User2), Is.False);
            Assert.That(_store.Slots.GetSnapshot("u").UserFlags, Is.EqualTo(SplinterSlotUserFlags.User1 | SplinterSlotUserFlags.User3 | SplinterSlotUserFlags.User8));
        });
        _store.Slots.ClearUserFlags("u", SplinterSlotUserFlags.User1);
        _store.Slots.ClearUserFlags(key, SplinterSlotUserFlags.User8);
        Assert.That(_store.Slots.GetUserFlags("u"), Is.EqualTo(SplinterSlotUserFlags.User3));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.SetUserFlags("missing", SplinterSlotUserFlags.User1));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.GetUserFlags("missing"));
    }
}
