using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreLabelTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 32, maxValueSize: 32);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void Labels_AreAddedRemovedAndFound()
    {
        _store.Set("red", "1");
        _store.Set("green", "2");
        _store.Set("blue", "3");
        _store.AddLabels("red", 0b011);
        _store.AddLabels("green"u8, 0b010);
        _store.AddLabels(new SplinterKey("blue"), 0b111);

        Assert.Multiple(() =>
        {
            Assert.That(_store.FindByLabels(0b010).Select(m => m.Key), Is.EquivalentTo(new[] { "red", "green", "blue" }));
            Assert.That(_store.FindByLabels(0b011).Select(m => m.Key), Is.EquivalentTo(new[] { "red", "blue" }));
            Assert.That(_store.FindByLabels(0b100).Select(m => m.Key), Is.EquivalentTo(new[] { "blue" }));
            Assert.That(_store.FindByLabels(0).Select(m => m.Key), Is.EquivalentTo(new[] { "red", "green", "blue" }), "mask 0 matches every occupied slot");
            Assert.That(_store.Slots.GetSnapshot("blue").Labels, Is.EqualTo(0b111ul));
        });

        _store.RemoveLabels("blue", 0b001);
        _store.RemoveLabels("red"u8, 0b011);
        _store.RemoveLabels(new SplinterKey("green"), 0b010);
        Assert.Multiple(() =>
        {
            Assert.That(_store.FindByLabels(0b010).Select(m => m.Key), Is.EquivalentTo(new[] { "blue" }));
            Assert.That(_store.Slots.GetSnapshot("blue").Labels, Is.EqualTo(0b110ul));
        });
    }

    [Test]
    public void FindByLabels_ReportsSlotEpochs_InSlotOrder()
    {
        for (int i = 0; i < 10; i++)
        {
            _store.Set($"k{i}", "v");
            _store.AddLabels($"k{i}", 1);
        }

        _store.Set("k3", "again");
        IReadOnlyList<SplinterLabelMatch> matches = _store.FindByLabels(1);
        Assert.That(matches, Has.Count.EqualTo(10));
        Assert.That(matches.Single(m => m.Key == "k3").Epoch, Is.EqualTo(4ul));
        Assert.That(matches.Where(m => m.Key != "k3").Select(m => m.Epoch), Is.All.EqualTo(2ul));
        int[] slotOrder = matches.Select(m => _store.Slots.IndexOf(m.Key)).ToArray();
        Assert.That(slotOrder, Is.Ordered);
    }

    [Test]
    public void LabelChange_KeepsSlotEpoch_AdvancesStoreEpoch()
    {
        _store.Set("k", "v");
        ulong slotEpoch = _store.GetEpoch("k");
        ulong storeEpoch = _store.Header.GetSnapshot().Epoch;
        _store.AddLabels("k", 8);
        Assert.That(_store.GetEpoch("k"), Is.EqualTo(slotEpoch));
        Assert.That(_store.Header.GetSnapshot().Epoch, Is.EqualTo(storeEpoch + 1));
    }

    [Test]
    public void Labels_OnMissingKey_ThrowKeyNotFound()
    {
        Assert.Throws<KeyNotFoundException>(() => _store.AddLabels("missing", 1));
        Assert.Throws<KeyNotFoundException>(() => _store.RemoveLabels("missing", 1));
        Assert.That(_store.FindByLabels(1), Is.Empty);
    }
}
