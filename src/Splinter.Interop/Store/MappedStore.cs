using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>What a seqlock read does with a value's bytes; the answer counts only if the pass was stable.</summary>
/// <typeparam name="TResult">The answer.</typeparam>
internal interface IValueConsumer<TResult>
{
    /// <summary>Reads <paramref name="value"/> (live shared memory: it may change under the reader).</summary>
    /// <param name="value">The value bytes in the mapping.</param>
    /// <param name="epoch">The slot epoch the pass started at (even).</param>
    /// <returns>The answer, kept only if the pass turns out stable.</returns>
    TResult Consume(ReadOnlySpan<byte> value, ulong epoch);
}

/// <summary>
/// One store as the C# layer's own mapping sees it, read with the format's lookup and seqlock (native/FORMAT.md):
/// the geometry, the probe, and the one slot reader every managed read uses. The reads take no lease: they follow
/// <see cref="CloseFlag"/>'s protocol. Lives inside its <see cref="SplinterStore"/> (a mutable field, never copied)
/// so the hot reads load its fields straight from the store object.
/// </summary>
/// <remarks>
/// <para><b>The slot reader.</b> A pass over a slot is valid only when the slot's epoch was even before it
/// (<see cref="TryBegin"/>), the slot still holds the key's hash and key inside the pass, and the epoch is unchanged
/// after it (<see cref="End"/>, with a read barrier so no load of the pass moves after the epoch's second load).
/// The key is checked inside the pass, not only by the probe before it: a slot can change owner between the probe
/// and the pass. Epochs never go back in our library, so a remove followed by a set of the same key always moves
/// the epoch. Upstream 1.2.0 ends every remove at epoch 2; with its writers a pass paused across a remove and a set
/// of the SAME key that land on the pass's starting epoch cannot be told from a stable one (src/Splinter.Interop/README.md,
/// "Reads and writers in other processes").</para>
/// <para>Every offset a read computes is bounded by this store's geometry, which the mapping's range covers, so a read
/// that overlaps Dispose reads stale bytes or zeros at worst (and discards them, <see cref="CloseFlag"/>).</para>
/// </remarks>
internal unsafe struct MappedStore
{
    private readonly byte* _slots;
    private readonly nuint _slotSize;
    private readonly byte* _arena;
    private readonly ulong _arenaLength;
    private readonly uint _startMask;
    private CloseFlag _closed;

    /// <summary>Reads the geometry of the store mapped at <paramref name="mapping"/> (already validated) with slots of <paramref name="slotSize"/> bytes.</summary>
    public MappedStore(byte* mapping, int slotSize)
    {
        Header = (splinter_header*)mapping;
        SlotCount = Header->slots;
        MaxValueSize = Header->max_val_sz;
        SlotSize = slotSize;
        _slotSize = (nuint)slotSize;
        _slots = mapping + StoreFormat.HeaderSize;
        _arena = _slots + ((nuint)SlotCount * _slotSize);
        _arenaLength = (ulong)SlotCount * MaxValueSize;
        _startMask = SlotCount > 1 && BitOperations.IsPow2(SlotCount) ? SlotCount - 1 : 0;
    }

    /// <summary>The store header.</summary>
    public readonly splinter_header* Header { get; }

    /// <summary>Number of slots.</summary>
    public readonly uint SlotCount { get; }

    /// <summary>Bytes of value space per slot.</summary>
    public readonly uint MaxValueSize { get; }

    /// <summary>Bytes per slot: the flavour (<see cref="StoreFormat.PlainSlotSize"/> or <see cref="StoreFormat.EmbeddingsSlotSize"/>).</summary>
    public readonly int SlotSize { get; }

    /// <summary>Start of the value arena.</summary>
    public readonly byte* Arena => _arena;

    /// <summary>Length of the value arena (slots x max value size).</summary>
    public readonly ulong ArenaLength => _arenaLength;

    /// <summary>True once the store's Dispose began: reads discard what they read.</summary>
    public readonly bool IsClosed => _closed.IsRaised;

    /// <summary>Marks the store closed for the mapping reads (Dispose's first step, <see cref="CloseFlag"/>).</summary>
    public void Close() => _closed.Raise();

