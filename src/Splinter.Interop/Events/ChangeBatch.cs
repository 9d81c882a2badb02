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
    private SlotChange[] _items = new SlotChange[16];
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
            return _items[index];
        }
    }

    /// <summary>The changes as a span.</summary>
    public ReadOnlySpan<SlotChange> AsSpan() => _items.AsSpan(0, _count);

    /// <summary>A copy that outlives the batch.</summary>
    public SlotChange[] ToArray() => AsSpan().ToArray();

    /// <summary>An allocation-free enumerator.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<SlotChange> IEnumerable<SlotChange>.GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<SlotChange>)this).GetEnumerator();

    internal void Add(in SlotChange change)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[_count++] = change;
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
        public readonly SlotChange Current => _batch._items[_index];

        /// <summary>Advances to the next change.</summary>
        public bool MoveNext() => ++_index < _batch._count;
    }
}
