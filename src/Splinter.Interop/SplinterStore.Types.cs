using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Named types, integer operations on BigUInt slots, slot times and system slots.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>
    /// Replaces the slot's type bits (splinter_set_named_type). Setting <see cref="SplinterSlotTypes.BigUInt"/>
    /// on a value shorter than 8 bytes converts it to a 64-bit integer (ASCII digits are parsed, with 0x/0 prefixes).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="type">The new type bits.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void SetType(string key, SplinterSlotTypes type)
    {
        KeyBuffer buffer;
        SetTypeCore(KeyBytes.FromString(key, &buffer), type);
    }

    /// <summary>Replaces the type bits of a UTF-8 key's slot.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="type">The new type bits.</param>
    [SkipLocalsInit]
    public void SetType(ReadOnlySpan<byte> key, SplinterSlotTypes type)
    {
        KeyBuffer buffer;
        SetTypeCore(KeyBytes.FromUtf8(key, &buffer), type);
    }

    /// <summary>Replaces the type bits of a pre-encoded key's slot.</summary>
    /// <param name="key">The key.</param>
    /// <param name="type">The new type bits.</param>
    public void SetType(SplinterKey key, SplinterSlotTypes type)
    {
        SetTypeCore(key.Pointer, type);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Reads the slot's type bits (from a slot snapshot).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The type bits.</returns>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public SplinterSlotTypes GetSlotType(string key) => GetSlotSnapshot(key).Type;

    /// <summary>Reads the type bits of a pre-encoded key's slot.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The type bits.</returns>
    public SplinterSlotTypes GetSlotType(SplinterKey key) => GetSlotSnapshot(key).Type;

    /// <summary>Applies an integer operation in place to a BigUInt slot's 64-bit value (splinter_integer_op).</summary>
    /// <param name="key">The key.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand (ignored by Not).</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="SplinterException">The slot is not BigUInt (errno EPROTOTYPE).</exception>
    [SkipLocalsInit]
    public void ApplyInteger(string key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        KeyBuffer buffer;
        IntegerCore(KeyBytes.FromString(key, &buffer), operation, operand);
    }

    /// <summary>Applies an integer operation to a UTF-8 key's BigUInt value.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand.</param>
    [SkipLocalsInit]
    public void ApplyInteger(ReadOnlySpan<byte> key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        KeyBuffer buffer;
        IntegerCore(KeyBytes.FromUtf8(key, &buffer), operation, operand);
    }

    /// <summary>Applies an integer operation to a pre-encoded key's BigUInt value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="operand">The operand.</param>
    public void ApplyInteger(SplinterKey key, SplinterIntegerOperation operation, ulong operand = 0)
    {
        IntegerCore(key.Pointer, operation, operand);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Adds <paramref name="amount"/> to a BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Increment(string key, ulong amount = 1) => ApplyInteger(key, SplinterIntegerOperation.Increment, amount);

    /// <summary>Adds <paramref name="amount"/> to a pre-encoded key's BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Increment(SplinterKey key, ulong amount = 1) => ApplyInteger(key, SplinterIntegerOperation.Increment, amount);

    /// <summary>Subtracts <paramref name="amount"/> from a BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Decrement(string key, ulong amount = 1) => ApplyInteger(key, SplinterIntegerOperation.Decrement, amount);

    /// <summary>Subtracts <paramref name="amount"/> from a pre-encoded key's BigUInt value (wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="amount">The amount.</param>
    public void Decrement(SplinterKey key, ulong amount = 1) => ApplyInteger(key, SplinterIntegerOperation.Decrement, amount);

    /// <summary>Reads a value of at least 8 bytes as a little-endian 64-bit integer (the BigUInt representation).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integer.</param>
    /// <returns>False when the key does not exist or its value is shorter than 8 bytes.</returns>
    [SkipLocalsInit]
    public bool TryGetUInt64(string key, out ulong value)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryGetUInt64Core(padded, hash, out value);
    }

    /// <summary>Reads a pre-encoded key's value as a little-endian 64-bit integer.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integer.</param>
    /// <returns>False when the key does not exist or its value is shorter than 8 bytes.</returns>
    public bool TryGetUInt64(SplinterKey key, out ulong value)
    {
        byte* padded = key.Pointer;
        bool answer = TryGetUInt64Core(padded, SplinterKey.HashAt(padded), out value);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    /// <summary>Sets the slot's creation or access time to <paramref name="time"/> - <paramref name="offset"/> (client-defined units, wrapping).</summary>
    /// <param name="key">The key.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void SetTime(string key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        KeyBuffer buffer;
        SetTimeCore(KeyBytes.FromString(key, &buffer), which, time, offset);
    }

    /// <summary>Sets a UTF-8 key's creation or access time.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    [SkipLocalsInit]
    public void SetTime(ReadOnlySpan<byte> key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        KeyBuffer buffer;
        SetTimeCore(KeyBytes.FromUtf8(key, &buffer), which, time, offset);
    }

    /// <summary>Sets a pre-encoded key's creation or access time.</summary>
    /// <param name="key">The key.</param>
    /// <param name="which">Creation or access time.</param>
    /// <param name="time">The time value.</param>
    /// <param name="offset">Subtracted from <paramref name="time"/>.</param>
    public void SetTime(SplinterKey key, SplinterSlotTime which, ulong time, ulong offset = 0)
    {
        SetTimeCore(key.Pointer, which, time, offset);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Marks the key as a system slot (splinter_set_as_system): type Binary and value length
    /// MaxValueSize (the extra bytes are whatever the region holds). No epoch change, no notification.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void MarkAsSystem(string key)
    {
        KeyBuffer buffer;
        MarkAsSystemCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Marks a UTF-8 key as a system slot.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void MarkAsSystem(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        MarkAsSystemCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Marks a pre-encoded key as a system slot.</summary>
    /// <param name="key">The key.</param>
    public void MarkAsSystem(SplinterKey key)
    {
        MarkAsSystemCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    private void SetTypeCore(byte* key, SplinterSlotTypes type)
    {
        using (Lease())
        {
            ContentionRetry retry = default;
            while (true)
            {
                int error = 0;
                int result = _api.splinter_set_named_type_errno((sbyte*)key, (ushort)type, &error);
                if (result == 0)
                {
                    OnLocalWrite(-1);
                    return;
                }

                if (result == -1 && error == Errno.EAGAIN)
                {
                    WaitOutContention(ref retry, key);

                    continue;
                }

                if (result == -1 && error == 0)
                {
                    StoreErrors.ThrowKeyNotFound("SetType", key);
                }

                if (result == -1 && error == Errno.EMSGSIZE)
                {
                    throw new InvalidOperationException(
                        $"SetType '{KeyBytes.Decode(key)}': a BigUInt needs 8 bytes of value space but this store's MaxValueSize is {MaxValueSize} (EMSGSIZE).");
                }

                StoreErrors.Throw("SetType", result, error, key);
            }
        }
    }

    private void IntegerCore(byte* key, SplinterIntegerOperation operation, ulong operand)
    {
        if ((uint)operation > (uint)SplinterIntegerOperation.Decrement)
        {
            // libsplinter accepts unknown operations as no-ops that still bump epochs.
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown integer operation.");
        }

        using (Lease())
        {
            ContentionRetry retry = default;
            while (true)
            {
                int error = 0;
                int result = _api.splinter_integer_op_errno((sbyte*)key, (splinter_integer_op_t)operation, &operand, &error);
                if (result == 0)
                {
                    OnLocalWrite(-1);
                    return;
                }

                if (result == -1 && error == Errno.EAGAIN)
                {
                    WaitOutContention(ref retry, key);

                    continue;
                }

                if (result == -1 && error == 0)
                {
                    StoreErrors.ThrowKeyNotFound("ApplyInteger", key);
                }

                StoreErrors.Throw("ApplyInteger", result, error, key);
            }
        }
    }

    [SkipLocalsInit]
    private bool TryGetUInt64Core(byte* paddedKey, ulong hash, out ulong value)
    {
        var read = new FirstUInt64();
        if (ReadStable<FirstUInt64, ulong?>(paddedKey, hash, ref read, out ulong? number) && number is ulong found)
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

    private void SetTimeCore(byte* key, SplinterSlotTime which, ulong time, ulong offset)
    {
        if (which is not (SplinterSlotTime.Creation or SplinterSlotTime.Access))
        {
            throw new ArgumentOutOfRangeException(nameof(which), which, "Unknown slot time.");
        }

        using (Lease())
        {
            ContentionRetry retry = default;
            while (true)
            {
                int error = 0;
                int result = _api.splinter_set_slot_time_errno((sbyte*)key, (ushort)which, time, (nuint)offset, &error);
                if (result == 0)
                {
                    OnLocalWrite(-1);
                    return;
                }

                if (result == -1 && error == Errno.EAGAIN)
                {
                    WaitOutContention(ref retry, key);

                    continue;
                }

                if (result == -1 && error == 0)
                {
                    StoreErrors.ThrowKeyNotFound("SetTime", key);
                }

                StoreErrors.Throw("SetTime", result, error, key);
            }
        }
    }

    private void MarkAsSystemCore(byte* key)
    {
        using (Lease())
        {
            int result = _api.splinter_set_as_system((sbyte*)key);
            if (result == 0)
            {
                OnLocalWrite(-1);
                return;
            }

            if (result == -1)
            {
                StoreErrors.ThrowKeyNotFound("MarkAsSystem", key);
            }

            StoreErrors.Throw("MarkAsSystem", result, 0, key);
        }
    }
}
