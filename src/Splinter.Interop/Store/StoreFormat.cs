using System;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The one home of the store format's facts in the C# layer (data format v4; native/FORMAT.md describes it):
/// magic, version, header and slot sizes of both flavours, the key field, the FNV-1a key hash, the region layout,
/// and the check of a mapped object against them. Facts the header declares come from the generated constants and
/// mirrors; the ones it does not declare (the slot size of the other flavour, the hash parameters) are literals that
/// FormatFactsTests checks against the native library. <see cref="MappedStore"/> reads stores with these facts.
/// </summary>
/// <remarks>
/// Two sets of facts meet here: what the bindings say (the generated header: <see cref="LibSplinter.SPLINTER_VER"/>,
/// the mirrors' sizes and offsets) and what the mapping reads understand (format v4 as written by libsplinter 1.2).
/// When the two differ — a user's header of another version, another key size, a moved field — the C# layer does not
/// refuse the store: <see cref="MappingReadsSupported"/> is false and every read goes through the library's own
/// functions.
/// </remarks>
internal static unsafe class StoreFormat
{
    /// <summary>The first four bytes of every store (SPLINTER_MAGIC).</summary>
    public const uint Magic = (uint)LibSplinter.SPLINTER_MAGIC;

    /// <summary>The format version the bindings' header declares (SPLINTER_VER); stores of this version are opened.</summary>
    public const uint Version = (uint)LibSplinter.SPLINTER_VER;

    /// <summary>Size of a slot's key field (SPLINTER_KEY_MAX): the longest key plus its NUL.</summary>
    public const int KeyFieldSize = (int)LibSplinter.SPLINTER_KEY_MAX;

    /// <summary>The longest key in bytes.</summary>
    public const int MaxKeyBytes = KeyFieldSize - 1;

    /// <summary>The format version the mapping reads understand.</summary>
    public const uint ReadableVersion = 4;

    /// <summary>The key field size the mapping reads' 64-byte compares assume.</summary>
    public const int ReadableKeyFieldSize = 64;

    /// <summary>Size of the store header (5440 in format v4).</summary>
    public static int HeaderSize => sizeof(splinter_header);

    /// <summary>Slot size of the flavour the bindings were generated for (the slot mirror's size).</summary>
    public static int BoundSlotSize => sizeof(splinter_slot);

    // ---- the two flavours -----------------------------------------------------------------------------------------
    // The default build's slots, and SPLINTER_EMBEDDINGS builds whose slots carry an embedding vector after the same
    // fields. The header is the same in both, so a store's flavour is told by its size for its geometry, and the rest of
    // the C# layer knows it as the slot size (the stride of the slot array). Both sizes derive from the mirror of the
    // flavour these bindings were generated for, plus or minus the vector.

    /// <summary>True when the bindings were generated for the embeddings flavour.</summary>
    public static bool MirrorIsEmbeddings =>
#if SPLINTER_EMBEDDINGS
        true;
#else
        false;
#endif

    /// <summary>Floats per embedding vector (SPLINTER_EMBED_DIM; the header defines it only in embeddings builds).</summary>
    public const int EmbeddingDimension =
#if SPLINTER_EMBEDDINGS
        LibSplinter.SPLINTER_EMBED_DIM;
#else
        768; // the embeddings configuration's layout tests compare it with the generated constant
#endif

    /// <summary>Slot size of the default flavour (128 in format v4).</summary>
    public static int PlainSlotSize =>
#if SPLINTER_EMBEDDINGS
        RoundToSlotAlignment(sizeof(splinter_slot) - (EmbeddingDimension * sizeof(float)));
#else
        sizeof(splinter_slot);
#endif

    /// <summary>Slot size of the embeddings flavour (3200 in format v4).</summary>
    public static int EmbeddingsSlotSize =>
#if SPLINTER_EMBEDDINGS
        sizeof(splinter_slot);
#else
        RoundToSlotAlignment(sizeof(splinter_slot) + (EmbeddingDimension * sizeof(float)));
#endif

    /// <summary>The slot size of a flavour.</summary>
    public static int SlotSize(bool embeddings) => embeddings ? EmbeddingsSlotSize : PlainSlotSize;

    /// <summary>True for the slot size of one of the two flavours.</summary>
    public static bool IsKnown(int slotSize) => slotSize == PlainSlotSize || slotSize == EmbeddingsSlotSize;

