using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// 64-bit integer operations of one store (<see cref="SplinterStore.Integers"/>), applied in place to slots of type
/// <see cref="SplinterSlotTypes.BigUInt"/> (<see cref="SplinterSlots.SetType(string, SplinterSlotTypes)"/> converts a
/// short value, ASCII digits included). Reads of the number need no type.
/// </summary>
public sealed unsafe class SplinterIntegers
{
    private readonly SplinterStore _store;

    internal SplinterIntegers(SplinterStore store) => _store = store;

    /// <summary>Applies an integer operation in place to a BigUInt slot's 64-bit value (splinter_integer_op).</summary>
    /// <param name="key">The key.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand (ignored by Not).</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="SplinterException">The slot is not BigUInt (errno EPROTOTYPE).</exception>
    [SkipLocalsInit]
    public void Apply(string key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        KeyBuffer buffer;
        ApplyCore(KeyBytes.FromString(key, &buffer), operation, operand);
    }

    /// <summary>Applies an integer operation to a UTF-8 key's BigUInt value.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand.</param>
    [SkipLocalsInit]
    public void Apply(ReadOnlySpan<byte> key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        KeyBuffer buffer;
        ApplyCore(KeyBytes.FromUtf8(key, &buffer), operation, operand);
    }

    /// <summary>Applies an integer operation to a pre-encoded key's BigUInt value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand.</param>
    public void Apply(SplinterKey key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        ApplyCore(key.Pointer, operation, operand);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Adds <paramref name="amount"/> to a BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Increment(string key, ulong amount = 1) => Apply(key, SplinterIntegerOperation.Increment, amount);

    /// <summary>Adds <paramref name="amount"/> to a pre-encoded key's BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Increment(SplinterKey key, ulong amount = 1) => Apply(key, SplinterIntegerOperation.Increment, amount);

    /// <summary>Subtracts <paramref name="amount"/> from a BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Decrement(string key, ulong amount = 1) => Apply(key, SplinterIntegerOperation.Decrement, amount);

    /// <summary>Subtracts <paramref name="amount"/> from a pre-encoded key's BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Decrement(SplinterKey key, ulong amount = 1) => Apply(key, SplinterIntegerOperation.Decrement, amount);

    /// <summary>Reads a value of at least 8 bytes as a little-endian 64-bit integer (the BigUInt representation).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integer.</param>
    /// <returns>False when the key does not exist or its value is shorter than 8 bytes.</returns>
    [SkipLocalsInit]
    public bool TryGet(string key, out ulong value)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryGetCore(padded, hash, out value);
    }

    /// <summary>Reads a pre-encoded key's value as a little-endian 64-bit integer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integer.</param>
    /// <returns>False when the key does not exist or its value is shorter than 8 bytes.</returns>
    public bool TryGet(SplinterKey key, out ulong value)
    {
        byte* padded = key.Pointer;
        bool answer = TryGetCore(padded, SplinterKey.HashAt(padded), out value);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the read
        return answer;
    }

    private void ApplyCore(byte* key, SplinterIntegerOperation operation, ulong operand)
    {
        if ((uint)operation > (uint)SplinterIntegerOperation.Decrement)
        {
            // libsplinter accepts unknown operations as no-ops that still bump epochs.
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown integer operation.");
        }

        using (_store.Lease())
        {
            var call = new NativeCall(_store, "Integers.Apply", key, ResultConvention.ErrnoDecides);
            int result, error;
            do
            {
                error = 0;
                result = _store.Api.splinter_integer_op_errno((sbyte*)key, (splinter_integer_op_t)operation, &operand, &error);
            }
            while (call.Again(result, error));

            call.ThrowIfMissing();
            _store.OnLocalWrite(-1);
        }
    }

    [SkipLocalsInit]
    private bool TryGetCore(byte* paddedKey, ulong hash, out ulong value)
    {
        var read = new FirstUInt64();
        if (_store.ReadStable<FirstUInt64, ulong?>(paddedKey, hash, ref read, out ulong? number) && number is ulong found)
        {
            value = found;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The first 8 bytes of a value as a little-endian number (a BIGUINT's value), or null when it is shorter.</summary>
    private readonly struct FirstUInt64 : IValueConsumer<ulong?>
    {
        public ulong? Consume(ReadOnlySpan<byte> value, ulong epoch) =>
            value.Length >= sizeof(ulong) ? BinaryPrimitives.ReadUInt64LittleEndian(value) : null;
    }
}
