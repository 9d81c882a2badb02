using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Values: set, get (copying and size query), epoch, contains, remove, append.</content>
public sealed unsafe partial class SplinterStore
{
    private const int StackValueLimit = 512;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---- Set ------------------------------------------------------------------------------

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> (1..MaxValueSize bytes), inserting the key if needed.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value bytes.</param>
    /// <exception cref="ArgumentException">Bad key, or an empty value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is longer than <see cref="MaxValueSize"/>.</exception>
    /// <exception cref="SplinterStoreFullException">No free slot for a new key.</exception>
    /// <exception cref="SplinterContentionException">The key's slot stayed busy.</exception>
    [SkipLocalsInit]
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        KeyBuffer buffer;
        byte* bytes = KeyBytes.ForSet(key, &buffer, out int length, out ulong hash);
        SetCore(bytes, length, hash, value);
    }

    /// <summary>Writes <paramref name="value"/> under a UTF-8 key.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="value">The value bytes.</param>
    [SkipLocalsInit]
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        KeyBuffer buffer;
        SetCore(KeyBytes.FromUtf8(key, &buffer), key.Length, StoreFormat.Hash(key), value);
    }

    /// <summary>Writes <paramref name="value"/> under a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value bytes.</param>
    public void Set(SplinterKey key, ReadOnlySpan<byte> value)
    {
        byte* bytes = key.Pointer;
        int result = TrySetGated(_gate.Pointer, bytes, SplinterKey.LengthAt(bytes), SplinterKey.HashAt(bytes), value);
        if (result != 0)
        {
            // The address again from the key (one add), so that only the key, not its address too, is kept across the call.
            SetSlow(key.Pointer, value, result);
        }

        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Writes a string value (UTF-8) under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; encoded as UTF-8 (a lone surrogate is an error).</param>
    [SkipLocalsInit]
    public void Set(string key, string value)
    {
        KeyBuffer buffer;
        byte* bytes = KeyBytes.ForSet(key, &buffer, out int length, out ulong hash);
        SetStringCore(bytes, length, hash, value);
    }

    /// <summary>Writes a string value (UTF-8) under a UTF-8 key.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="value">The value; encoded as UTF-8.</param>
    [SkipLocalsInit]
    public void Set(ReadOnlySpan<byte> key, string value)
    {
        KeyBuffer buffer;
        SetStringCore(KeyBytes.FromUtf8(key, &buffer), key.Length, StoreFormat.Hash(key), value);
    }

    /// <summary>Writes a string value (UTF-8) under a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; encoded as UTF-8.</param>
    public void Set(SplinterKey key, string value)
    {
        byte* bytes = key.Pointer;
        SetStringCore(bytes, SplinterKey.LengthAt(bytes), SplinterKey.HashAt(bytes), value);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Set with the key's byte length and hash (the gated call passes them on, see <see cref="GatedSet"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetCore(byte* key, int keyLength, ulong hash, ReadOnlySpan<byte> value)
    {
        int result = TrySetGated(_gate.Pointer, key, keyLength, hash, value);
        if (result != 0)
        {
            SetSlow(key, value, result);
        }
    }

    /// <summary>True when this store's sets hand the key's hash to the library (it exports splinter_set_hashed; see <see cref="HotCallGate.HashedSetOf"/>).</summary>
    internal bool SetsPassHashes => _gate.PassesHashes;

    /// <summary>What <see cref="TrySetGated"/> answers for a set that must take <see cref="SetSlow"/> without a gated call.</summary>
    private const int NotGated = int.MinValue; // no result of a gated call: libsplinter's set returns 0, -1 or -2, the closed gate SPLINTER_SHIM_GATE_CLOSED

    /// <summary>
    /// Set's fast path: the gated call for 1..MaxValueSize bytes on a gated store while local writes are not signalled.
    /// Returns 0 when the value is written (no OnLocalWrite: while it has work to do, the gate's SetLimit is 0, see
    /// <see cref="HotCallGate.SignalLocalWrites"/>); otherwise what <see cref="SetSlow"/> takes: the gated call's failure, or
    /// <see cref="NotGated"/> (0 or too many bytes, a store whose values are too large for gated calls, signalled writes).
    /// The callers pass <c>_gate.Pointer</c> as the first argument: read before the key, it is also the store's null
    /// check (otherwise the JIT adds one to a caller's loop, to order a NullReferenceException before the key's check).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int TrySetGated(SplinterShim_gate* gate, byte* key, int keyLength, ulong hash, ReadOnlySpan<byte> value)
    {
        if ((uint)value.Length - 1 < _gate.SetLimit)
        {
            int result = GatedSet(gate, key, keyLength, hash, value);
            GC.KeepAlive(this); // the store (and its gate) outlive the native call
            return result;
        }

        return NotGated;
    }

    /// <summary>
    /// The gated call with the value pinned: the library's splinter_set_hashed (our extension) with the key's length and
    /// hash, so the library does not hash the key (a SplinterKey keeps both; a string or UTF-8 key is hashed from its
    /// encoded bytes), or splinter_set for a library without it (see the shim's gate). Its own method with
    /// SkipLocalsInit and the call inside the fixed block: inlined into a caller's loop, RyuJIT then no longer zeroes the
    /// pinned local right before every pin (it honours an inlinee's localsinit at each inline entry; 2 instructions per
    /// set, callgrind). SkipLocalsInit on a larger inlinee instead moved the zeroing to the end of the inline.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    private static int GatedSet(SplinterShim_gate* gate, byte* key, int keyLength, ulong hash, ReadOnlySpan<byte> value)
    {
        fixed (byte* data = &MemoryMarshal.GetReference(value)) // not empty (the caller checked), so never NULL
        {
            return LibSplinterShim.SplinterShim_gated_set_hashed((sbyte*)key, (nuint)keyLength, hash, data, (nuint)value.Length, gate);
        }
    }

    /// <summary>Set's slow path: a failed gated call, or <see cref="NotGated"/> (see <see cref="TrySetGated"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SetSlow(byte* key, ReadOnlySpan<byte> value, int gatedResult)
    {
        if (gatedResult == LibSplinterShim.SPLINTER_SHIM_GATE_CLOSED)
        {
            StoreErrors.ThrowDisposed(Name);
        }

        // 0 or more than the limit: libsplinter answers both with a bare -1, like "full".
        if ((uint)value.Length - 1 >= MaxValueSize)
        {
            StoreErrors.ThrowValueLength(value.Length, MaxValueSize, nameof(value));
        }

        using (Lease())
        {
            fixed (byte* data = &MemoryMarshal.GetReference(value))
            {
                int result = gatedResult != NotGated ? gatedResult : _api.splinter_set((sbyte*)key, data, (nuint)value.Length);
                if (result != 0)
                {
                    SetFailed(key, data, value.Length, result);
                }
            }
        }

        OnLocalWrite(-1);
    }

    private void SetFailed(byte* key, byte* data, int length, int result)
    {
        // -1 with a valid length: no slot could be acquired. The library skips a busy slot, the key's own too, so a
        // key that exists was busy (its writer may be done by now, so the epoch's parity proves nothing): retry. A key
        // that does not exist found every slot holding another key: the store is full.
        ContentionRetry retry = default;
        while (result == -1)
        {
            ulong epoch = _api.splinter_get_epoch((sbyte*)key);
            if (epoch == 0)
            {
                StoreErrors.ThrowStoreFull(key, SlotCount);
            }

            if (!retry.Wait(_contentionBudget))
            {
                StoreErrors.ThrowContention(key, epoch);
            }

            result = _api.splinter_set((sbyte*)key, data, (nuint)length);
        }

        if (result != 0)
        {
            StoreErrors.Throw("Set", result, 0, key);
        }
    }

    [SkipLocalsInit]
    private void SetStringCore(byte* key, int keyLength, ulong hash, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if ((uint)value.Length > MaxValueSize)
        {
            // Every char is at least one UTF-8 byte: too long whatever the encoding.
            StoreErrors.ThrowStringValueLength(value.Length, MaxValueSize, nameof(value));
        }

        int maxBytes = StrictUtf8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxBytes <= StackValueLimit
            ? stackalloc byte[StackValueLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            int written = StrictUtf8.GetBytes(value, buffer);
            SetCore(key, keyLength, hash, buffer.Slice(0, written));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // ---- TryGet / Get / GetString ---------------------------------------------------------

    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="destination"/> without allocating.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Where to copy the value.</param>
    /// <param name="length">The value's length: the bytes copied on success; when false, 0 if the key is missing or the
    /// needed size (greater than destination.Length) if the destination is too small.</param>
    /// <returns>True if the value was copied.</returns>
    [SkipLocalsInit]
    public bool TryGet(string key, Span<byte> destination, out int length)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return DecodeRead(ReadValue(padded, hash, destination), out length);
    }

    /// <summary>Copies the value of a UTF-8 key into <paramref name="destination"/>; see <see cref="TryGet(string, Span{byte}, out int)"/>.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="destination">Where to copy the value.</param>
    /// <param name="length">The value's length (see the string overload).</param>
    /// <returns>True if the value was copied.</returns>
    [SkipLocalsInit]
    public bool TryGet(ReadOnlySpan<byte> key, Span<byte> destination, out int length)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return DecodeRead(ReadValue(padded, hash, destination), out length);
    }

    /// <summary>Copies the value of a pre-encoded key into <paramref name="destination"/>; see <see cref="TryGet(string, Span{byte}, out int)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Where to copy the value.</param>
    /// <param name="length">The value's length (see the string overload).</param>
    /// <returns>True if the value was copied.</returns>
    public bool TryGet(SplinterKey key, Span<byte> destination, out int length)
    {
        byte* padded = key.Pointer;
        int coded = ReadValue(padded, SplinterKey.HashAt(padded), destination);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the read
        return DecodeRead(coded, out length);
    }

    /// <summary>Reads the length of a key's value without copying it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    [SkipLocalsInit]
    public bool TryGetLength(string key, out int length)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryGetLengthCore(padded, hash, out length);
    }

    /// <summary>Reads the length of a UTF-8 key's value without copying it.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    [SkipLocalsInit]
    public bool TryGetLength(ReadOnlySpan<byte> key, out int length)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryGetLengthCore(padded, hash, out length);
    }

    /// <summary>Reads the length of a pre-encoded key's value without copying it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    public bool TryGetLength(SplinterKey key, out int length)
    {
        byte* padded = key.Pointer;
        bool answer = TryGetLengthCore(padded, SplinterKey.HashAt(padded), out length);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>
    /// Reads a value's length and slot epoch in one call without copying anything
    /// (splinter_get_raw_ptr; the pointer itself is not exposed). The epoch may be odd while a
    /// writer is inside the slot.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <param name="epoch">The slot epoch, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    [SkipLocalsInit]
    public bool TryPeek(string key, out int length, out ulong epoch)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryPeekCore(padded, hash, out length, out epoch);
    }

    /// <summary>Reads a UTF-8 key's value length and slot epoch without copying.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <param name="epoch">The slot epoch, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    [SkipLocalsInit]
    public bool TryPeek(ReadOnlySpan<byte> key, out int length, out ulong epoch)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryPeekCore(padded, hash, out length, out epoch);
    }

    /// <summary>Reads a pre-encoded key's value length and slot epoch without copying.</summary>
    /// <param name="key">The key.</param>
    /// <param name="length">The value length, 0 when missing.</param>
    /// <param name="epoch">The slot epoch, 0 when missing.</param>
    /// <returns>True if the key exists.</returns>
    public bool TryPeek(SplinterKey key, out int length, out ulong epoch)
    {
        byte* padded = key.Pointer;
        bool answer = TryPeekCore(padded, SplinterKey.HashAt(padded), out length, out epoch);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Returns a copy of the value, or null when the key does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value bytes or null.</returns>
    [SkipLocalsInit]
    public byte[]? Get(string key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return GetCore(padded, hash);
    }

    /// <summary>Returns a copy of the value of a UTF-8 key, or null when it does not exist.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <returns>The value bytes or null.</returns>
    [SkipLocalsInit]
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return GetCore(padded, hash);
    }

    /// <summary>Returns a copy of the value of a pre-encoded key, or null when it does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value bytes or null.</returns>
    public byte[]? Get(SplinterKey key)
    {
        byte* padded = key.Pointer;
        byte[]? answer = GetCore(padded, SplinterKey.HashAt(padded));
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Returns the value decoded as UTF-8, or null when the key does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The decoded value or null.</returns>
    [SkipLocalsInit]
    public string? GetString(string key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return GetStringCore(padded, hash);
    }

    /// <summary>Returns the value of a UTF-8 key decoded as UTF-8, or null when it does not exist.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <returns>The decoded value or null.</returns>
    [SkipLocalsInit]
    public string? GetString(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return GetStringCore(padded, hash);
    }

    /// <summary>Returns the value of a pre-encoded key decoded as UTF-8, or null when it does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The decoded value or null.</returns>
    public string? GetString(SplinterKey key)
    {
        byte* padded = key.Pointer;
        string? answer = GetStringCore(padded, SplinterKey.HashAt(padded));
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    // ---- Epoch / Contains / Remove / Append -----------------------------------------------

    /// <summary>Returns the key's slot epoch (odd while a writer is inside), or 0 when the key does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot epoch or 0.</returns>
    [SkipLocalsInit]
    public ulong GetEpoch(string key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return ReadEpoch(padded, hash);
    }

    /// <summary>Returns a UTF-8 key's slot epoch, or 0 when it does not exist.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <returns>The slot epoch or 0.</returns>
    [SkipLocalsInit]
    public ulong GetEpoch(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return ReadEpoch(padded, hash);
    }

    /// <summary>Returns a pre-encoded key's slot epoch, or 0 when it does not exist.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The slot epoch or 0.</returns>
    public ulong GetEpoch(SplinterKey key)
    {
        byte* padded = key.Pointer;
        ulong epoch = ReadEpoch(padded, SplinterKey.HashAt(padded));
        GC.KeepAlive(key.Owner); // the key's bytes outlive the read
        return epoch;
    }

    /// <summary>Tells whether the key exists.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if it exists.</returns>
    public bool Contains(string key) => GetEpoch(key) != 0;

    /// <summary>Tells whether a UTF-8 key exists.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <returns>True if it exists.</returns>
    public bool Contains(ReadOnlySpan<byte> key) => GetEpoch(key) != 0;

    /// <summary>Tells whether a pre-encoded key exists.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if it exists.</returns>
    public bool Contains(SplinterKey key) => GetEpoch(key) != 0;

    /// <summary>Removes the key. Note: libsplinter does not pulse signal groups, notify the event bus or advance the store epoch for removals.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if it existed.</returns>
    [SkipLocalsInit]
    public bool Remove(string key)
    {
        KeyBuffer buffer;
        return RemoveCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Removes a UTF-8 key.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <returns>True if it existed.</returns>
    [SkipLocalsInit]
    public bool Remove(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        return RemoveCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Removes a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True if it existed.</returns>
    public bool Remove(SplinterKey key)
    {
        bool answer = RemoveCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Appends bytes to an existing value and returns the new length.</summary>
    /// <param name="key">The key.</param>
    /// <param name="data">The bytes to append (at least one).</param>
    /// <returns>The new value length.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="ArgumentException">Empty data, or the result would exceed <see cref="MaxValueSize"/> (the value is unchanged).</exception>
    [SkipLocalsInit]
    public int Append(string key, ReadOnlySpan<byte> data)
    {
        KeyBuffer buffer;
        return AppendCore(KeyBytes.FromString(key, &buffer), data);
    }

    /// <summary>Appends bytes to the value of a UTF-8 key and returns the new length.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="data">The bytes to append.</param>
    /// <returns>The new value length.</returns>
    [SkipLocalsInit]
    public int Append(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        KeyBuffer buffer;
        return AppendCore(KeyBytes.FromUtf8(key, &buffer), data);
    }

    /// <summary>Appends bytes to the value of a pre-encoded key and returns the new length.</summary>
    /// <param name="key">The key.</param>
    /// <param name="data">The bytes to append.</param>
    /// <returns>The new value length.</returns>
    public int Append(SplinterKey key, ReadOnlySpan<byte> data)
    {
        int answer = AppendCore(key.Pointer, data);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    private bool TryGetLengthCore(byte* paddedKey, ulong hash, out int length)
    {
        var measure = new LengthOf();
        bool found = ReadStable<LengthOf, int>(paddedKey, hash, ref measure, out length);
        return found;
    }

    private byte[]? GetCore(byte* paddedKey, ulong hash)
    {
        var copy = new CopyToArray();
        return ReadStable<CopyToArray, byte[]>(paddedKey, hash, ref copy, out byte[] value) ? value : null;
    }

    private string? GetStringCore(byte* paddedKey, ulong hash)
    {
        var decode = new DecodeUtf8();
        return ReadStable<DecodeUtf8, string>(paddedKey, hash, ref decode, out string value) ? value : null;
    }

    private bool TryPeekCore(byte* paddedKey, ulong hash, out int length, out ulong epoch)
    {
        var peek = new LengthAndEpoch();
        if (ReadStable<LengthAndEpoch, (int Length, ulong Epoch)>(paddedKey, hash, ref peek, out var answer))
        {
            (length, epoch) = answer;
            return true;
        }

        length = 0;
        epoch = 0;
        return false;
    }

    /// <summary>A value's length.</summary>
    private readonly struct LengthOf : IValueConsumer<int>
    {
        public int Consume(ReadOnlySpan<byte> value, ulong epoch) => value.Length;
    }

    /// <summary>A value's length and the epoch of the stable pass.</summary>
    private readonly struct LengthAndEpoch : IValueConsumer<(int Length, ulong Epoch)>
    {
        public (int Length, ulong Epoch) Consume(ReadOnlySpan<byte> value, ulong epoch) => (value.Length, epoch);
    }

    /// <summary>A copy of a value.</summary>
    private readonly struct CopyToArray : IValueConsumer<byte[]>
    {
        public byte[] Consume(ReadOnlySpan<byte> value, ulong epoch) => value.ToArray();
    }

    /// <summary>A value decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    private readonly struct DecodeUtf8 : IValueConsumer<string>
    {
        public string Consume(ReadOnlySpan<byte> value, ulong epoch) => Encoding.UTF8.GetString(value);
    }

    private bool RemoveCore(byte* key)
    {
        using (Lease())
        {
            var call = new NativeCall(this, "Remove", key, ResultConvention.ErrnoDecides);
            int result, error;
            do
            {
                error = 0;
                result = _api.splinter_unset_errno((sbyte*)key, &error);
            }
            while (call.Again(result, error));

            if (call.Outcome == NativeOutcome.Missing)
            {
                return false;
            }

            OnLocalWrite(-1);
            return true;
        }
    }

    private int AppendCore(byte* key, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new ArgumentException("Nothing to append: the data is empty.", nameof(data));
        }

        if ((uint)data.Length > MaxValueSize)
        {
            StoreErrors.ThrowValueLength(data.Length, MaxValueSize, nameof(data));
        }

        using (Lease())
        {
            fixed (byte* bytes = data)
            {
                var call = new NativeCall(this, "Append", key, ResultConvention.ErrnoDecides);
                int result, error;
                nuint newLength;
                do
                {
                    error = 0;
                    newLength = 0;
                    result = _api.splinter_append_errno((sbyte*)key, bytes, (nuint)data.Length, &newLength, &error);
                    if (result == -1 && error == Errno.EMSGSIZE)
                    {
                        throw new ArgumentException(
                            $"Appending {data.Length} bytes to '{KeyBytes.Decode(key)}' would exceed the store's limit of {MaxValueSize} bytes per value; the value is unchanged.",
                            nameof(data));
                    }
                }
                while (call.Again(result, error));

                call.ThrowIfMissing();
                OnLocalWrite(-1);
                return (int)newLength;
            }
        }
    }
}