    /// <summary>"the default flavour (128-byte slots)", "the embeddings flavour (...)" or the size itself, for messages.</summary>
    public static string Describe(int slotSize) =>
        slotSize == PlainSlotSize ? $"the default flavour ({slotSize}-byte slots)"
        : slotSize == EmbeddingsSlotSize ? $"the embeddings flavour ({slotSize}-byte slots, SPLINTER_EMBEDDINGS)"
        : $"{slotSize}-byte slots";

    private static int RoundToSlotAlignment(int size) => (size + 63) & ~63;

    /// <summary>FNV-1a 64 offset basis: the key hash's start value.</summary>
    public const ulong HashBasis = 0xcbf29ce484222325;

    /// <summary>FNV-1a 64 prime.</summary>
    public const ulong HashPrime = 0x100000001b3;

    /// <summary>
    /// True when the bindings describe format v4 as the mapping reads know it: version, key field, header size, a slot
    /// of either flavour, and every field the reads touch at its v4 offset. False sends every read through the library.
    /// Constant for the process (a static readonly the JIT folds), so the choice costs nothing per read.
    /// </summary>
    public static readonly bool MappingReadsSupported = BindingsDescribeReadableFormat(out _) &&
        Environment.GetEnvironmentVariable(NativeReadsVariable) != "1";

    /// <summary>Set to "1", every store reads through the library's functions (for tests of that path).</summary>
    internal const string NativeReadsVariable = "SPLINTER_INTEROP_NATIVE_READS";

    /// <summary>Why the mapping reads are off for these bindings, or null when they describe format v4.</summary>
    public static string? UnreadableReason => BindingsDescribeReadableFormat(out string? reason) ? null : reason;

    /// <summary>Total object size of a store: header, slots, value arena.</summary>
    public static UInt128 ExpectedSize(uint slots, uint maxValueSize, int slotSize) =>
        (UInt128)(ulong)HeaderSize + ((UInt128)slots * (UInt128)(ulong)slotSize) + ((UInt128)slots * maxValueSize);

    /// <summary>
    /// The slot size (flavour) a store of <paramref name="size"/> bytes with this geometry was made with:
    /// <see cref="PlainSlotSize"/> or <see cref="EmbeddingsSlotSize"/>, or 0 when the size fits neither.
    /// </summary>
    public static int SlotSizeOf(uint slots, uint maxValueSize, ulong size)
    {
        foreach (int slotSize in (ReadOnlySpan<int>)[BoundSlotSize, PlainSlotSize, EmbeddingsSlotSize])
        {
            if (ExpectedSize(slots, maxValueSize, slotSize) == size)
            {
                return slotSize;
            }
        }

        return 0;
    }

    /// <summary>
    /// Returns why a mapped header does not describe a store of <paramref name="size"/> bytes, or null when it does;
    /// <paramref name="slotSize"/> receives the flavour's slot size the size implies.
    /// </summary>
    public static string? Validate(splinter_header* header, ulong size, out int slotSize)
    {
        slotSize = 0;
        uint magic = header->magic;
        if (magic != Magic)
        {
            return $"wrong magic 0x{magic:X8} (a libsplinter store starts with 0x{Magic:X8}).";
        }

        uint version = header->version;
        if (version != Version)
        {
            return $"format version {version}; these bindings open version {Version}.";
        }

        uint slots = header->slots;
        uint maxValueSize = header->max_val_sz;
        if (slots == 0 || maxValueSize == 0)
        {
            return $"empty geometry (slots {slots}, max value size {maxValueSize}).";
        }

        slotSize = SlotSizeOf(slots, maxValueSize, size);
        if (slotSize != 0)
        {
            return null;
        }

        return $"its header describes {slots} slots x {maxValueSize} bytes = {ExpectedSize(slots, maxValueSize, BoundSlotSize)} bytes " +
            $"with {BoundSlotSize}-byte slots, but the object is {size} bytes (truncated or damaged).";
    }

    /// <summary>The format's key hash: 64-bit FNV-1a over the key bytes.</summary>
    public static ulong Hash(ReadOnlySpan<byte> key)
    {
        fixed (byte* bytes = key)
        {
            return Hash(bytes, key.Length);
        }
    }

    /// <summary>The format's key hash of <paramref name="length"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(byte* key, int length) => HashWith(key, length, HashPrime);