    /// <summary>Slot <paramref name="index"/> (below <see cref="SlotCount"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly splinter_slot* Slot(uint index) => (splinter_slot*)(_slots + (index * _slotSize));

    /// <summary>The index of a slot of this store.</summary>
    public readonly int IndexOf(splinter_slot* slot) => (int)((nuint)((byte*)slot - _slots) / _slotSize);

    // ---- the slot reader ------------------------------------------------------------------------------------------

    /// <summary>Opens a pass over <paramref name="slot"/>: false while a writer holds it (odd epoch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryBegin(splinter_slot* slot, out ulong epoch)
    {
        epoch = Volatile.Read(ref slot->epoch); // acquire: the pass's loads stay after it
        return (epoch & 1) == 0;
    }

    /// <summary>Closes a pass: true when no writer entered the slot since <see cref="TryBegin"/> saw <paramref name="epoch"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool End(splinter_slot* slot, ulong epoch)
    {
        // The pass's loads (value bytes, key, hash) complete before the epoch's second load: a compiler barrier on
        // x64, a load fence on arm64, where loads may otherwise pass each other.
        Volatile.ReadBarrier();
        return Volatile.Read(ref slot->epoch) == epoch;
    }

    /// <summary>True when <paramref name="slot"/> holds the key: its hash, and its key field equal under the format's comparison.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Holds(splinter_slot* slot, byte* paddedKey, ulong hash) =>
        Volatile.Read(ref slot->hash) == hash && KeyMatches(slot, paddedKey);

    // ---- lookup ---------------------------------------------------------------------------------------------------

    /// <summary>The slot where a key's probe sequence starts (hash mod slots).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly splinter_slot* StartSlot(ulong hash) => Slot(StartIndex(hash));

    /// <summary>
    /// Where a key's probe sequence starts: hash mod slots, the format's rule, taken as a mask when the slot count is a
    /// power of two (the same answer). A string key's lookup waits for its hash (a chain of multiplies) and then for
    /// this; a 64-bit division is the longest single step of that chain, and most stores have 2^n slots.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly uint StartIndex(ulong hash) => _startMask != 0 ? (uint)hash & _startMask : (uint)(hash % SlotCount);

    /// <summary>
    /// The slot holding a key given in its padded form (<see cref="StoreFormat.KeyFieldSize"/> bytes: the key, its NUL,
    /// zeros) with its hash, or null: linear probing from hash mod slots over every slot, matching hash and key. The
    /// start slot is checked inline; the rest of the sequence in <see cref="FindFrom"/>. Only a hint: a pass must check
    /// <see cref="Holds"/> again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly splinter_slot* Find(byte* paddedKey, ulong hash)
    {
        uint start = StartIndex(hash);
        splinter_slot* slot = Slot(start);
        if (Volatile.Read(ref slot->hash) == hash && PaddedKeyMatches(slot, paddedKey))
        {
            return slot;
        }

        return FindFrom(paddedKey, hash, start);
    }

    /// <summary>
    /// The fast reads' lookup: the start slot by its hash alone, further along the probe sequence by hash and key. The
    /// pass that follows compares the key again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly splinter_slot* ProbeHint(byte* paddedKey, ulong hash)
    {
        uint start = StartIndex(hash);
        splinter_slot* slot = Slot(start);
        return Volatile.Read(ref slot->hash) == hash ? slot : FindFrom(paddedKey, hash, start);
    }

