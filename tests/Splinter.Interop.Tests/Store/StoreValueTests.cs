using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreValueTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private SplinterStore _store = null!;

    [SetUp]
    public void OpenStore() => _store = Names.Create(slots: 16, maxValueSize: 64);

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [Test]
    public void TryGet_EveryValueLength_CopiesExactlyTheValue()
    {
        // The copy takes a different route per size (single bytes, 4, 8, 16 and 32-byte overlapping pairs, memmove past
        // 64): every length up to the store's largest, each into a buffer of the exact size and one with guard bytes.
        _store.Dispose(); // one store per process and variant: this test's own geometry replaces the fixture's
        _store = Names.Create(slots: 16, maxValueSize: 200);
        SplinterStore store = _store;
        var key = new SplinterKey("lengths");
        byte[] guarded = new byte[200 + 64];
        for (int length = 1; length <= 200; length++)
        {
            byte[] value = new byte[length];
            for (int i = 0; i < length; i++)
            {
                value[i] = (byte)(length + (i * 7) + 1);
            }

            store.Set(key, value);
            byte[] exact = new byte[length];
            Assert.That(store.TryGet(key, exact, out int copied), Is.True, $"length {length}");
            Assert.That(copied, Is.EqualTo(length));
            Assert.That(exact, Is.EqualTo(value), $"length {length}, exact buffer");

            Array.Fill(guarded, (byte)0xA5);
            Assert.That(store.TryGet("lengths", guarded.AsSpan(32), out copied), Is.True);
            Assert.That(guarded.AsSpan(32, length).ToArray(), Is.EqualTo(value), $"length {length}, larger buffer");
            Assert.That(guarded.AsSpan(0, 32).ToArray(), Is.All.EqualTo((byte)0xA5), $"length {length}: bytes before the buffer");
            Assert.That(guarded.AsSpan(32 + length).ToArray(), Is.All.EqualTo((byte)0xA5), $"length {length}: bytes after the value");
            Assert.That(store.TryGet(key, new byte[length - 1], out int needed), Is.False);
            Assert.That(needed, Is.EqualTo(length));
        }
    }

    [Test]
    public void Set_ThenGet_RoundTripsForEveryKeyForm()
    {
        var key = new SplinterKey("form-key");
        _store.Set("form-string", "one"u8);
        _store.Set("form-utf8"u8, "two"u8);
        _store.Set(key, "three"u8);

        Assert.Multiple(() =>
        {
            Assert.That(_store.Get("form-string"), Is.EqualTo("one"u8.ToArray()));
            Assert.That(_store.Get("form-utf8"u8), Is.EqualTo("two"u8.ToArray()));
            Assert.That(_store.Get(key), Is.EqualTo("three"u8.ToArray()));
            Assert.That(_store.GetString("form-utf8"), Is.EqualTo("two"));
            Assert.That(_store.GetString("form-key"u8), Is.EqualTo("three"));
            Assert.That(_store.GetString(key), Is.EqualTo("three"));
        });
    }

    [Test]
    public void StringValues_AreUtf8()
    {
        _store.Set("s1", "h\u00E9llo");
        _store.Set("s2"u8, "w\u00F6rld");
        _store.Set(new SplinterKey("s3"), "\U0001F600");
        Assert.Multiple(() =>
        {
            Assert.That(_store.Get("s1"), Is.EqualTo(Encoding.UTF8.GetBytes("h\u00E9llo")));
            Assert.That(_store.GetString("s2"), Is.EqualTo("w\u00F6rld"));
            Assert.That(_store.GetString("s3"), Is.EqualTo("\U0001F600"));
        });
    }

    [Test]
    public void StringValue_WithLoneSurrogate_IsRejected()
    {
        Assert.Throws<System.Text.EncoderFallbackException>(() => _store.Set("bad", "x\uD800"));
        Assert.That(_store.Contains("bad"), Is.False);
    }

    [Test]
    public void TryGet_CopiesWithoutAllocatingAPI()
    {
        _store.Set("k", "value"u8);
        Span<byte> buffer = stackalloc byte[64];
        Assert.That(_store.TryGet("k", buffer, out int length), Is.True);
        Assert.That(buffer[..length].ToArray(), Is.EqualTo("value"u8.ToArray()));
        Assert.That(_store.TryGet("k"u8, buffer, out length), Is.True);
        Assert.That(length, Is.EqualTo(5));
        Assert.That(_store.TryGet(new SplinterKey("k"), buffer, out length), Is.True);
        Assert.That(length, Is.EqualTo(5));
    }

    [Test]
    public void TryGet_Missing_ReturnsFalseAndZero()
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.That(_store.TryGet("missing", buffer, out int length), Is.False);
        Assert.That(length, Is.Zero);
        Assert.That(_store.Get("missing"), Is.Null);
        Assert.That(_store.GetString("missing"), Is.Null);
        Assert.That(_store.TryGetLength("missing", out length), Is.False);
    }

    [Test]
    public void LargeValueStore_TakesTheLeasedPath_AndBehavesTheSame()
    {
        // Values over 64 KiB keep TryGet/Set off the gated (no GC transition) path; the behavior must not change.
        const int Large = 96 * 1024;
        _store.Dispose(); // one store per process and variant
        using SplinterStore large = Names.Create(slots: 4, maxValueSize: Large + 1, purpose: "large");
        var key = new SplinterKey("big");
        byte[] value = new byte[Large];
        new Random(7).NextBytes(value);
        large.Set(key, value);
        large.Set("small", "s"u8);

        byte[] destination = new byte[Large + 1];
        Assert.Multiple(() =>
        {
            Assert.That(large.TryGet(key, destination, out int length), Is.True);
            Assert.That(length, Is.EqualTo(Large));
            Assert.That(destination.AsSpan(0, length).SequenceEqual(value), Is.True);
            Assert.That(large.TryGet("small", destination, out length), Is.True);
            Assert.That(length, Is.EqualTo(1));
            Assert.That(large.TryGet("missing", destination, out length), Is.False);
            Assert.That(length, Is.Zero);
            Assert.That(large.TryGet(key, destination.AsSpan(0, 100), out length), Is.False);
            Assert.That(length, Is.EqualTo(Large));
            Assert.That(large.GetEpoch(key), Is.EqualTo(2UL));
            Assert.Throws<ArgumentOutOfRangeException>(() => large.Set(key, new byte[Large + 2]));
        });

        large.Dispose();
        Assert.Throws<ObjectDisposedException>(() => large.Set(key, value));
        Assert.Throws<ObjectDisposedException>(() => large.TryGet(key, destination, out _));
        Assert.Throws<ObjectDisposedException>(() => large.GetEpoch(key));
    }

    [Test]
    public void TryGet_SmallDestination_ReturnsFalseWithNeededLength()
    {
        _store.Set("k", new byte[40]);
        Span<byte> small = stackalloc byte[10];
        Assert.That(_store.TryGet("k", small, out int length), Is.False);
        Assert.That(length, Is.EqualTo(40));
        Assert.That(_store.TryGet("k", Span<byte>.Empty, out length), Is.False, "an empty destination is not a size query");
        Assert.That(length, Is.EqualTo(40));
        Assert.That(_store.TryGetLength("k", out length), Is.True);
        Assert.That(length, Is.EqualTo(40));
    }

    [Test]
    public void Value_OfMaxSize_IsAccepted_MaxPlusOne_IsRejectedWithTheLimit()
    {
        byte[] largest = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        _store.Set("max", largest);
        Assert.That(_store.Get("max"), Is.EqualTo(largest));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _store.Set("big", new byte[65]));
        Assert.That(error!.Message, Does.Contain("at most 64 bytes"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Set("big", new string('x', 65)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Set("big", new string('\u20AC', 22)), "66 UTF-8 bytes");
        Assert.That(_store.Contains("big"), Is.False);
    }

    [Test]
    public void StringValue_TooLong_IsReportedInCharactersOrBytes_NeverCharactersCalledBytes()
    {
        // 65 two-byte characters: refused before encoding, by their count; the message must not call 65 characters "65 bytes".
        var chars = Assert.Throws<ArgumentOutOfRangeException>(() => _store.Set("big", new string('\u00E9', 65)));
        Assert.That(chars!.Message, Does.Contain("65 characters").And.Contain("at most 64 bytes"));
        Assert.That(chars.Message, Does.Not.Contain("65 bytes"));
        Assert.That(chars.ParamName, Is.EqualTo("value"));

        // 33 two-byte characters fit by count but not by bytes: refused after encoding, in bytes (66).
        var bytes = Assert.Throws<ArgumentOutOfRangeException>(() => _store.Set("big", new string('\u00E9', 33)));
        Assert.That(bytes!.Message, Does.Contain("66 bytes").And.Contain("at most 64 bytes"));
        Assert.That(_store.Contains("big"), Is.False);
    }

    [Test]
    public void EmptyValue_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _store.Set("empty", ReadOnlySpan<byte>.Empty));
        Assert.That(error!.Message, Does.Contain("empty"));
        Assert.Throws<ArgumentException>(() => _store.Set("empty", string.Empty));
        Assert.Throws<ArgumentNullException>(() => _store.Set("empty", (string)null!));
        Assert.That(_store.Contains("empty"), Is.False);
    }

    [Test]
    public void Overwrite_ReplacesValueAndAdvancesEpochByTwo()
    {
        _store.Set("k", "first-longer-value");
        ulong first = _store.GetEpoch("k");
        _store.Set("k", "2nd");
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(2ul), "first set of a fresh slot");
            Assert.That(_store.GetEpoch("k"), Is.EqualTo(first + 2));
            Assert.That(_store.GetString("k"), Is.EqualTo("2nd"));
        });
    }

    [Test]
    public void GetEpoch_AndContains_ForEveryKeyForm()
    {
        Assert.That(_store.GetEpoch("e"), Is.Zero);
        Assert.That(_store.Contains("e"), Is.False);
        _store.Set("e", "v");
        var key = new SplinterKey("e");
        Assert.Multiple(() =>
        {
            Assert.That(_store.GetEpoch("e"), Is.EqualTo(2ul));
            Assert.That(_store.GetEpoch("e"u8), Is.EqualTo(2ul));
            Assert.That(_store.GetEpoch(key), Is.EqualTo(2ul));
            Assert.That(_store.Contains("e"), Is.True);
            Assert.That(_store.Contains("e"u8), Is.True);
            Assert.That(_store.Contains(key), Is.True);
        });
    }

    [Test]
    public void TryPeek_ReportsLengthAndEpoch()
    {
        Assert.That(_store.TryPeek("peek", out int length, out ulong epoch), Is.False);
        Assert.That((length, epoch), Is.EqualTo((0, 0ul)));
        _store.Set("peek", "12345");
        _store.Set("peek", "1234567");
        Assert.That(_store.TryPeek("peek", out length, out epoch), Is.True);
        Assert.That((length, epoch), Is.EqualTo((7, 4ul)));
        Assert.That(_store.TryPeek("peek"u8, out length, out _), Is.True);
        Assert.That(_store.TryPeek(new SplinterKey("peek"), out _, out epoch), Is.True);
        Assert.That(epoch, Is.EqualTo(_store.GetEpoch("peek")));
    }

    [Test]
    public void Remove_ReturnsWhetherTheKeyExisted()
    {
        _store.Set("r1", "v");
        _store.Set("r2", "v");
        _store.Set("r3", "v");
        Assert.Multiple(() =>
        {
            Assert.That(_store.Remove("r1"), Is.True);
            Assert.That(_store.Remove("r1"), Is.False);
            Assert.That(_store.Remove("r2"u8), Is.True);
            Assert.That(_store.Remove(new SplinterKey("r3")), Is.True);
            Assert.That(_store.Contains("r1") || _store.Contains("r2") || _store.Contains("r3"), Is.False);
        });
    }

    [Test]
    public void Append_GrowsTheValue()
    {
        _store.Set("log", "ab");
        Assert.That(_store.Append("log", "cd"u8), Is.EqualTo(4));
        Assert.That(_store.Append("log"u8, "e"u8), Is.EqualTo(5));
        Assert.That(_store.Append(new SplinterKey("log"), "f"u8), Is.EqualTo(6));
        Assert.That(_store.GetString("log"), Is.EqualTo("abcdef"));
    }

    [Test]
    public void Append_Errors()
    {
        _store.Set("log", new byte[60]);
        Assert.Throws<KeyNotFoundException>(() => _store.Append("nope", "x"u8));
        Assert.Throws<ArgumentException>(() => _store.Append("log", ReadOnlySpan<byte>.Empty));
        var error = Assert.Throws<ArgumentException>(() => _store.Append("log", new byte[5]));
        Assert.That(error!.Message, Does.Contain("64"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Append("log", new byte[65]));
        Assert.That(_store.TryGetLength("log", out int length) && length == 60, Is.True, "the failed append left the value unchanged");
    }

    [Test]
    public void Key_Of63Bytes_RoundTrips()
    {
        string key = new('z', 63);
        _store.Set(key, "long-key");
        Assert.That(_store.GetString(key), Is.EqualTo("long-key"));
        Assert.That(_store.GetKeys(), Does.Contain(key));
    }

    [Test]
    public void UnicodeKeys_RoundTrip()
    {
        string key = "\u30AD\u30FC-\U0001F511";
        _store.Set(key, "v");
        Assert.That(_store.GetString(Encoding.UTF8.GetBytes(key)), Is.EqualTo("v"));
        Assert.That(_store.GetKeys(), Does.Contain(key));
    }

    [Test]
    [OurLibrary("its one extension, splinter_set_hashed (a user's library may not export it: then every set calls splinter_set, which ALibraryWithoutTheHashedSet_TakesEveryWrite_ThroughSplinterSet checks)")]
    public unsafe void Sets_HandTheKeysHashToOurLibrary_WhichFindsEveryKeyLikeSplinterSet()
    {
        // Our library exports splinter_set_hashed: every set form passes the key's length and hash, and the key must land
        // exactly where splinter_set would have put it (the library's own lookup finds it, in the slot the probe gives).
        Assert.That(_store.SetsPassHashes, Is.True);
        string[] keys = ["h", "hashed-7", "hashed-key-of-16", "a-key-that-is-longer-than-thirty-two-bytes", "\u00E9t\u00E9-\u30AD\u30FC", new string('m', 63)];
        SplinterApi api = _store.Api;
        foreach (string key in keys)
        {
            _store.Set(key, "s"u8);
            _store.Set(new SplinterKey(key), "k"u8);
            _store.Set(Encoding.UTF8.GetBytes(key), "u"u8);
            byte[] bytes = Encoding.UTF8.GetBytes(key + "\0");
            fixed (byte* nativeKey = bytes)
            {
                Assert.That(api.splinter_get_epoch((sbyte*)nativeKey), Is.EqualTo(_store.GetEpoch(key)).And.Not.Zero, key);
            }

            Assert.That(_store.GetString(key), Is.EqualTo("u"), key);
            Assert.That(_store.GetKeys().Count(k => k == key), Is.EqualTo(1), $"{key}: one slot, not a copy per write form");
        }

        // The same key through splinter_set (a string value takes the same gated call; the leased path calls splinter_set).
        _store.Events.SignalLocalWrites = true;
        _store.Set("h", "plain"u8);
        _store.Events.SignalLocalWrites = false;
        Assert.That(_store.GetString("h"), Is.EqualTo("plain"));
        Assert.That(_store.GetKeys().Count(k => k == "h"), Is.EqualTo(1));
    }

    [Test]
    public void GetKeys_ListsExactlyTheLiveKeys()
    {
        var expected = new HashSet<string> { "a", "bb", "ccc" };
        foreach (string key in expected)
        {
            _store.Set(key, key);
        }

        _store.Set("gone", "x");
        _store.Remove("gone");
        Assert.That(_store.GetKeys(), Is.EquivalentTo(expected));
    }

    [Test]
    public void FullStore_OverwritesRacingOnTheSameKey_NeverReportFull()
    {
        // Every slot taken, two threads overwriting one existing key: a set that meets the key's slot busy skips it
        // (as upstream) and finds no other slot, so the library answers -1; the store is not full, the key is there.
        // A budget no preemption on a loaded machine can spend: the test is about the answer, not the wait.
        _store.Dispose();
        _store = Names.Track(SplinterStore.Create(Names.NewName("race"), 1, 64, Options with { ContentionTimeout = TimeSpan.FromSeconds(60) }));
        SplinterStore store = _store;
        var key = new SplinterKey("shared");
        store.Set(key, "start"u8);
        List<Exception> failures = StoreTestNames.RunConcurrently(2, writer =>
        {
            byte[] value = new byte[32];
            Array.Fill(value, (byte)('a' + writer));
            for (int i = 0; i < 1_000_000; i++)
            {
                store.Set(key, value);
            }
        });
        Assert.That(failures, Is.Empty, () => $"a racing overwrite failed: {failures[0]}");
        Assert.That(store.GetString("shared"), Is.EqualTo(new string('a', 32)).Or.EqualTo(new string('b', 32)));
    }

    [Test]
    public void FullStore_ThrowsStoreFullNamingKeyAndSlots()
    {
        for (int i = 0; i < 16; i++)
        {
            _store.Set($"fill-{i}", "v");
        }

        var error = Assert.Throws<SplinterStoreFullException>(() => _store.Set("one-too-many", "v"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Key, Is.EqualTo("one-too-many"));
            Assert.That(error.SlotCount, Is.EqualTo(16u));
            Assert.That(error, Is.InstanceOf<SplinterException>());
        });

        _store.Set("fill-3", "overwrite still works");
        Assert.That(_store.GetString("fill-3"), Is.EqualTo("overwrite still works"));
        _store.Remove("fill-0");
        _store.Set("one-too-many", "now fits");
        Assert.That(_store.GetString("one-too-many"), Is.EqualTo("now fits"));
    }

    [Test]
    public void Get_OfLargeValue_UsesThePool_AndStillRoundTrips()
    {
        using var names = new StoreTestNames(Variant == SplinterVariant.SharedMemory ? SplinterVariant.Persistent : SplinterVariant.SharedMemory);
        SplinterStore large = names.Create(slots: 4, maxValueSize: 100_000);
        string text = new('q', 90_000);
        large.Set("big", text);
        Assert.That(large.GetString("big"), Is.EqualTo(text));
        Assert.That(large.Get("big")!, Has.Length.EqualTo(90_000));
    }
}
