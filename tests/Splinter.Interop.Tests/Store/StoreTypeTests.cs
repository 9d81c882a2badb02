using System;
using System.Collections.Generic;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreTypeTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 16, maxValueSize: 64);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [TestCase("42", 42ul)]
    [TestCase("010", 8ul)]
    [TestCase("0x1f", 31ul)]
    [TestCase("abc", 0x636261ul)]
    [TestCase("12345678", 0x3837363534333231ul)]
    public void SetType_BigUInt_ConvertsTheValue(string text, ulong expected)
    {
        _store.Set("n", text);
        _store.Slots.SetType("n", SplinterSlotTypes.BigUInt);
        Assert.Multiple(() =>
        {
            Assert.That(_store.Slots.GetSlotType("n"), Is.EqualTo(SplinterSlotTypes.BigUInt));
            Assert.That(_store.Integers.TryGet("n", out ulong value), Is.True);
            Assert.That(value, Is.EqualTo(expected));
        });
    }

    [Test]
    public void IntegerOperations_ApplyInPlace()
    {
        var key = new SplinterKey("counter");
        _store.Set(key, "10");
        _store.Slots.SetType(key, SplinterSlotTypes.BigUInt);
        ulong epoch = _store.GetEpoch(key);

        _store.Integers.Increment("counter");
        _store.Integers.Increment(key, 5);
        _store.Integers.Decrement("counter", 2);
        _store.Integers.Decrement(key);
        Assert.That(_store.Integers.TryGet(key, out ulong value) ? value : 0, Is.EqualTo(13ul));

        _store.Integers.Apply("counter", SplinterIntegerOperation.Or, 0x100);
        _store.Integers.Apply("counter"u8, SplinterIntegerOperation.And, 0x10F);
        _store.Integers.Apply(key, SplinterIntegerOperation.Xor, 1);
        Assert.That(_store.Integers.TryGet("counter", out value) ? value : 0, Is.EqualTo(0x10Cul));

        _store.Integers.Apply(key, SplinterIntegerOperation.Not);
        Assert.That(_store.Integers.TryGet(key, out value) ? value : 0, Is.EqualTo(~0x10Cul));
        Assert.That(_store.GetEpoch(key), Is.EqualTo(epoch + (8 * 2)), "each operation advances the slot epoch by 2");
    }

    [Test]
    public void Increment_Wraps()
    {
        _store.Set("w", BitConverter.GetBytes(ulong.MaxValue));
        _store.Slots.SetType("w", SplinterSlotTypes.BigUInt);
        _store.Integers.Increment("w");
        Assert.That(_store.Integers.TryGet("w", out ulong value) ? value : 1, Is.Zero);
    }

    [Test]
    public void IntegerOperation_OnNonBigUInt_ThrowsWithEPROTOTYPE()
    {
        _store.Set("text", "hello");
        var error = Assert.Throws<SplinterException>(() => _store.Integers.Increment("text"));
        Assert.That(error!.Errno, Is.EqualTo(Errno.EPROTOTYPE));
        Assert.That(error.Message, Does.Contain("text"));
    }

    [Test]
    public void IntegerOperation_BadInput()
    {
        _store.Set("n", "1");
        _store.Slots.SetType("n", SplinterSlotTypes.BigUInt);
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Integers.Apply("n", (SplinterIntegerOperation)6));
        Assert.Throws<KeyNotFoundException>(() => _store.Integers.Increment("missing"));
        Assert.That(_store.Integers.TryGet("missing", out _), Is.False);
        _store.Set("short", "1234567");
        Assert.That(_store.Integers.TryGet("short", out _), Is.False, "fewer than 8 bytes");
    }

    [Test]
    public void SetType_ReplacesTheTypeBits()
    {
        _store.Set("t", "{}");
        _store.Slots.SetType("t", SplinterSlotTypes.Json);
        Assert.That(_store.Slots.GetSlotType("t"), Is.EqualTo(SplinterSlotTypes.Json));
        _store.Slots.SetType("t"u8, SplinterSlotTypes.VarText | SplinterSlotTypes.Binary);
        Assert.That(_store.Slots.GetSlotType(new SplinterKey("t")), Is.EqualTo(SplinterSlotTypes.VarText | SplinterSlotTypes.Binary));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.SetType("missing", SplinterSlotTypes.Json));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.GetSlotType("missing"));
    }

    [Test]
    public void SetTime_WritesCreationAndAccessTimes()
    {
        _store.Set("t", "v");
        _store.Slots.SetTime("t", SplinterSlotTime.Creation, 1000, 10);
        _store.Slots.SetTime("t"u8, SplinterSlotTime.Access, 5000);
        _store.Slots.SetTime(new SplinterKey("t"), SplinterSlotTime.Access, 5, 10);
        SplinterSlotSnapshot snapshot = _store.Slots.GetSnapshot("t");
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.CreationTime, Is.EqualTo(990ul));
            Assert.That(snapshot.AccessTime, Is.EqualTo(unchecked(5ul - 10ul)), "the subtraction wraps like C");
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Slots.SetTime("t", (SplinterSlotTime)2, 1));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.SetTime("missing", SplinterSlotTime.Creation, 1));
    }

    [Test]
    public void MarkAsSystem_MakesBinaryOfMaxLength()
    {
        _store.Set("sys", "abc");
        ulong epoch = _store.GetEpoch("sys");
        _store.Slots.MarkAsSystem("sys");
        Assert.Multiple(() =>
        {
            Assert.That(_store.Slots.GetSlotType("sys"), Is.EqualTo(SplinterSlotTypes.Binary));
            Assert.That(_store.TryGetLength("sys", out int length) ? length : 0, Is.EqualTo(64));
            Assert.That(_store.GetEpoch("sys"), Is.EqualTo(epoch));
        });
        _store.Set("sys2", "x");
        _store.Slots.MarkAsSystem("sys2"u8);
        _store.Set("sys3", "x");
        _store.Slots.MarkAsSystem(new SplinterKey("sys3"));
        Assert.That(_store.Get("sys3")!, Has.Length.EqualTo(64));
        Assert.Throws<KeyNotFoundException>(() => _store.Slots.MarkAsSystem("missing"));
    }
}