    /// <summary>True when a slot's value (its offset and length) lies inside its region: no longer than the store's limit, inside the arena.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool InBounds(uint offset, uint length) => length <= MaxValueSize && (ulong)offset + length <= _arenaLength;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly splinter_slot* FindFrom(byte* paddedKey, ulong hash, uint start)
    {
        // Probe order start .. slots-1, then 0 .. start-1, as two straight scans: a miss visits every slot, so the
        // loop is a hash compare and a pointer step. The start slot is looked at again with the exact comparison.
        splinter_slot* found = Scan(Slot(start), Slot(SlotCount), paddedKey, hash);
        return found != null ? found : Scan(Slot(0), Slot(start), paddedKey, hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly splinter_slot* Scan(splinter_slot* from, splinter_slot* end, byte* paddedKey, ulong hash)
    {
        for (byte* slot = (byte*)from; slot < (byte*)end; slot += _slotSize)
        {
            if (Volatile.Read(ref ((splinter_slot*)slot)->hash) == hash && KeyMatches((splinter_slot*)slot, paddedKey))
            {
                return (splinter_slot*)slot;
            }
        }

        return null;
    }

    /// <summary>
    /// The format's key comparison (strncmp over the key field) for a padded query: the whole-field compare, and only
    /// when it fails, the exact one, which ignores whatever a writer left after the stored key's NUL.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KeyMatches(splinter_slot* slot, byte* paddedKey) =>
        PaddedKeyMatches(slot, paddedKey) || KeyMatchesExactly(slot, paddedKey);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool KeyMatchesExactly(splinter_slot* slot, byte* paddedKey)
    {
        int length = new ReadOnlySpan<byte>(paddedKey, StoreFormat.KeyFieldSize).IndexOf((byte)0);
        return length >= 0 &&
            new ReadOnlySpan<byte>(slot->key, length + 1).SequenceEqual(new ReadOnlySpan<byte>(paddedKey, length + 1));
    }

    /// <summary>
    /// True when the slot's key field equals the padded query byte for byte. Writers that follow the format (the key,
    /// then zeros) leave exactly this, so for them it is the format's comparison; a false answer is confirmed by
    /// <see cref="KeyMatchesExactly"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool PaddedKeyMatches(splinter_slot* slot, byte* paddedKey)
    {
        byte* stored = (byte*)slot->key;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<byte> difference = (Vector256.Load(stored) ^ Vector256.Load(paddedKey)) |
                (Vector256.Load(stored + 32) ^ Vector256.Load(paddedKey + 32));
            return difference == Vector256<byte>.Zero;
        }

        Vector128<byte> low = (Vector128.Load(stored) ^ Vector128.Load(paddedKey)) |
            (Vector128.Load(stored + 16) ^ Vector128.Load(paddedKey + 16));
        Vector128<byte> high = (Vector128.Load(stored + 32) ^ Vector128.Load(paddedKey + 32)) |
            (Vector128.Load(stored + 48) ^ Vector128.Load(paddedKey + 48));
        return (low | high) == Vector128<byte>.Zero;
    }

    // ---- value reads ----------------------------------------------------------------------------------------------

    /// <summary>
    /// The common case of a copying read, inline: the key found by its probe, a stable pass, a value that fits. True with
    /// the value copied and its length; false for everything else (missing, busy, torn, too small, closed), which
    /// <see cref="ReadStable"/> answers. Inside the pass the key is compared before the copy, so it is not kept across
    /// the copy's call, and the hash after it, which catches a remove that ran during the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryReadValueFast(byte* paddedKey, ulong hash, Span<byte> destination, out int length)
    {
        splinter_slot* slot = ProbeHint(paddedKey, hash);
        if (slot != null && TryBegin(slot, out ulong epoch) && PaddedKeyMatches(slot, paddedKey))
        {
            uint valueLength = Volatile.Read(ref slot->val_len);
            uint offset = slot->val_off;
            if (valueLength <= (uint)destination.Length && InBounds(offset, valueLength))
            {
                CopyValue(_arena + offset, ref MemoryMarshal.GetReference(destination), valueLength);
                if (EndValueFast(slot, hash, epoch))
                {
                    length = (int)valueLength;
                    return true;
                }
            }
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// Copies a value of <paramref name="length"/> bytes (room checked by the caller). Up to 64 bytes inline, as two
    /// overlapping loads and stores of the largest size that fits (32, 16, 8, 4 bytes, or single bytes below 4); longer
    /// values through the runtime's memmove. The source is live shared memory: a torn copy is discarded by the pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyValue(byte* source, ref byte destination, uint length)
    {
        if (length > 64 || !Vector256.IsHardwareAccelerated)
        {
            new ReadOnlySpan<byte>(source, (int)length).CopyTo(MemoryMarshal.CreateSpan(ref destination, (int)length));
        }
        else if (length >= 32)
        {
            Vector256<byte> head = Vector256.Load(source);
            Vector256<byte> tail = Vector256.Load(source + length - 32);
            head.StoreUnsafe(ref destination);
            tail.StoreUnsafe(ref destination, length - 32);
        }
        else if (length >= 16)
        {
            Vector128<byte> head = Vector128.Load(source);
            Vector128<byte> tail = Vector128.Load(source + length - 16);
            head.StoreUnsafe(ref destination);
            tail.StoreUnsafe(ref destination, length - 16);
        }
        else if (length >= 8)
        {
            ulong head = Unsafe.ReadUnaligned<ulong>(source);
            ulong tail = Unsafe.ReadUnaligned<ulong>(source + length - 8);
            Unsafe.WriteUnaligned(ref destination, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, length - 8), tail);
        }
        else if (length >= 4)
        {
            uint head = Unsafe.ReadUnaligned<uint>(source);
            uint tail = Unsafe.ReadUnaligned<uint>(source + length - 4);
            Unsafe.WriteUnaligned(ref destination, head);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, length - 4), tail);
        }
        else
        {
            for (uint i = 0; i < length; i++)
            {
                Unsafe.Add(ref destination, i) = source[i];
            }
        }
    }

