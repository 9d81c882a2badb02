using System;
using System.Collections;
using System.Collections.Generic;

namespace Splinter.Interop;

/// <summary>
/// The changes found by one <see cref="EventSubscription.ReadChanges"/>. Every read returns its own batch, which never
/// changes afterwards: keep it as long as you like.
/// </summary>
public sealed class ChangeBatch : IReadOnlyList<SlotChange>
{
    // The first change is kept inline: most wake-ups of a change feed find one change, and such a batch is then one
    // 56-byte object (before: an object and a 16-entry array, 440 bytes per wake-up of the feed). From the second change
    // on, all of them, the first copied in, are in _all, so AsSpan never copies. Each field counts: the feed allocates a
    // batch per wake-up, and the pages those allocations reach for the first time cost a fault each.
    private SlotChange _first;
    private SlotChange[]? _all;
    private int _count;

    internal ChangeBatch()
    {
    }

    /// <summary>The batch of a read that found nothing (shared: it never changes).</summary>
    public static ChangeBatch Empty { get; } = new();

    /// <summary>
    /// True when the store's global epoch moved by more than the changes in this batch explain: a write left no trace
    /// in the slots. That happens with writers whose library lets slot epochs go back (upstream libsplinter 1.2.0 ends
    /// a remove at epoch 2, so removing a key and setting it again can restore the exact epoch it had), and with label
    /// calls that leave no trace (labels a key already had, or two label calls on one key between reads). Re-read the keys
    /// you care about. With our library, whose epochs never go back, only such label calls set it.
    /// </summary>
    public bool HasUnidentifiedChanges { get; internal set; }

    /// <summary>Number of changes.</summary>
    public int Count => _count;

    /// <summary>The change at <paramref name="index"/>.</summary>
    public SlotChange this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return _all is null ? _first : _all[index];
        }
    }

    /// <summary>The changes as a span.</summary>
    public ReadOnlySpan<SlotChange> AsSpan() =>
        _all is not null ? new ReadOnlySpan<SlotChange>(_all, 0, _count) :
        _count == 0 ? default : new ReadOnlySpan<SlotChange>(in _first);

    /// <summary>A copy that outlives the batch.</summary>
    public SlotChange[] ToArray() => AsSpan().ToArray();

    /// <summary>An allocation-free enumerator.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<SlotChange> IEnumerable<SlotChange>.GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<SlotChange>)this).GetEnumerator();

    internal void Add(in SlotChange change)
    {
        if (_count == 0)
        {
            _first = change;
        }
        else
        {
            if (_all is null)
            {
                _all = new SlotChange[4];
                _all[0] = _first;
            }
            else if (_count == _all.Length)
            {
                Array.Resize(ref _all, _all.Length * 2);
            }

            _all[_count] = change;
        }

        _count++;
    }

    /// <summary>Allocation-free enumerator over a <see cref="ChangeBatch"/>.</summary>
    public struct Enumerator
    {
        private readonly ChangeBatch _batch;
        private int _index;

        internal Enumerator(ChangeBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <summary>The current change.</summary>
        public readonly SlotChange Current => _batch[_index];

        /// <summary>Advances to the next change.</summary>
        public bool MoveNext() => ++_index < _batch._count;
    }
}
