using System;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using System.Text;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// The mapping reads (TryGet, GetEpoch, Contains, TryRead read the C# layer's own mapping, no native call): they agree with
/// libsplinter's splinter_get / splinter_get_epoch on the same store, follow the format where a writer left unusual
/// bytes, retry or report busy and damaged slots, and survive Dispose (the mapping's range turns into zero pages and is
/// reused, never unmapped).
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[NonParallelizable] // the address ranges a disposed store leaves are process-wide: a store opened by a test running in parallel may take the one a test expects to be reused
[Category("Store")]
public sealed unsafe class StoreMappingReadTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private const uint MaxValue = 48;

    [Test]
    public void EveryReadForm_AgreesWithTheLibrary_OnAFullStoreWithCollisionsWrapAroundAndRemovals()
    {
        // 13 slots, all used: most keys are not in their start slot, several probe sequences wrap around.
        SplinterStore store = Names.Create(slots: 13, maxValueSize: MaxValue);
        SplinterApi api = store.Api; // the library copy that holds this store
        var random = new Random(20261125);
        var keys = Enumerable.Range(0, 13).Select(i => $"k{i}-{new string('x', random.Next(0, 40))}").ToList();
        foreach (string key in keys)
        {
            store.Set(key, Enumerable.Range(0, random.Next(1, (int)MaxValue + 1)).Select(b => (byte)random.Next(256)).ToArray());
        }

        store.Remove(keys[3]);
        store.Remove(keys[7]);
        store.Set(keys[7], "back"u8);
        var probes = keys.Concat(["absent", "k3", "also-absent-" + new string('y', 40)]).ToList();
        Assert.That(StartSlots(keys, 13).Distinct().Count(), Is.LessThan(13), "the keys collide");

        var mismatches = new List<string>();
        byte[] native = new byte[MaxValue];
        byte[] managed = new byte[MaxValue];
        foreach (string key in probes)
        {
            byte[] keyz = Encoding.UTF8.GetBytes(key + "\0");
            nuint nativeLength = 0;
            int nativeResult;
            ulong nativeEpoch;
            fixed (byte* k = keyz)
            fixed (byte* buffer = native)
            {
                nativeResult = api.splinter_get((sbyte*)k, buffer, (nuint)native.Length, &nativeLength);
                nativeEpoch = api.splinter_get_epoch((sbyte*)k);
            }

            bool nativeFound = nativeResult == 0;
            byte[] expected = nativeFound ? native[..(int)nativeLength] : [];
            var splinterKey = new SplinterKey(key);
            ReadOnlySpan<byte> utf8 = keyz.AsSpan(0, keyz.Length - 1);

            Check(key, "TryGet(SplinterKey)", store.TryGet(splinterKey, managed, out int length), length, managed, nativeFound, expected, mismatches);
            Check(key, "TryGet(string)", store.TryGet(key, managed, out length), length, managed, nativeFound, expected, mismatches);
            Check(key, "TryGet(UTF-8)", store.TryGet(utf8, managed, out length), length, managed, nativeFound, expected, mismatches);
            Expect(key, "GetEpoch(SplinterKey)", store.GetEpoch(splinterKey), nativeEpoch, mismatches);
            Expect(key, "GetEpoch(string)", store.GetEpoch(key), nativeEpoch, mismatches);
            Expect(key, "GetEpoch(UTF-8)", store.GetEpoch(utf8), nativeEpoch, mismatches);
            Expect(key, "Contains", store.Contains(splinterKey), nativeFound, mismatches);
            bool read = store.TryRead(splinterKey, 0, static (value, _) => value.ToArray(), out byte[] copy);
            Expect(key, "TryRead found", read, nativeFound, mismatches);
            Expect(key, "TryRead bytes", Convert.ToHexString(copy ?? []), Convert.ToHexString(expected), mismatches);
        }

        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches));
    }

    [Test]
    public void TheStartSlot_IsWhereTheLibraryPutsAKey_ForPowerOfTwoAndOtherSlotCounts([Values(1u, 2u, 3u, 7u, 64u, 100u, 1024u)] uint slots)
    {
        // The mapping reads take hash mod slots as a mask when the count is a power of two. A wrong start slot would still
        // be found by the probe (it scans every slot), so compare the start itself with the library's placement: a key
        // written to an empty store lands in its start slot.
        SplinterStore store = Names.Create(slots: slots, maxValueSize: MaxValue);
        for (int i = 0; i < 40; i++)
        {
            string key = $"start-{i}-{new string('s', i % 23)}";
            store.Set(key, "v"u8);
            ulong hash = SlotEditor.Fnv1a(Encoding.UTF8.GetBytes(key));
            int expected = (int)(hash % slots);
            Assert.That(store.Slots.IndexOf(key), Is.EqualTo(expected), $"the library's slot of {key}");
            Assert.That(store.Mapped.IndexOf(store.Mapped.StartSlot(hash)), Is.EqualTo(expected), $"the mapping's start slot of {key}");
            Assert.That(store.Remove(key), Is.True);
        }
    }

    [Test]
    public void StringKeysOfEveryLength_WithDistinctCharacters_AreFoundByEveryStringRead()
    {
        // The string lookups build a key's padded form in registers (up to 32 ASCII characters: the first and last eight,
        // or sixteen, shuffled into place) and hash its characters: keys whose characters all differ show a byte out of
        // place, which repeated characters would hide. Written through the UTF-8 path, read through the string paths; then
        // written through the string path (which hashes the characters too) and read through the UTF-8 path.
        SplinterStore store = Names.Create(slots: 128, maxValueSize: MaxValue);
        byte[] buffer = new byte[MaxValue];
        for (int length = 1; length <= 63; length++)
        {
            foreach (int start in new[] { 0, 29, 61 })
            {
                string key = new(Enumerable.Range(0, length).Select(i => (char)('!' + ((start + (i * 7)) % 94))).ToArray());
                byte[] value = Encoding.ASCII.GetBytes($"{length}/{start}");
                store.Set(Encoding.ASCII.GetBytes(key), value);
                string what = $"'{key}' ({length} characters)";
                Assert.That(store.TryGet(key, buffer, out int read) && buffer.AsSpan(0, read).SequenceEqual(value), Is.True, what);
                Assert.That(store.GetEpoch(key), Is.EqualTo(store.GetEpoch(new SplinterKey(key))).And.Not.Zero, what);
                Assert.That(store.TryRead(key, 0, (ReadOnlySpan<byte> v, int _) => v.ToArray(), out byte[]? seen) && seen!.SequenceEqual(value), Is.True, what);
                Assert.That(store.Slots.IndexOf(key), Is.EqualTo(store.Slots.IndexOf(new SplinterKey(key))).And.Not.Negative, what);
                store.Set(key, value.AsSpan(1));
                Assert.That(store.TryGet(Encoding.ASCII.GetBytes(key), buffer, out read) && buffer.AsSpan(0, read).SequenceEqual(value.AsSpan(1)), Is.True, what);

                // One character changed at either end: another key, not found.
                string other = (char)(key[0] == 'A' ? 'B' : 'A') + key[1..];
                Assert.That(store.Contains(other) || store.Contains(key[..^1] + (key[^1] == 'A' ? "B" : "A")), Is.False, what);
                Assert.That(store.Remove(key), Is.True, what);
            }
        }

        Assert.That(store.GetKeys(), Is.Empty);
    }

    [Test]
    public void TooSmallAndEmptyDestinations_ReportTheNeededLength()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("ten", "0123456789"u8);
        var key = new SplinterKey("ten");

        Assert.Multiple(() =>
        {
            Assert.That(store.TryGet(key, new byte[9], out int length), Is.False);
            Assert.That(length, Is.EqualTo(10), "needed size");
            Assert.That(store.TryGet("ten", Span<byte>.Empty, out length), Is.False);
            Assert.That(length, Is.EqualTo(10));
            Assert.That(store.TryGet("ten", new byte[10], out length), Is.True);
            Assert.That(length, Is.EqualTo(10));
            Assert.That(store.TryGet("eleven", Span<byte>.Empty, out length), Is.False);
            Assert.That(length, Is.Zero, "missing");
        });
    }

    [Test]
    public void BytesAfterTheStoredKeysNul_DoNotHideTheKey()
    {
        // The format compares keys with strncmp (native/FORMAT.md): what follows the NUL does not count. Writers that follow
        // the format leave zeros there; this one did not.
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("short", "v"u8);
        ulong epoch = store.GetEpoch("short");
        using (var slots = new SlotEditor(store))
        {
            byte* key = (byte*)slots.Find("short")->key;
            key[6] = (byte)'!';
            key[63] = 0x7F;
        }

        Assert.Multiple(() =>
        {
            Assert.That(store.GetEpoch(new SplinterKey("short")), Is.EqualTo(epoch));
            Assert.That(store.TryGet("short", new byte[8], out int length), Is.True);
            Assert.That(length, Is.EqualTo(1));
            Assert.That(store.Contains("shor"), Is.False, "a prefix is still another key");
        });
    }

    [Test]
    public void ABusySlot_IsWaitedOut_ThenReportedAsContention_WithTheKeyAndEpoch()
    {
        SplinterStore store = Names.Track(SplinterStore.Create(Names.NewName(), 8, MaxValue, Options with { ContentionTimeout = TimeSpan.FromMilliseconds(50) }));
        store.Set("busy", "v"u8);
        using var slots = new SlotEditor(store);
        splinter_slot* slot = slots.Find("busy");
        ulong even = slot->epoch;
        Interlocked.Exchange(ref slot->epoch, even + 1); // a writer inside, as far as readers can tell

        var error = Assert.Throws<SplinterContentionException>(() => store.TryGet(new SplinterKey("busy"), new byte[8], out _));
        Assert.That(error!.Key, Is.EqualTo("busy"));
        Assert.That(error.EpochSeen, Is.EqualTo(even + 1));
        Assert.Throws<SplinterContentionException>(() => store.TryRead("busy", 0, static (v, _) => v.Length, out _));
        Assert.That(store.GetEpoch("busy"), Is.EqualTo(even + 1), "GetEpoch reports an odd epoch as it is, like splinter_get_epoch");

        // A writer that finishes while the reader waits: the read succeeds.
        var release = new Thread(() =>
        {
            Thread.Sleep(10);
            Interlocked.Exchange(ref slot->epoch, even + 2);
        });
        release.Start();
        Assert.That(SpinUntilRead(store), Is.True);
        release.Join();
    }

    [Test]
    public void ASlotPointingOutsideTheValueArena_IsReportedAsDamage_NotRead()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("bad", "v"u8);
        using (var slots = new SlotEditor(store))
        {
            slots.Find("bad")->val_off = 8 * MaxValue; // one past the arena
        }

        var error = Assert.Throws<SplinterException>(() => store.TryGet("bad", new byte[8], out _));
        Assert.That(error!.Message, Does.Contain("damaged"));
        Assert.Throws<SplinterException>(() => store.TryRead("bad", 0, static (v, _) => v.Length, out _));
    }

    [Test]
    public void TryGet_UnderAConcurrentWriter_NeverReturnsATornValue()
    {
        SplinterStore store = Names.Track(SplinterStore.Create(Names.NewName(), 8, 200, Options with { ContentionTimeout = TimeSpan.FromSeconds(5) }));
        store.Set("race", new byte[200]);
        var key = new SplinterKey("race");
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            byte[] value = new byte[200];
            byte b = 0;
            while (!stop.IsCancellationRequested)
            {
                Array.Fill(value, ++b);
                store.Set(key, value);
                StoreTestNames.PaceWriter(b);
            }
        });
        writer.Start();
        int torn = 0;
        byte[] buffer = new byte[200];
        try
        {
            for (int i = 0; i < 20_000; i++)
            {
                Assert.That(store.TryGet(key, buffer, out int length), Is.True);
                if (length != 200 || Array.Exists(buffer, x => x != buffer[0]))
                {
                    torn++;
                }
            }
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }

        Assert.That(torn, Is.Zero, $"{torn} torn values in 20,000 reads");
    }

    [Test]
    public void Dispose_TurnsTheMappingIntoZeroPages_AndTheNextStoreReusesTheRange()
    {
        // A geometry no other test uses, so the kept range is the only one of its size this process has.
        const uint Slots = 333;
        const uint MaxValueSize = 1000;
        SplinterStore first = Names.Create(slots: Slots, maxValueSize: MaxValueSize);
        first.Set("k", "v"u8);
        string firstPath = first.BackingPath;
        var before = MapsOf(firstPath);
        Assert.That(before, Has.Count.EqualTo(2), "libsplinter's mapping and ours");

        first.Dispose();
        var anonymous = AnonymousReadOnlyRanges();
        var kept = before.Where(range => anonymous.Any(zeros => zeros.Start <= range.Start && zeros.End >= range.End)).ToList();
        Assert.That(MapsOf(firstPath), Is.Empty, "no page of the store is mapped any more");
        Assert.That(kept, Has.Count.EqualTo(1), "our range stays mapped, read-only, anonymous");
        Assert.Throws<ObjectDisposedException>(() => first.TryGet("k", new byte[8], out _));
        Assert.Throws<ObjectDisposedException>(() => first.GetEpoch(new SplinterKey("k")));

        using SplinterStore second = Names.Track(SplinterStore.Create(Names.NewName(), Slots, MaxValueSize, Options));
        Assert.That(MapsOf(second.BackingPath).Select(range => range.Start), Does.Contain(kept[0].Start), "the next store of the same size is mapped into the kept range");
        second.Set("k", "second"u8);
        Assert.That(second.GetString("k"), Is.EqualTo("second"));
        Assert.Throws<ObjectDisposedException>(() => first.TryGet("k", new byte[8], out _), "the disposed store does not read its successor");
    }

    private static bool SpinUntilRead(SplinterStore store)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                return store.TryGet("busy", new byte[8], out _);
            }
            catch (SplinterContentionException)
            {
                Thread.Sleep(5);
            }
        }

        return false;
    }

    private static IEnumerable<ulong> StartSlots(IEnumerable<string> keys, uint slots) =>
        keys.Select(key => SlotEditor.Fnv1a(Encoding.UTF8.GetBytes(key)) % slots);

    private static void Check(string key, string form, bool found, int length, byte[] buffer, bool expectedFound, byte[] expected, List<string> mismatches)
    {
        Expect(key, form + " found", found, expectedFound, mismatches);
        Expect(key, form + " bytes", found ? Convert.ToHexString(buffer, 0, length) : "-", expectedFound ? Convert.ToHexString(expected) : "-", mismatches);
    }

    private static void Expect<T>(string key, string what, T actual, T expected, List<string> mismatches)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            mismatches.Add($"{key}: {what} = {actual}, the library says {expected}");
        }
    }

    private static List<(long Start, long End)> MapsOf(string path) =>
        File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].Trim() == path)
            .Select(fields => Range(fields[0]))
            .ToList();

    private static List<(long Start, long End)> AnonymousReadOnlyRanges() =>
        File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 5 && fields[1] == "r--p")
            .Select(fields => Range(fields[0]))
            .ToList();

    private static (long Start, long End) Range(string field)
    {
        string[] bounds = field.Split('-');
        return (Convert.ToInt64(bounds[0], 16), Convert.ToInt64(bounds[1], 16));
    }
}