    /// <summary>
    /// The common case of an in-place read, inline, in two halves around the caller's use of the bytes: this half finds
    /// the key by its probe, opens a pass (even epoch), compares the key and bounds the value; false for everything else
    /// (missing, busy, out of bounds), which <see cref="ReadStable"/> answers. The bytes in <paramref name="value"/> are
    /// live shared memory: they count only if <see cref="EndValueFast"/> then says the pass was stable.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryBeginValueFast(byte* paddedKey, ulong hash, out splinter_slot* slot, out ulong epoch, out ReadOnlySpan<byte> value)
    {
        slot = ProbeHint(paddedKey, hash);
        if (slot != null && TryBegin(slot, out epoch) && PaddedKeyMatches(slot, paddedKey))
        {
            uint valueLength = Volatile.Read(ref slot->val_len);
            uint offset = slot->val_off;
            if (InBounds(offset, valueLength))
            {
                value = new ReadOnlySpan<byte>(_arena + offset, (int)valueLength);
                return true;
            }
        }

        epoch = 0;
        value = default;
        return false;
    }

    /// <summary>
    /// The second half of <see cref="TryBeginValueFast"/>: true when the slot still holds the key's hash and its epoch did
    /// not move (the key was compared inside the pass before the bytes were used), and the store is not closing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool EndValueFast(splinter_slot* slot, ulong hash, ulong epoch) =>
        Volatile.Read(ref slot->hash) == hash && End(slot, epoch) && !_closed.IsRaised;

    /// <summary>
    /// The seqlock read of a key's value: finds the slot, hands each pass's bytes to <paramref name="consumer"/> and
    /// keeps its answer only from a stable pass (<see cref="TryBegin"/>, <see cref="Holds"/>, <see cref="End"/>).
    /// A torn or busy pass is retried within <paramref name="contentionBudget"/> (Stopwatch ticks), then
    /// <see cref="SplinterContentionException"/>. An exception the consumer throws is rethrown only from a stable pass;
    /// from a torn one it is discarded and the pass retried (the bytes were never a value). False: the key is missing.
    /// </summary>
    public readonly bool ReadStable<TConsumer, TResult>(byte* paddedKey, ulong hash, ref TConsumer consumer, out TResult result, long contentionBudget, string storeName)
        where TConsumer : IValueConsumer<TResult>, allows ref struct
    {
        ContentionRetry retry = default;
        while (true)
        {
            ThrowIfClosed(storeName);
            splinter_slot* slot = Find(paddedKey, hash);
            if (slot == null)
            {
                ThrowIfClosed(storeName);
                result = default!;
                return false;
            }

            if (TryBegin(slot, out ulong epoch))
            {
                uint length = Volatile.Read(ref slot->val_len);
                uint offset = slot->val_off;
                bool inBounds = InBounds(offset, length);
                TResult candidate = default!;
                ExceptionDispatchInfo? failure = null;
                if (inBounds)
                {
                    try
                    {
                        candidate = consumer.Consume(new ReadOnlySpan<byte>(_arena + offset, (int)length), epoch);
                    }
                    catch (Exception exception)
                    {
                        failure = ExceptionDispatchInfo.Capture(exception);
                    }
                }

                bool holds = Holds(slot, paddedKey, hash);
                if (End(slot, epoch) && holds)
                {
                    ThrowIfClosed(storeName);
                    if (!inBounds)
                    {
                        ThrowDamaged(slot, offset, length);
                    }

                    failure?.Throw();
                    result = candidate;
                    return true;
                }

                // Otherwise a torn pass (fields of two writes, or the slot changed owner): read again.
            }

            if (!retry.Wait(contentionBudget))
            {
                ThrowIfClosed(storeName);
                StoreErrors.ThrowContention(paddedKey, epoch);
            }
        }
    }

