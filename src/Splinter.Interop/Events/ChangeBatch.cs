using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;

namespace Splinter.Interop;

/// <summary>
/// The changes found by one <see cref="EventSubscription.ReadChanges"/>. Every read returns its own batch, which never
/// changes afterwards: keep it as long as you like.
/// </summary>
public sealed class ChangeBatch : IReadOnlyList<SlotChange>
{
    // The first change is kept inline: most wake-ups of a change feed find one change, and such a batch is then one
    // small object (before: an object and a 16-entry array, 440 bytes per wake-up of the feed). The others go to _more;
    // AsSpan builds, once, a contiguous copy of all of them (_all).
    private SlotChange _first;
    private SlotChange[]? _more;
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
            return index == 0 ? _first : _more![index - 1];
        }
    }

    /// <summary>The changes as a span.</summary>
    public ReadOnlySpan<SlotChange> AsSpan()
    {
        if (_count <= 1)
        {
            return _count == 0 ? default : new ReadOnlySpan<SlotChange>(in _first);
        }

        // Built once; two threads racing here build equal arrays and either one is kept.
        SlotChange[]? all = Volatile.Read(ref _all);
        if (all is null)
        {
            all = new SlotChange[_count];
            all[0] = _first;
            _more.AsSpan(0, _count - 1).CopyTo(all.AsSpan(1));
            all = Interlocked.CompareExchange(ref _all, all, null) ?? all;
        }

        return all;
    }

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
            _more ??= new SlotChange[4];
            if (_count - 1 == _more.Length)
            {
                Array.Resize(ref _more, _more.Length * 2);
            }

            _more[_count - 1] = change;
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
