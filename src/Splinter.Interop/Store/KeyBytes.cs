using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.Unicode;

namespace Splinter.Interop.Store;

/// <summary>Room for one NUL-terminated key (63 bytes + NUL), or its zero-padded 64-byte form, on the caller's stack.</summary>
[InlineArray(KeyBytes.BufferSize)]
internal struct KeyBuffer
{
    private byte _element0;
}

/// <summary>Validation and encoding of keys: UTF-8, 1..63 bytes, no NUL, no lone surrogate.</summary>
internal static unsafe class KeyBytes
{
    /// <summary>Largest key in bytes (the key field less its NUL).</summary>
    public const int MaxByteCount = StoreFormat.MaxKeyBytes;

    /// <summary>Key bytes plus the terminating NUL: the size of a slot's key field, so a KeyBuffer holds its padded form.</summary>
    public const int BufferSize = StoreFormat.KeyFieldSize;

    /// <summary>
    /// Encodes and validates a string key for a lookup in the mapping: NUL-terminated and zero-padded to
    /// <see cref="BufferSize"/> bytes in <paramref name="buffer"/> (the form <see cref="MappedStore.Find"/> takes), with its hash.
    /// </summary>
    /// <remarks>
    /// A lookup loads the padded key right after this wrote it, so how it is written decides whether those loads can take
    /// their bytes from the pending stores. They can when each load reads exactly what one store wrote; a load that spans
    /// several narrower stores waits until they have reached the cache (a store-forwarding stall: GetEpoch(string) took
    /// 12.6-14.4 ns with a cleared buffer and a copy over it, 10.1-10.3 ns this way, measured side by side with the
    /// mask of <see cref="MappedStore.StartSlot"/> in both). So keys of up to 32 ASCII characters are assembled in registers and written
    /// with the compare's own widths (<see cref="StorePadded"/>), and their hash is taken from the string's characters,
    /// not from the buffer. Longer and non-ASCII keys clear the buffer and copy into it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* ForLookup(string? key, KeyBuffer* buffer, out ulong hash, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        if (key is null)
        {
            ThrowNull(paramName);
        }

        byte* padded = (byte*)buffer;
        int length = key.Length;
        if ((uint)(length - 1) < MaxByteCount && TryGatherAscii(key, length, out Vector128<byte> low, out Vector128<byte> high))
        {
            StorePadded(padded, low, high);
            hash = StoreFormat.Hash(key, length);
            return padded;
        }

        // A key TryGatherAscii could take that it refused is not ASCII (or has a NUL): no second ASCII pass for it.
        ClearPadded(buffer);
        if ((uint)(length - 1) >= MaxByteCount || length <= GatherLimit || !TryCopyAscii(key, padded, length))
        {
            // Encode writes at least one byte per character, so it overwrites whatever a failed ASCII copy left.
            length = Encode(key, new Span<byte>(padded, MaxByteCount), paramName);
        }

