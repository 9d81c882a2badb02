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
}
