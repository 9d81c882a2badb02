using System;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreShardTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private const ulong Long = 1ul << 50;
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 64, maxValueSize: 4096);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void Claim_Elect_Rebid_Release()
    {
        Assert.That(_store.Shards.Elect(), Is.EqualTo(new SplinterElection(0, SplinterIntent.None)));
        Assert.That(_store.Shards.Elect().HasWinner, Is.False);

        _store.Shards.Claim(7, SplinterIntent.WillNeed, 10, Long);
        _store.Shards.Claim(9, SplinterIntent.Random, 20, Long);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Shards.Elect(), Is.EqualTo(new SplinterElection(9, SplinterIntent.Random)));
            Assert.That(_store.Shards.IsSovereign(9), Is.True);
            Assert.That(_store.Shards.IsSovereign(7), Is.False);
        });

        Assert.That(_store.Shards.Rebid(7, SplinterIntent.Sequential, 30, Long), Is.True);
        Assert.That(_store.Shards.Elect().ShardId, Is.EqualTo(7u));
        Assert.That(_store.Shards.Rebid(8, SplinterIntent.None, 1, Long), Is.False, "no record for 8");

        Assert.That(_store.Shards.Release(7), Is.True);
        Assert.That(_store.Shards.Release(7), Is.False);
        Assert.That(_store.Shards.Elect().ShardId, Is.EqualTo(9u));
    }

    [Test]
    public void ShardTable_ReportsRecords()
    {
        _store.Shards.Claim(3, SplinterIntent.DontNeed, 5, Long);
        _store.Shards.Claim(4, 4242, SplinterIntent.WillNeed, 1, 0, SplinterShards.GetTicks());
        SplinterShardBid[] table = _store.Shards.GetTable();
        Assert.That(table, Has.Length.EqualTo(SplinterShards.TableSize));
        SplinterShardBid three = table.Single(b => b.ShardId == 3);
        SplinterShardBid four = table.Single(b => b.ShardId == 4);
        Assert.Multiple(() =>
        {
            Assert.That(three.ProcessId, Is.EqualTo((uint)Environment.ProcessId));
            Assert.That(three.Intent, Is.EqualTo(SplinterIntent.DontNeed));
            Assert.That(three.Priority, Is.EqualTo(5));
            Assert.That(three.DurationTicks, Is.EqualTo(Long));
            Assert.That(three.Expired, Is.False);
            Assert.That(three.Sovereign, Is.True);
            Assert.That(four.ProcessId, Is.EqualTo(4242u));
            Assert.That(four.Expired, Is.True, "duration 0 is already expired");
            Assert.That(four.Sovereign, Is.False);
            Assert.That(table.Count(b => b.ShardId == 0), Is.EqualTo(30));
            Assert.That(table.Where(b => b.ShardId == 0).All(b => b.Expired && !b.Sovereign), Is.True);
        });
    }

    [Test]
    public void FullTable_ThrowsENOSPC_RefreshStillWorks()
    {
        for (uint id = 1; id <= 32; id++)
        {
            _store.Shards.Claim(id, SplinterIntent.None, 1, Long);
        }

        var error = Assert.Throws<SplinterException>(() => _store.Shards.Claim(33, SplinterIntent.None, 1, Long));
        Assert.That(error!.Errno, Is.EqualTo(Errno.ENOSPC));
        Assert.DoesNotThrow(() => _store.Shards.Claim(5, SplinterIntent.None, 200, Long), "re-claiming an id already present");
        Assert.That(_store.Shards.Elect().ShardId, Is.EqualTo(5u));
    }

    [Test]
    public void ShardIdZero_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Claim(0, SplinterIntent.None, 1, Long));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Claim(0, 1, SplinterIntent.None, 1, Long, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Rebid(0, SplinterIntent.None, 1, Long));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Release(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.IsSovereign(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Advise(0, SplinterMemoryAdvice.Normal));
    }

    [Test]
    public void Advise_AppliesForTheSovereign_RefusesOthers()
    {
        _store.Shards.Claim(1, SplinterIntent.WillNeed, 100, Long);
        _store.Shards.Claim(2, SplinterIntent.WillNeed, 1, Long);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Shards.Advise(1, SplinterMemoryAdvice.WillNeed), Is.True);
            Assert.That(_store.Shards.AdviseSlots(1, SplinterMemoryAdvice.Sequential, 8, 16), Is.True);
            Assert.That(_store.Shards.AdviseRange(1, SplinterMemoryAdvice.Normal, 0, 5440), Is.True);
            Assert.That(_store.Shards.Advise(2, SplinterMemoryAdvice.WillNeed, SplinterShards.AdviseTryOnce), Is.False, "not sovereign");
            Assert.That(_store.Shards.Advise(2, SplinterMemoryAdvice.WillNeed, 1000), Is.False, "not sovereign within the tick budget");
        });

        var unknown = Assert.Throws<SplinterException>(() => _store.Shards.Advise(99, SplinterMemoryAdvice.Normal));
        Assert.That(unknown!.Errno, Is.EqualTo(Errno.EINVAL));
    }

    [Test]
    public void Advise_BadRanges()
    {
        _store.Shards.Claim(1, SplinterIntent.None, 1, Long);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.AdviseSlots(1, SplinterMemoryAdvice.Normal, 60, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.AdviseSlots(1, SplinterMemoryAdvice.Normal, -1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.AdviseSlots(1, SplinterMemoryAdvice.Normal, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.AdviseRange(1, SplinterMemoryAdvice.Normal, 0, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.AdviseRange(1, SplinterMemoryAdvice.Normal, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Shards.Advise(1, (SplinterMemoryAdvice)9));
    }
}
