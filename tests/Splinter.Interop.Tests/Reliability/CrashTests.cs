using System;
using System.Collections.Generic;
using System.Diagnostics;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;

namespace Splinter.Interop.Tests.Reliability;

/// <content>
/// A writer killed (SIGKILL) while it holds a slot odd: the child acquires the slot's seqlock
/// through its own mapping (TestChild rel-hold-odd) and sleeps; this process kills it. Readers and
/// writers of that key get SplinterContentionException once the contention budget is spent, other
/// keys are unaffected, and Retrain recovers the key with its last complete value.
/// </content>
public sealed partial class ReliabilityTests
{
    [Test]
    [Order(30)]
    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void Crash_WriterKilledInsideASlot_ContentionThenRetrainRecovers(SplinterVariant variant)
    {
        TimeSpan budget = TimeSpan.FromMilliseconds(100); // the default ContentionTimeout
        SplinterStore store = Names(variant).Track(SplinterStore.Create(Names(variant).NewName("crash"), 16, 64, OptionsFor(variant) with { ContentionTimeout = budget }));
        store.Set("victim", "last complete value"u8);
        store.Set("bystander", "untouched"u8);
        store.Set("counter", new byte[8]);
        store.Slots.SetType("counter", SplinterSlotTypes.BigUInt);
        ulong before = store.GetEpoch("victim");

        ChildProcess writer = StartChild("rel-hold-odd", store.Name, variant.ToString(), "victim");
        writer.WaitReady();
        Assert.That(writer.ReadLine(TimeSpan.FromSeconds(10)), Is.EqualTo($"stat held-slot {store.Slots.IndexOf("victim")}"));
        writer.Dispose(); // SIGKILL while the slot is odd
        _children.Remove(writer);
        Assert.That(store.GetEpoch("victim"), Is.EqualTo(before + 1), "the dead writer left the slot odd");

        // Every reader and writer of the key gives up after the budget with the contention exception.
        var timings = new List<string>();
        void ExpectContention(string what, Action action)
        {
            Stopwatch clock = Stopwatch.StartNew();
            SplinterContentionException error = Assert.Throws<SplinterContentionException>(() => action(), what)!;
            timings.Add($"{what} {clock.Elapsed.TotalMilliseconds:F1} ms");
            Assert.That(error.Key, Is.EqualTo("victim"));
            Assert.That(error.EpochSeen % 2, Is.EqualTo(1UL), "the epoch seen is odd");
            Assert.That(error.Errno, Is.EqualTo(Errno.EAGAIN));
        }

        ExpectContention("Get", () => store.Get("victim"));
        ExpectContention("TryGet", () => store.TryGet("victim", new byte[64], out _));
        ExpectContention("GetString", () => store.GetString("victim"));
        ExpectContention("TryRead", () => store.TryRead("victim", 0, static (span, _) => span.Length, out int _));
        ExpectContention("Append", () => store.Append("victim", "x"u8));
        ExpectContention("SetType", () => store.Slots.SetType("victim", SplinterSlotTypes.Json));
        ExpectContention("Remove", () => store.Remove("victim"));
        ExpectContention("Bump", () => store.Signals.Bump("victim"));
        ExpectContention("SetTime", () => store.Slots.SetTime("victim", SplinterSlotTime.Access, 1));
        ExpectContention("TryGetSnapshot", () => store.Slots.TryGetSnapshot("victim", out _));
        TestContext.Progress.WriteLine($"crash ({variant}): contention budget {budget.TotalMilliseconds} ms; time to SplinterContentionException: {string.Join(", ", timings)}");

        // Other keys are unaffected.
        Assert.That(store.GetString("bystander"), Is.EqualTo("untouched"));
        store.Set("bystander", "written after the crash"u8);
        Assert.That(store.GetString("bystander"), Is.EqualTo("written after the crash"));
        store.Integers.Increment("counter", 5);
        Assert.That(store.Integers.TryGet("counter", out ulong counter) && counter == 5, Is.True);
        store.Set("new key", "fine"u8);
        Assert.That(store.GetString("new key"), Is.EqualTo("fine"));

        // Retrain: the slot is even again and the last complete value is back.
        Stopwatch recovery = Stopwatch.StartNew();
        store.Slots.Retrain("victim");
        string? recovered = store.GetString("victim");
        recovery.Stop();
        TestContext.Progress.WriteLine($"crash ({variant}): Retrain + first Get took {recovery.Elapsed.TotalMilliseconds:F3} ms");
        Assert.That(recovered, Is.EqualTo("last complete value"));
        Assert.That(store.GetEpoch("victim") % 2, Is.Zero, "retrain leaves the slot even (free)");
        store.Set("victim", "after recovery"u8);
        Assert.That(store.GetString("victim"), Is.EqualTo("after recovery"));
        Assert.That(store.Append("victim", "!"u8), Is.EqualTo("after recovery!".Length));
    }

    /// <summary>
    /// A hazard worth knowing (duplicate keys, native/README.md, "Kept on purpose"): Set does not wait for a dead
    /// writer. libsplinter skips the busy slot and writes a second copy of the key further along the
    /// probe sequence, so Set succeeds while every reader still hits the held slot first; after
    /// Retrain the older value is what readers see, and the newer copy only shows once that one is removed.
    /// </summary>
    [Test]
    [Order(31)]
    public void Crash_SetWhileTheSlotIsHeld_WritesASecondCopyThatRetrainLeavesShadowed()
    {
        SplinterStore store = _shm.Create(16, 64, "crashdup");
        store.Set("victim", "old"u8);
        ChildProcess writer = StartChild("rel-hold-odd", store.Name, SplinterVariant.SharedMemory.ToString(), "victim");
        writer.WaitReady();
        writer.Dispose(); // SIGKILL while the slot is odd
        _children.Remove(writer);

        store.Set("victim", "new"u8);
        Assert.That(store.GetKeys(), Has.Exactly(2).EqualTo("victim"), "a second copy of the key was written");
        Assert.Throws<SplinterContentionException>(() => store.Get("victim"), "readers still meet the held slot first");

        store.Slots.Retrain("victim");
        Assert.That(store.GetString("victim"), Is.EqualTo("old"), "after Retrain the older copy shadows the newer one");
        Assert.That(store.Remove("victim"), Is.True);
        Assert.That(store.GetString("victim"), Is.EqualTo("new"), "removing the older copy uncovers the newer one");
    }
}