    /// <summary>
    /// The common case of an epoch read, inline: the key in its start slot (hash, then the key compared after the
    /// epoch's load) and the epoch unchanged after it. False sends the caller to <see cref="ReadEpoch"/>, which also
    /// answers for keys elsewhere in their probe sequence and missing keys.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool TryReadEpochFast(byte* paddedKey, ulong hash, out ulong epoch)
    {
        // No second look at the hash: the key, compared after the epoch's load, is the later check, and a stable
        // epoch around it means the slot held the key at that epoch.
        return TryEpochPass(StartSlot(hash), paddedKey, hash, out epoch);
    }

    /// <summary>
    /// <see cref="TryReadEpochFast"/> for a key that is not in its start slot, out of line: the rest of the probe, then
    /// the same pass. False sends the caller to <see cref="ReadEpoch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly bool TryReadEpochProbed(byte* paddedKey, ulong hash, out ulong epoch)
    {
        splinter_slot* slot = FindFrom(paddedKey, hash, StartIndex(hash));
        if (slot == null)
        {
            epoch = 0;
            return !_closed.IsRaised;
        }

        return TryEpochPass(slot, paddedKey, hash, out epoch);
    }

    /// <summary>
    /// One pass over a slot's epoch: true when the slot holds the key (hash, then the key compared after the epoch's
    /// load), the epoch did not move, and the store is not closing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool TryEpochPass(splinter_slot* slot, byte* paddedKey, ulong hash, out ulong epoch)
    {
        epoch = Volatile.Read(ref slot->epoch);
        return Volatile.Read(ref slot->hash) == hash && PaddedKeyMatches(slot, paddedKey) && End(slot, epoch) && !_closed.IsRaised;
    }

    /// <summary>A key's slot epoch (odd while a writer is inside) or 0 when the key is missing, like splinter_get_epoch.</summary>
    public readonly ulong ReadEpoch(byte* paddedKey, ulong hash, string storeName)
    {
        // The epoch of the slot that holds the key before and after the epoch load. A slot that keeps changing owner
        // or epoch under us is a writer at work: its epoch is as good an answer as any after a few tries.
        ulong epoch = 0;
        for (int attempt = 0; attempt < 64; attempt++)
        {
            splinter_slot* slot = Find(paddedKey, hash);
            if (slot == null)
            {
                epoch = 0;
                break;
            }

            epoch = Volatile.Read(ref slot->epoch);
            if (Holds(slot, paddedKey, hash) && End(slot, epoch))
            {
                break;
            }

            Thread.SpinWait(8);
        }

        ThrowIfClosed(storeName);
        return epoch;
    }

    /// <summary>Throws ObjectDisposedException once the store's Dispose began.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ThrowIfClosed(string storeName) => _closed.ThrowIfRaised(storeName);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private readonly void ThrowDamaged(splinter_slot* slot, uint offset, uint length) =>
        StoreErrors.ThrowDamaged(
            (byte*)slot->key,
            $"is described as {length} bytes at arena offset {offset}, outside its region (at most {MaxValueSize} bytes inside an arena of {_arenaLength})");

    /// <summary>ReadValue's consumer: copies a value that fits (its length), or reports the length it needs (~length).</summary>
    public readonly ref struct CopyInto(Span<byte> destination) : IValueConsumer<int>
    {
        private readonly Span<byte> _destination = destination;

        public int Consume(ReadOnlySpan<byte> value, ulong epoch)
        {
            if (value.Length > _destination.Length)
            {
                return ~value.Length;
            }

            value.CopyTo(_destination);
            return value.Length;
        }
    }
}
