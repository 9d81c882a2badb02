using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// A validated, pre-encoded store key: 1..63 UTF-8 bytes without NUL, kept NUL-terminated and pinned for reuse, with
/// its hash in the store format, so reads with it skip the per-call hashing that string keys (and C callers) pay.
/// </summary>
public readonly struct SplinterKey : IEquatable<SplinterKey>
{
    /// <summary>The largest key length in UTF-8 bytes.</summary>
    public const int MaxByteCount = KeyBytes.MaxByteCount;

    // The key's block, allocated on the pinned object heap (its address never changes, so the hot path passes it to
    // native code without a fixed statement): [length: 4][unused: 4][FNV-1a hash: 8][key bytes, zero-padded to 64].
    // The padded copy ends in NUL (at most 63 bytes), so it is the NUL-terminated key the library takes, and it compares
    // with a slot's 64-byte key field in two vector compares. The block is the struct's only field: the key bytes'
    // address is one add from it (no second field to load, and nothing else to keep across a native call), and the
    // hash and the length sit just below the bytes.
    private readonly byte[]? _block;

    private const int LengthOffset = 0;
    private const int HashOffset = 8;
    private const int BytesOffset = 16;
    private const int BlockSize = BytesOffset + KeyBytes.BufferSize;

    /// <summary>Creates a key from a string (encoded as UTF-8).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is empty, longer than 63 UTF-8 bytes, contains NUL or a lone surrogate.</exception>
    [SkipLocalsInit]
    public SplinterKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> buffer = stackalloc byte[KeyBytes.MaxByteCount];
        int length = KeyBytes.Encode(key, buffer, nameof(key));
        _block = Pin(buffer.Slice(0, length));
    }

    /// <summary>Creates a key from UTF-8 bytes (without a terminating NUL).</summary>
    /// <exception cref="ArgumentException">The key is empty, longer than 63 bytes, contains NUL or is not valid UTF-8.</exception>
    public SplinterKey(ReadOnlySpan<byte> utf8Key)
    {
        KeyBytes.Validate(utf8Key, nameof(utf8Key));
        _block = Pin(utf8Key);
    }

    /// <summary>True for <c>default(SplinterKey)</c>, which is not a usable key.</summary>
    public bool IsDefault => _block is null;

    /// <summary>The key's length in UTF-8 bytes (without the NUL).</summary>
    public int ByteCount => _block is null ? 0 : BitConverter.ToInt32(_block, LengthOffset);

    /// <summary>The key's UTF-8 bytes (without the NUL).</summary>
    public ReadOnlySpan<byte> Utf8 => _block is null ? default : new ReadOnlySpan<byte>(_block, BytesOffset, ByteCount);

    /// <summary>Address of the NUL-terminated bytes; throws for <c>default(SplinterKey)</c>.</summary>
    internal unsafe byte* Pointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            byte[]? block = _block;
            if (block is null)
            {
                ThrowDefault();
            }

            // An element of a pinned-heap array: its address never changes.
            return (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(block), BytesOffset));
        }
    }

    /// <summary>The key's FNV-1a hash (native/FORMAT.md), stored 8 bytes below <see cref="Pointer"/>.</summary>
    internal static unsafe ulong HashAt(byte* pointer) => *(ulong*)(pointer - (BytesOffset - HashOffset));

    /// <summary>The byte count of the key whose bytes <see cref="Pointer"/> returned.</summary>
    internal static unsafe int LengthAt(byte* pointer) => *(int*)(pointer - (BytesOffset - LengthOffset));

    /// <summary>
    /// The pinned array behind <see cref="Pointer"/>. Every SplinterStore overload taking a SplinterKey ends with
    /// GC.KeepAlive(key.Owner): once the address is read, a temporary key is otherwise dead, and a collection before the
    /// native call returned could free the bytes (and a new pinned allocation reuse them).
    /// </summary>
    internal byte[]? Owner => _block;

    /// <summary>Creates a key from a string; same as the constructor.</summary>
    public static SplinterKey Create(string key) => new(key);

    /// <summary>Validates a string as a key without throwing.</summary>
    [SkipLocalsInit]
    public static bool TryCreate(string? key, out SplinterKey result)
    {
        result = default;
        if (string.IsNullOrEmpty(key) || key.Contains('\0'))
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[KeyBytes.MaxByteCount];
        if (System.Text.Unicode.Utf8.FromUtf16(key, buffer, out _, out int written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        result = new SplinterKey(buffer.Slice(0, written));
        return true;
    }

    /// <summary>The key as a string (decoded from its UTF-8 bytes).</summary>
    public override string ToString() => _block is null ? string.Empty : System.Text.Encoding.UTF8.GetString(Utf8);

    /// <summary>Byte-wise equality.</summary>
    public bool Equals(SplinterKey other) => IsDefault == other.IsDefault && Utf8.SequenceEqual(other.Utf8);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SplinterKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8);
        return hash.ToHashCode();
    }

    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(SplinterKey left, SplinterKey right) => left.Equals(right);

    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(SplinterKey left, SplinterKey right) => !left.Equals(right);

    /// <summary>Converts a string to a key (validating it); throws like the constructor.</summary>
    public static explicit operator SplinterKey(string key) => new(key);

    private static byte[] Pin(ReadOnlySpan<byte> utf8)
    {
        byte[] block = GC.AllocateArray<byte>(BlockSize, pinned: true); // zeroed: the padding and the NUL
        utf8.CopyTo(block.AsSpan(BytesOffset));
        BitConverter.TryWriteBytes(block.AsSpan(LengthOffset), utf8.Length);
        BitConverter.TryWriteBytes(block.AsSpan(HashOffset), StoreFormat.Hash(utf8));
        return block;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void ThrowDefault() =>
        throw new ArgumentException("default(SplinterKey) is not a key; create one with new SplinterKey(...).", "key");
}