    /// <summary>The format's key hash of an ASCII key given as its <paramref name="length"/> UTF-16 code units (each one byte of its UTF-8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(string asciiKey, int length)
    {
        fixed (char* units = asciiKey)
        {
            return HashWith((ushort*)units, length, HashPrime);
        }
    }

    /// <summary>
    /// FNV-1a over <paramref name="length"/> units (bytes, or the UTF-16 code units of an ASCII key: the same bytes
    /// widened): eight per loop step, then the last 0..7 through a jump into a run of single steps (no loop control for
    /// them). Each unit costs a load, an xor and a multiply; the chain of multiplies is serial, so the unit count sets the
    /// time. The prime comes in as an argument so the JIT keeps it in a register (as a constant it is re-materialised, a
    /// 10-byte mov, before every multiply: imul has no 64-bit immediate form), and this class's static constructor
    /// (<see cref="MappingReadsSupported"/>) is never checked on the way. A pointer, not a reference: through a reference
    /// RyuJIT xored into the unit's register and copied it back, a fourth instruction per unit (callgrind).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong HashWith<TUnit>(TUnit* p, int length, ulong prime)
        where TUnit : unmanaged
    {
        ulong hash = HashBasis;
        for (; length >= 8; length -= 8, p += 8)
        {
            hash = (hash ^ Unit(p[0])) * prime;
            hash = (hash ^ Unit(p[1])) * prime;
            hash = (hash ^ Unit(p[2])) * prime;
            hash = (hash ^ Unit(p[3])) * prime;
            hash = (hash ^ Unit(p[4])) * prime;
            hash = (hash ^ Unit(p[5])) * prime;
            hash = (hash ^ Unit(p[6])) * prime;
            hash = (hash ^ Unit(p[7])) * prime;
        }

        // length is 0..7 here (never negative: callers pass a unit count).
        TUnit* end = p + length;
        switch (length)
        {
            case 7: hash = (hash ^ Unit(end[-7])) * prime; goto case 6;
            case 6: hash = (hash ^ Unit(end[-6])) * prime; goto case 5;
            case 5: hash = (hash ^ Unit(end[-5])) * prime; goto case 4;
            case 4: hash = (hash ^ Unit(end[-4])) * prime; goto case 3;
            case 3: hash = (hash ^ Unit(end[-3])) * prime; goto case 2;
            case 2: hash = (hash ^ Unit(end[-2])) * prime; goto case 1;
            case 1: hash = (hash ^ Unit(end[-1])) * prime; break;
        }

        return hash;
    }

    /// <summary>A unit (a byte, or an ASCII key's UTF-16 code unit) widened; the JIT folds the type test away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Unit<TUnit>(TUnit unit)
        where TUnit : unmanaged =>
        typeof(TUnit) == typeof(byte) ? Unsafe.As<TUnit, byte>(ref unit) : Unsafe.As<TUnit, ushort>(ref unit);

    private static bool BindingsDescribeReadableFormat(out string? reason)
    {
        splinter_slot slot = default;
        splinter_header header = default;
        byte* s = (byte*)&slot;
        byte* h = (byte*)&header;
        reason =
            Magic != 0x534C4E54 ? $"magic 0x{Magic:X8}" :
            Version != ReadableVersion ? $"format version {Version} (the mapping reads know version {ReadableVersion})" :
            KeyFieldSize != ReadableKeyFieldSize ? $"a {KeyFieldSize}-byte key field (the mapping reads know {ReadableKeyFieldSize})" :
            sizeof(splinter_header) != 5440 ? $"a {sizeof(splinter_header)}-byte header" :
            PlainSlotSize != 128 || EmbeddingsSlotSize != 3200 ? $"{PlainSlotSize}- and {EmbeddingsSlotSize}-byte slots (format v4 has 128 and 3200)" :
            (byte*)&slot.hash - s != 0 || (byte*)&slot.epoch - s != 8 || (byte*)&slot.val_off - s != 16 ||
            (byte*)&slot.val_len - s != 20 || (byte*)&slot.type_flag - s != 24 || (byte*)&slot.user_flag - s != 25 ||
            (byte*)&slot.watcher_mask - s != 32 || (byte*)&slot.bloom - s != 56 || (byte*)slot.key - s != 64
                ? "slot fields at other offsets"
                : (byte*)&header.epoch - h != 16 || (byte*)&header.event_bus - h != 4224
                    ? "header fields at other offsets"
                    : null;
        return reason is null;
    }
}
