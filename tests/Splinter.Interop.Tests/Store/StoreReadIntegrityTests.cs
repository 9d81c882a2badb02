using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// No read answers with bytes that were never the key's value: not another key's value, not a mix of two writes, not
/// bytes outside the value's region. Each test pins one way a read could go wrong (a slot changing owner or going
/// through a remove and a set during the pass, a reader that throws on torn bytes, a damaged length) on every read
/// API, the copying ones (Get, GetString, TryGet, TryGetLength, TryPeek, TryGetUInt64) and the zero-copy TryRead.
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed unsafe class StoreReadIntegrityTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private const uint MaxValue = 64;

    [Test]
    [OurLibrary("epochs never go back (a remove ends above the epoch the slot had)")]
    public void TryRead_APassSpanningARemoveAndASetOfTheSameKey_IsRetried_NeverAMix()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        byte[] first = Enumerable.Repeat((byte)'A', (int)MaxValue).ToArray();
        byte[] second = Enumerable.Repeat((byte)'B', (int)MaxValue).ToArray();
        store.Set("k", first);
        store.Set("k", first); // epoch 4: upstream's remove-then-set comes back to exactly this epoch

        int passes = 0;
        bool found = store.TryRead("k", store, (value, s) =>
        {
            byte head = value[0];
            if (++passes == 1)
            {
                // The writer of another process, while this reader is half-way through the bytes.
                s.Remove("k");
                s.Set("k", second);
            }

            return (Head: head, Tail: value[^1]);
        }, out var ends);

        Assert.That(found, Is.True);
        if (Splinter.Interop.Store.StoreFormat.MappingReadsSupported)
        {
            Assert.That(ends, Is.EqualTo((Head: (byte)'B', Tail: (byte)'B')), "a value that is all of one write");
            Assert.That(passes, Is.EqualTo(2), "the pass that spanned the remove and the set was thrown away");
        }
        else
        {
            // Reads through the library hand the reader a stable copy: the write after the copy cannot reach it.
            Assert.That(ends, Is.EqualTo((Head: (byte)'A', Tail: (byte)'A')), "a value that is all of one write");
            Assert.That(passes, Is.EqualTo(1));
        }
    }

    [Test]
    [OurLibrary("epochs never go back (a remove ends above the epoch the slot had)")]
    public void RemoveThenSet_MovesTheEpochForward()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("k", "v1"u8);
        store.Set("k", "v1"u8);
        ulong before = store.GetEpoch("k");
        store.Remove("k");
        store.Set("k", "v2"u8);
        Assert.That(store.GetEpoch("k"), Is.GreaterThan(before));
    }

    [Test]
    public void TryRead_AReaderThatThrowsOnATornPass_IsRetried_AndAnswersFromTheStablePass()
    {
        if (!Splinter.Interop.Store.StoreFormat.MappingReadsSupported)
        {
            Assert.Ignore("reads go through the library's functions here: the reader gets a stable copy, never torn bytes");
        }

        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("k", "first"u8);
        int passes = 0;
        bool found = store.TryRead("k", store, (value, s) =>
        {
            if (++passes == 1)
            {
                s.Set("k", "second"u8); // the bytes change under the reader...
                throw new FormatException("not a value"); // ...and its parser gives up on them
            }

            return System.Text.Encoding.UTF8.GetString(value);
        }, out string text);

        Assert.That(found, Is.True);
        Assert.That(text, Is.EqualTo("second"));
        Assert.That(passes, Is.EqualTo(2));
    }

    [Test]
    public void TryRead_AReaderThatThrowsOnAStablePass_ThrowsToTheCaller()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("k", "value"u8);
        int passes = 0;
        var error = Assert.Throws<FormatException>(() => store.TryRead<int, int>("k", 0, (_, _) =>
        {
            passes++;
            throw new FormatException("the reader's own verdict");
        }, out _));
        Assert.That(error!.Message, Is.EqualTo("the reader's own verdict"));
        Assert.That(passes, Is.EqualTo(1));
    }

    [Test]
    public void AValueLongerThanMaxValueSize_IsDamage_ForEveryReadApi_WhileItsKeyStillExists()
    {
        SplinterStore store = Names.Create(slots: 8, maxValueSize: MaxValue);
        store.Set("bad", "v"u8);
        using (var slots = new SlotEditor(store))
        {
            splinter_slot* slot = slots.Find("bad");
            slot->val_off = 0; // the first region: MaxValue + 1 bytes from here still lie inside the arena
            slot->val_len = MaxValue + 1;
        }

        byte[] roomy = new byte[4 * MaxValue];
        var reads = new Dictionary<string, TestDelegate>
        {
            ["TryGet(string)"] = () => store.TryGet("bad", roomy, out _),
            ["TryGet(SplinterKey)"] = () => store.TryGet(new SplinterKey("bad"), roomy, out _),
            ["Get"] = () => store.Get("bad"),
            ["GetString"] = () => store.GetString("bad"),
            ["TryGetLength"] = () => store.TryGetLength("bad", out _),
            ["TryPeek"] = () => store.TryPeek("bad", out _, out _),
            ["TryGetUInt64"] = () => store.Integers.TryGet("bad", out _),
            ["TryRead"] = () => store.TryRead("bad", 0, static (v, _) => v.Length, out _),
        };
        Assert.Multiple(() =>
        {
            foreach ((string name, TestDelegate read) in reads)
            {
                var error = Assert.Throws<SplinterException>(read, name);
                Assert.That(error?.Message, Does.Contain("damaged"), name);
            }

            Assert.That(store.Contains("bad"), Is.True, "the key itself is there: only its value is unusable");
            Assert.That(store.GetEpoch("bad"), Is.Not.Zero);
        });
    }

    [Test]
    [OurLibrary("epochs never go back (a remove ends above the epoch the slot had)")]
    public void OneSlot_AWriterCyclingTwoKeys_NeverMakesAReadOfOneAnswerWithTheOther()
    {
        // The shape that made splinter_get answer with another key's value: ONE slot, so A and B take turns in it.
        const int Length = 256;
        const int WantedReads = 300;
        TimeSpan perApi = TimeSpan.FromSeconds(1.25);
        SplinterStore store = Names.Track(SplinterStore.Create(Names.NewName(), 1, Length, Options with { ContentionTimeout = TimeSpan.FromSeconds(10) }));
        byte[] a = Enumerable.Repeat((byte)'A', Length).ToArray();
        byte[] b = Enumerable.Repeat((byte)'B', Length).ToArray();
        var key = new SplinterKey("A");

        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                store.Set("A", a);
                store.Remove("A");
                store.Set("B", b);
                store.Remove("B");
            }
        });
        writer.Start();

        var reads = new (string Name, Func<byte[]?> Read)[]
        {
            ("Get", () => store.Get("A")),
            ("TryGet", () =>
            {
                byte[] buffer = new byte[Length];
                return store.TryGet(key, buffer, out int n) ? buffer[..n] : null;
            }),
            ("TryRead", () => store.TryRead(key, 0, static (v, _) => v.ToArray(), out byte[] copy) ? copy : null),
            ("GetString", () => store.GetString("A") is { } s ? System.Text.Encoding.Latin1.GetBytes(s) : null),
        };
        var results = new List<string>();
        try
        {
            foreach ((string name, Func<byte[]?> read) in reads)
            {
                int successes = 0, wrong = 0, torn = 0;
                var clock = Stopwatch.StartNew();
                while ((successes < WantedReads || clock.Elapsed < perApi) && clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    byte[]? value = read();
                    if (value is null)
                    {
                        continue;
                    }

                    successes++;
                    if (value.Length == Length && value.All(x => x == 'B'))
                    {
                        wrong++;
                    }
                    else if (value.Length != Length || value.Any(x => x != 'A'))
                    {
                        torn++;
                    }
                }

                results.Add($"{name}: {successes} reads of A, {wrong} with B's value, {torn} torn");
            }
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }

        TestContext.Out.WriteLine(string.Join(Environment.NewLine, results));
        Assert.That(results, Has.All.Match(@"^\w+: \d+ reads of A, 0 with B's value, 0 torn$"));
        Assert.That(results.Select(line => int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)), Has.All.GreaterThanOrEqualTo(WantedReads));
    }

    [Test]
    [NonParallelizable] // the race window hook is process-wide
    public void UserFlags_OfAKeyThatLeavesItsSlotDuringTheCall_NeverLandOnTheSlotsNextKey()
    {
        SplinterStore store = Names.Create(slots: 1, maxValueSize: MaxValue);
        store.Set("k", "v"u8);
        try
        {
            SplinterSlots.UserFlagsRaceWindow = () =>
            {
                SplinterSlots.UserFlagsRaceWindow = null;
                store.Remove("k");
                store.Set("other", "w"u8); // the only slot: the same one
            };
            Assert.Throws<KeyNotFoundException>(() => store.Slots.SetUserFlags("k", SplinterSlotUserFlags.User3));
        }
        finally
        {
            SplinterSlots.UserFlagsRaceWindow = null;
        }

        Assert.That(store.Slots.GetUserFlags("other"), Is.EqualTo(SplinterSlotUserFlags.None), "the flag did not stay on the key that took the slot");
    }
}
