using System;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Where every read of a value or an epoch goes. With bindings that describe format v4 (always, with our header), reads
/// go through the C# layer's own mapping (<see cref="MappedStore"/>): no native call, no reference on the store, one
/// seqlock reader. Otherwise (<see cref="StoreFormat.MappingReadsSupported"/> is false: a user's header of another
/// version or layout) they go through the library's own functions (<see cref="LibraryReads"/>), with the same answers:
/// false/null/0 for a missing key, <see cref="SplinterContentionException"/> for a slot that stays busy, a <see
/// cref="SplinterException"/> for a slot whose value lies outside its region (a damaged store).
/// </summary>
public sealed unsafe partial class SplinterStore
{
    /// <summary>The store as the C# layer's own mapping sees it (a mutable struct field: never copy it).</summary>
    private MappedStore _mapped;

    /// <summary>Unpacks <see cref="ReadValue"/>'s answer (an out parameter there would keep the caller's length variable in memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DecodeRead(int coded, out int length)
    {
        length = coded ^ (coded >> 31);
        return coded >= 0;
    }

    /// <summary>Copies a key's value: its length when copied, otherwise ~length (~0 when missing, ~needed when too small).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ReadValue(byte* paddedKey, ulong hash, Span<byte> destination)
    {
        if (StoreFormat.MappingReadsSupported && _mapped.TryReadValueFast(paddedKey, hash, destination, out int length))
        {
            return length;
        }

        return ReadValueSlow(paddedKey, hash, destination);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int ReadValueSlow(byte* paddedKey, ulong hash, Span<byte> destination)
    {
        ReadDiagnostics.SlowReads++;
        var copy = new MappedStore.CopyInto(destination);
        return ReadStable<MappedStore.CopyInto, int>(paddedKey, hash, ref copy, out int coded) ? coded : ~0;
    }

    /// <summary>
    /// A stable read of a key's value handed to <paramref name="consumer"/> (see <see cref="MappedStore.ReadStable"/>):
    /// false when the key is missing.
    /// </summary>
    internal bool ReadStable<TConsumer, TResult>(byte* paddedKey, ulong hash, ref TConsumer consumer, out TResult result)
        where TConsumer : IValueConsumer<TResult>, allows ref struct =>
        StoreFormat.MappingReadsSupported
            ? _mapped.ReadStable<TConsumer, TResult>(paddedKey, hash, ref consumer, out result, _contentionBudget, Name)
            : LibraryReads.ReadStable<TConsumer, TResult>(this, paddedKey, ref consumer, out result);

    /// <summary>A key's slot epoch (odd while a writer is inside) or 0 when the key is missing, like splinter_get_epoch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadEpoch(byte* paddedKey, ulong hash)
    {
        if (StoreFormat.MappingReadsSupported && _mapped.TryReadEpochFast(paddedKey, hash, out ulong epoch))
        {
            return epoch;
        }

        return ReadEpochSlow(paddedKey, hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadEpochSlow(byte* paddedKey, ulong hash)
    {
        if (StoreFormat.MappingReadsSupported)
        {
            return _mapped.TryReadEpochProbed(paddedKey, hash, out ulong epoch) ? epoch : _mapped.ReadEpoch(paddedKey, hash, Name);
        }

        return LibraryReads.ReadEpoch(this, paddedKey);
    }

    /// <summary>Index of the slot holding a key (see <see cref="MappedStore.Find"/>), or -1; a hint that can be stale at once.</summary>
    internal int SlotIndexOf(byte* paddedKey, ulong hash)
    {
        splinter_slot* slot = _mapped.Find(paddedKey, hash);
        return slot == null ? -1 : _mapped.IndexOf(slot);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfClosed() => _mapped.ThrowIfClosed(Name);
}
