using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.Events;

[Category("Events")]
public sealed class ChangeBatchTests
{
    [Test]
    public void EveryView_ListsTheSameChanges_InOrder([Values(0, 1, 2, 5, 6, 40)] int count)
    {
        // A batch keeps its first change inline and the rest in an array that grows: every way of reading it must
        // give the changes in the order they were added, whatever side of those boundaries the count falls on.
        ChangeBatch batch = new();
        SlotChange[] expected = Enumerable.Range(0, count)
            .Select(i => new SlotChange(i * 3, $"key{i}", (ulong)(2 * i) + 2, (SlotChangeKind)(i % 3)))
            .ToArray();
        foreach (SlotChange change in expected)
        {
            batch.Add(change);
        }

        List<SlotChange> enumerated = [];
        foreach (SlotChange change in batch)
        {
            enumerated.Add(change);
        }

        Assert.Multiple(() =>
        {
            Assert.That(batch.Count, Is.EqualTo(count));
            Assert.That(Enumerable.Range(0, count).Select(i => batch[i]), Is.EqualTo(expected), "indexer");
            Assert.That(batch.AsSpan().ToArray(), Is.EqualTo(expected), "AsSpan");
            Assert.That(batch.AsSpan().ToArray(), Is.EqualTo(expected), "AsSpan, second call");
            Assert.That(batch.ToArray(), Is.EqualTo(expected), "ToArray");
            Assert.That(enumerated, Is.EqualTo(expected), "struct enumerator");
            Assert.That(((IEnumerable<SlotChange>)batch).ToList(), Is.EqualTo(expected), "IEnumerable");
            Assert.Throws<System.ArgumentOutOfRangeException>(() => _ = batch[count]);
        });
    }

    [Test]
    public void ABatchIsOneSmallObject_AndItsSpanIsNeverACopy()
    {
        // The change feed allocates a batch per wake-up, and the fresh heap pages those allocations reach cost a page
        // fault each: the batch stays one object of at most 56 bytes (object header, the inline first change, the
        // array of all changes, the count, the flag). A batch of several changes keeps them in one array, so AsSpan
        // hands that out instead of building a copy.
        long before = GC.GetAllocatedBytesForCurrentThread();
        ChangeBatch batch = new();
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        for (int i = 0; i < 40; i++)
        {
            batch.Add(new SlotChange(i, "k", (ulong)i + 2, SlotChangeKind.Written));
        }

        before = GC.GetAllocatedBytesForCurrentThread();
        ReadOnlySpan<SlotChange> first = batch.AsSpan();
        ReadOnlySpan<SlotChange> second = batch.AsSpan();
        long spans = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Multiple(() =>
        {
            Assert.That(size, Is.LessThanOrEqualTo(56), "bytes of a new batch");
            Assert.That(spans, Is.Zero, "bytes allocated by two AsSpan calls on a batch of 40");
        });
        Assert.That(first == second && first.Length == 40 && first[39].SlotIndex == 39, Is.True, "both calls give the same 40 changes");
    }
}
