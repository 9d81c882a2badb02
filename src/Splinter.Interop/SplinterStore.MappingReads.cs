using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// The mapping reads: TryGet, GetEpoch, Contains and TryRead read the store through the C# layer's own mapping with the
/// format's lookup (spec 5) and seqlock protocol (spec 6.1), without a native call. This is what libsplinter's
/// splinter_get and splinter_get_epoch do (neither has a side effect, spec 7.3/7.4), minus the per-call hashing a
/// SplinterKey already did, and minus the managed/native transition, around which the JIT has to spill every object
/// reference the caller keeps.
/// </summary>
/// <remarks>
/// Dispose: these reads take no reference on the store. They read first and then check <see cref="_closed"/>, which
/// Dispose sets before anything is closed, and throw ObjectDisposedException instead of answering when it is set.
/// The mapping's address range is never unmapped (<see cref="StoreMapping.Release"/>), so a read overlapping Dispose
/// reads stale bytes at worst, and those are discarded. Every offset a read computes is bounded by this store's own
/// geometry, which the range covers.
/// Torn reads: a value copy is valid only when the slot's epoch was even before it and is unchanged after it, and the
/// slot still has the key's hash (an unset rewrites the epoch to the same even value it may have had, spec 6.4, but
/// clears the hash first). A busy slot is retried within the store's contention budget, then a
/// <see cref="SplinterContentionException"/> names the key and the epoch seen, as for every other operation.
/// </remarks>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Set by Dispose before the gate and the handle close; the mapping reads check it after reading.</summary>
    private volatile bool _closed;

    /// <summary>Start of the value arena (after the header and the slots).</summary>
    private readonly byte* _arena;

    /// <summary>Length of the value arena (slots x max value size).</summary>
    private readonly ulong _arenaLength;

    /// <summary>Unpacks <see cref="ReadValue"/>'s answer (an out parameter there would keep the caller's length variable in memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DecodeRead(int coded, out int length)
    {
        length = coded ^ (coded >> 31);
        return coded >= 0;
    }

    /// <summary>
    /// Copies a key's value into <paramref name="destination"/>: its length when copied, otherwise ~length (~0 when the key
    /// is missing, ~needed when the destination is too small). The common case (start slot, stable, fits) is inline.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ReadValue(byte* paddedKey, ulong hash, Span<byte> destination)
    {
        splinter_slot* slot = SlotProbe.FindPadded(_slots, _slotCount, paddedKey, hash);
        if (slot != null)
        {
            ulong epoch = Volatile.Read(ref slot->epoch);
            uint length = Volatile.Read(ref slot->val_len);
            uint offset = slot->val_off;
            if ((epoch & 1) == 0 && length <= (uint)destination.Length && (ulong)offset + length <= _arenaLength)
            {
                new ReadOnlySpan<byte>(_arena + offset, (int)length).CopyTo(destination);
                OrderValueLoads();
                if (Volatile.Read(ref slot->epoch) == epoch && Volatile.Read(ref slot->hash) == hash && !_closed)
                {
                    return (int)length;
                }
            }
        }

        return ReadValueSlow(paddedKey, hash, destination);
    }

    /// <summary>
    /// <see cref="ReadValue"/> for everything but the common case: a missing key, a destination too small, a torn or busy
    /// slot (retried within the contention budget), a damaged slot, a disposed store.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ReadValueSlow(byte* paddedKey, ulong hash, Span<byte> destination)
    {
        var copy = new CopyInto(destination);
        return ReadStable<CopyInto, int>(paddedKey, hash, ref copy, out int coded) ? coded : ~0;
    }

    /// <summary>What a stable read does with the value's bytes; the answer counts only if the slot did not move meanwhile.</summary>
    private interface IValueConsumer<TResult>
    {
        TResult Consume(ReadOnlySpan<byte> value);
    }

    /// <summary>ReadValue's consumer: copies a value that fits (its length), or reports the length it needs (~length).</summary>
    private readonly ref struct CopyInto(Span<byte> destination) : IValueConsumer<int>
    {
        private readonly Span<byte> _destination = destination;

        public int Consume(ReadOnlySpan<byte> value)
        {
            if (value.Length > _destination.Length)
            {
                return ~value.Length;
            }

            value.CopyTo(_destination);
            return value.Length;
        }
    }

    /// <summary>
    /// The seqlock read of a key's value (spec 6.1): finds the slot, hands a stable pass's bytes to
    /// <paramref name="consumer"/> and keeps its answer only if the epoch was even and did not move and the slot still
    /// has the key's hash; retries a torn or busy pass within the contention budget. False for a missing key.
    /// </summary>
    private bool ReadStable<TConsumer, TResult>(byte* paddedKey, ulong hash, ref TConsumer consumer, out TResult result)
        where TConsumer : IValueConsumer<TResult>, allows ref struct
    {
        ContentionRetry retry = default;
        while (true)
        {
            ThrowIfClosed();
            splinter_slot* slot = SlotProbe.FindPadded(_slots, _slotCount, paddedKey, hash);
            if (slot == null)
            {
                ThrowIfClosed();
                result = default!;
                return false;
            }

            ulong epoch = Volatile.Read(ref slot->epoch);
            if ((epoch & 1) == 0)
            {
                uint length = Volatile.Read(ref slot->val_len);
                uint offset = slot->val_off;
                if (CheckValueBounds(slot, epoch, offset, length, paddedKey))
                {
                    TResult candidate = consumer.Consume(new ReadOnlySpan<byte>(_arena + offset, (int)length));
                    OrderValueLoads();
                    if (Volatile.Read(ref slot->epoch) == epoch && Volatile.Read(ref slot->hash) == hash)
                    {
                        ThrowIfClosed();
                        result = candidate;
                        return true;
                    }
                }

                // Otherwise a torn pass (fields of two writes, or the slot moved): read again.
            }

            if (!retry.Wait(_contentionBudget))
            {
                ThrowIfClosed();
                StoreErrors.ThrowContention(paddedKey, epoch);
            }
        }
    }

    /// <summary>A key's slot epoch (odd while a writer is inside) or 0 when the key is missing, like splinter_get_epoch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadEpoch(byte* paddedKey, ulong hash)
    {
        splinter_slot* slot = SlotProbe.FindPadded(_slots, _slotCount, paddedKey, hash);
        ulong epoch = slot == null ? 0 : Volatile.Read(ref slot->epoch);
        ThrowIfClosed();
        return epoch;
    }

    /// <summary>Index of the slot holding a key in its padded form (see <see cref="SlotProbe.FindPadded"/>), or -1.</summary>
    private long SlotIndexOf(byte* paddedKey, ulong hash)
    {
        splinter_slot* slot = SlotProbe.FindPadded(_slots, _slotCount, paddedKey, hash);
        return slot == null ? -1 : slot - _slots;
    }

    /// <summary>
    /// True when <paramref name="length"/> bytes at <paramref name="offset"/> lie inside the value arena. When they do not
    /// and the slot's epoch still reads <paramref name="epoch"/>, the slot itself says so and the store is damaged: throws.
    /// False means a torn pass (the caller reads again).
    /// </summary>
    private bool CheckValueBounds(splinter_slot* slot, ulong epoch, uint offset, uint length, byte* key)
    {
        if ((ulong)offset + length <= _arenaLength && length <= _maxValueSize)
        {
            return true;
        }

        // Only a damaged store (or upstream's relocating BIGUINT promotion) gets here. Re-check before blaming the
        // store: a torn pass can pair fields of two writes.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref slot->epoch) == epoch && !_closed)
        {
            throw new SplinterException(
                $"The slot of '{KeyBytes.Decode(key)}' describes {length} bytes at arena offset {offset}, outside the value arena; the store is damaged.");
        }

        return false;
    }

    /// <summary>Orders the value loads before the epoch re-read: x86/x64 never reorders loads with older loads; weaker CPUs need the fence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OrderValueLoads()
    {
        if (!X86Base.IsSupported)
        {
            Interlocked.MemoryBarrier();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfClosed()
    {
        if (_closed)
        {
            StoreErrors.ThrowDisposed(Name);
        }
    }
}