        hash = StoreFormat.Hash(padded, length);
        return padded;
    }

    /// <summary>
    /// The longest key <see cref="TryGatherAscii"/> builds in registers (its length tests): 32 characters with 16-byte
    /// vectors, else 8 (one 64-bit register). Only the refused keys' path reads it, to skip a second ASCII pass.
    /// </summary>
    private static int GatherLimit => Vector128.IsHardwareAccelerated ? 2 * Vector128<byte>.Count : sizeof(ulong);

    /// <summary>
    /// The first 32 bytes of the padded form of a key of 1..32 characters that are all ASCII 1..127, in two registers
    /// (the key's bytes, then zeros); false for a longer key, a non-ASCII character or a NUL. Up to 7 characters are
    /// gathered one by one; 8..16 as the first eight and the last eight, 17..32 as the first sixteen and the last
    /// sixteen (overlapping reads, never past the string), the overlap shuffled away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryGatherAscii(string key, int length, out Vector128<byte> low, out Vector128<byte> high)
    {
        low = high = Vector128<byte>.Zero;
        ref ushort source = ref Unsafe.As<char, ushort>(ref Unsafe.AsRef(in key.GetPinnableReference()));
        if (length < Vector128<ushort>.Count || !Vector128.IsHardwareAccelerated)
        {
            if (length > sizeof(ulong))
            {
                return false;
            }

            ulong gathered = 0;
            for (int i = 0; i < length; i++)
            {
                uint c = Unsafe.Add(ref source, i);
                if (c - 1 >= 0x7F)
                {
                    return false;
                }

                gathered |= (ulong)c << (8 * i);
            }

            low = Vector128.CreateScalar(gathered).AsByte();
            return true;
        }

        if (length <= Vector128<byte>.Count)
        {
            Vector128<byte> ends = NarrowAscii(
                Vector128.LoadUnsafe(ref source),
                Vector128.LoadUnsafe(ref source, (nuint)(length - Vector128<ushort>.Count)));
            if (!IsAscii(ends))
            {
                return false;
            }

            // Bytes 0..7 are in place; the last eight move from 8..15 to length-8..length-1, zeros after them.
            low = Shuffle(ends, Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(EndsShuffle), (nuint)((length - Vector128<ushort>.Count) * Vector128<byte>.Count)));
            return true;
        }

        if (length <= 2 * Vector128<byte>.Count)
        {
            Vector128<byte> first = NarrowAscii(Vector128.LoadUnsafe(ref source), Vector128.LoadUnsafe(ref source, (nuint)Vector128<ushort>.Count));
            Vector128<byte> last = NarrowAscii(
                Vector128.LoadUnsafe(ref source, (nuint)(length - Vector128<byte>.Count)),
                Vector128.LoadUnsafe(ref source, (nuint)(length - Vector128<ushort>.Count)));
            if (!IsAscii(Vector128.Min(first.AsSByte(), last.AsSByte()).AsByte()))
            {
                return false;
            }

            // The last sixteen hold key bytes length-16..length-1; the upper half needs 16..length-1, zeros after them.
            low = first;
            high = Shuffle(last, Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(ShuffleWindow), (nuint)((2 * Vector128<byte>.Count) - length)));
            return true;
        }

        return false;
    }

    /// <summary>
    /// Shuffle indices: 0..15, then 16 that select a zero. The sixteen from offset k move bytes k..15 of a register down
    /// to 0..15-k and zero the rest (the upper half of a key of 17..32 characters).
    /// </summary>
    private static ReadOnlySpan<byte> ShuffleWindow =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    ];

    /// <summary>
    /// Shuffle indices for keys of 8..16 characters, a row of sixteen per length: bytes 0..7 stay, the last eight
    /// (in 8..15) move to length-8..length-1, and zeros follow.
    /// </summary>
    private static ReadOnlySpan<byte> EndsShuffle =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // 8
        0, 1, 2, 3, 4, 5, 6, 7, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // 9
        0, 1, 2, 3, 4, 5, 6, 7, 14, 15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, // 10
        0, 1, 2, 3, 4, 5, 6, 7, 13, 14, 15, 0x80, 0x80, 0x80, 0x80, 0x80, // 11
        0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0x80, 0x80, 0x80, 0x80, // 12
        0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15, 0x80, 0x80, 0x80, // 13
        0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 0x80, 0x80, // 14
        0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 0x80, // 15
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, // 16
    ];

    /// <summary>Byte i of the result is byte index[i] of <paramref name="bytes"/>, or 0 when index[i] is 0x80.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Shuffle(Vector128<byte> bytes, Vector128<byte> index) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(bytes, index) : Vector128.Shuffle(bytes, index); // 0x80 is out of range for both: 0

    /// <summary>
    /// Writes the padded key from its first 32 bytes (<paramref name="low"/>, <paramref name="high"/>) and 32 zeros, with
    /// the stores <see cref="MappedStore.PaddedKeyMatches"/> loads it with, so its loads are forwarded from them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePadded(byte* padded, Vector128<byte> low, Vector128<byte> high)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256.Create(low, high).Store(padded);
            Vector256<byte>.Zero.Store(padded + 32);
        }
        else
        {
            low.Store(padded);
            high.Store(padded + 16);
            Vector128<byte>.Zero.Store(padded + 32);
            Vector128<byte>.Zero.Store(padded + 48);
        }
    }

    /// <summary>The UTF-8 form of <see cref="ForLookup(string?, KeyBuffer*, out ulong, string?)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* ForLookup(ReadOnlySpan<byte> key, KeyBuffer* buffer, out ulong hash, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        ClearPadded(buffer);
        byte* padded = FromUtf8(key, buffer, paramName);
        hash = StoreFormat.Hash(key);
        return padded;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ClearPadded(KeyBuffer* buffer)
    {
        byte* bytes = (byte*)buffer;
        int size = BufferSize; // a local, not the constant: the other branches stay reachable for the compiler
        if (size != 64)
        {
            new Span<byte>(bytes, size).Clear();
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256.Store(Vector256<byte>.Zero, bytes);
            Vector256.Store(Vector256<byte>.Zero, bytes + 32);
        }
        else
        {
            Vector128.Store(Vector128<byte>.Zero, bytes);
            Vector128.Store(Vector128<byte>.Zero, bytes + 16);
            Vector128.Store(Vector128<byte>.Zero, bytes + 32);
            Vector128.Store(Vector128<byte>.Zero, bytes + 48);
        }
    }

    /// <summary>Encodes and validates a string key for a write: the NUL-terminated bytes in <paramref name="buffer"/>, their count and their hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* ForSet(string? key, KeyBuffer* buffer, out int byteCount, out ulong hash, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        byte* bytes = FromString(key, buffer, out byteCount, out bool ascii, paramName);

        // An ASCII key is hashed from its characters, not from the bytes just copied: everything the set does next
        // waits for the hash, and the characters are there before the copy is (a load of the copy waits for its
        // store). Pinning the string costs 6 instructions (308.5 instead of 302 per set under callgrind); the set took
        // 23.1-24.4 instead of 25.2-27.4 ns (bench's store-times mode, builds alternating, four placements of the code).
        hash = ascii ? StoreFormat.Hash(key!, byteCount) : StoreFormat.Hash(bytes, byteCount);
        return bytes;
    }

    /// <summary>Encodes and validates a string key into <paramref name="buffer"/>; returns the NUL-terminated bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* FromString(string? key, KeyBuffer* buffer, [CallerArgumentExpression(nameof(key))] string? paramName = null) =>
        FromString(key, buffer, out _, paramName);

    /// <summary>Encodes and validates a string key into <paramref name="buffer"/>; returns the NUL-terminated bytes and their count (without the NUL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* FromString(string? key, KeyBuffer* buffer, out int byteCount, string? paramName) =>
        FromString(key, buffer, out byteCount, out _, paramName);

    /// <summary>The same, and whether the key was all ASCII (its bytes are its characters, narrowed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* FromString(string? key, KeyBuffer* buffer, out int byteCount, out bool ascii, string? paramName)
    {
        if (key is null)
        {
            ThrowNull(paramName);
        }

        byte* destination = (byte*)buffer;
        int length = key.Length;
        if ((uint)(length - 1) < MaxByteCount && TryCopyAscii(key, destination, length))
        {
            destination[length] = 0;
            byteCount = length;
            ascii = true;
            return destination;
        }

        int written = Encode(key, new Span<byte>(destination, MaxByteCount), paramName);
        destination[written] = 0;
        byteCount = written;
        ascii = false;
        return destination;
    }

    /// <summary>
    /// The common case: copies 1..63 characters that are all ASCII 1..127 (no NUL) as bytes, without their NUL; false
    /// when any character is not, leaving the general path to validate and encode (bytes already copied are then
    /// overwritten by it). Eight or more characters go sixteen at a time (the last block overlaps the one before), each
    /// block narrowed with saturation and checked in one compare: a character outside 1..127 becomes a byte that is not
    /// positive as a signed byte. The string is read through a reference, not pinned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryCopyAscii(string key, byte* destination, int length)
    {
        ref ushort source = ref Unsafe.As<char, ushort>(ref Unsafe.AsRef(in key.GetPinnableReference()));
        if (length >= Vector128<ushort>.Count && Vector128.IsHardwareAccelerated)
        {
            if (length <= 2 * Vector128<ushort>.Count)
            {
                // 8..16 characters: the first eight and the last eight (overlapping), one narrowing, two 8-byte stores.
                Vector128<byte> packed = NarrowAscii(
                    Vector128.LoadUnsafe(ref source),
                    Vector128.LoadUnsafe(ref source, (nuint)(length - Vector128<ushort>.Count)));
                if (!IsAscii(packed))
                {
                    return false;
                }

                *(ulong*)destination = packed.AsUInt64().ToScalar();
                *(ulong*)(destination + length - Vector128<ushort>.Count) = packed.AsUInt64().GetElement(1);
                return true;
            }

            for (int i = 0; ; i += Vector128<byte>.Count)
            {
                if (i > length - Vector128<byte>.Count)
                {
                    i = length - Vector128<byte>.Count;
                }

                Vector128<byte> packed = NarrowAscii(
                    Vector128.LoadUnsafe(ref source, (nuint)i),
                    Vector128.LoadUnsafe(ref source, (nuint)(i + Vector128<ushort>.Count)));
                if (!IsAscii(packed))
                {
                    return false;
                }

                packed.Store(destination + i);
                if (i == length - Vector128<byte>.Count)
                {
                    return true;
                }
            }
        }

        for (int i = 0; i < length; i++)
        {
            uint c = Unsafe.Add(ref source, i);
            if (c - 1 >= 0x7F)
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        return true;
    }

    /// <summary>Sixteen UTF-16 code units as bytes, each saturated to 0..255 (above 0x7FFF: 0 or 255, either not ASCII).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NarrowAscii(Vector128<ushort> low, Vector128<ushort> high) =>
        Sse2.IsSupported
            ? Sse2.PackUnsignedSaturate(low.AsInt16(), high.AsInt16()) // signed saturation: above 0x7FFF gives 0, 0x100..0x7FFF gives 255
            : Vector128.NarrowWithSaturation(low, high);

    /// <summary>True when every byte is 1..127: positive as a signed byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAscii(Vector128<byte> packed) => Vector128.GreaterThanAll(packed.AsSByte(), Vector128<sbyte>.Zero);

    /// <summary>Validates UTF-8 key bytes and copies them NUL-terminated into <paramref name="buffer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* FromUtf8(ReadOnlySpan<byte> key, KeyBuffer* buffer, [CallerArgumentExpression(nameof(key))] string? paramName = null)
    {
        Validate(key, paramName);
        byte* destination = (byte*)buffer;
        key.CopyTo(new Span<byte>(destination, MaxByteCount));
        destination[key.Length] = 0;
        return destination;
    }

    /// <summary>Encodes <paramref name="key"/> into <paramref name="destination"/> (63 bytes), validating it; returns the byte count.</summary>
    public static int Encode(ReadOnlySpan<char> key, Span<byte> destination, string? paramName)
    {
        if (key.IsEmpty)
        {
            ThrowEmpty(paramName);
        }

        OperationStatus status = Utf8.FromUtf16(key, destination, out int charsRead, out int written, replaceInvalidSequences: false, isFinalBlock: true);
        if (status != OperationStatus.Done)
        {
            ThrowEncodingFailure(key, status, charsRead, paramName);
        }

        if (destination.Slice(0, written).Contains((byte)0))
        {
            ThrowNulInside(destination.Slice(0, written).IndexOf((byte)0), paramName);
        }

        return written;
    }

    /// <summary>Throws the matching ArgumentException unless <paramref name="key"/> is 1..63 bytes of valid UTF-8 without NUL.</summary>
    public static void Validate(ReadOnlySpan<byte> key, string? paramName)
    {
        if (key.IsEmpty)
        {
            ThrowEmpty(paramName);
        }

        if (key.Length > MaxByteCount)
        {
            ThrowTooLong(key.Length, paramName);
        }

        int nul = key.IndexOf((byte)0);
        if (nul >= 0)
        {
            ThrowNulInside(nul, paramName);
        }

        if (!Utf8.IsValid(key))
        {
            throw new ArgumentException("The key is not valid UTF-8.", paramName);
        }
    }

    /// <summary>Decodes a NUL-terminated key of at most 64 bytes (for messages and listings).</summary>
    public static string Decode(byte* key)
    {
        var bytes = new ReadOnlySpan<byte>(key, BufferSize);
        int length = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(length < 0 ? bytes : bytes.Slice(0, length));
    }

    private static void ThrowEncodingFailure(ReadOnlySpan<char> key, OperationStatus status, int charsRead, string? paramName)
    {
        if (status == OperationStatus.InvalidData)
        {
            throw new ArgumentException(
                $"The key contains a lone UTF-16 surrogate (U+{(int)key[charsRead]:X4} at index {charsRead}); it has no UTF-8 encoding.",
                paramName);
        }

        // DestinationTooSmall: the key needs more than 63 bytes. Count them for the message.
        ThrowTooLong(Encoding.UTF8.GetByteCount(key), paramName);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNull(string? paramName) => throw new ArgumentNullException(paramName, "A key is required.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowEmpty(string? paramName) => throw new ArgumentException("The key is empty; keys are 1 to 63 UTF-8 bytes.", paramName);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowTooLong(int byteCount, string? paramName) => throw new ArgumentException(
        $"The key is {byteCount} UTF-8 bytes long; libsplinter keys hold at most {MaxByteCount} bytes (longer keys are silently truncated by the library and can never be found again).",
        paramName);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNulInside(int index, string? paramName) => throw new ArgumentException(
        $"The key contains a NUL character at byte {index}; keys are NUL-terminated C strings.", paramName);
}
