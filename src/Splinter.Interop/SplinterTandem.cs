using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Tandem keys of one store (<see cref="SplinterStore.Tandem"/>): a base key and its orders "base.1", "base.2", ...,
/// written and removed together (splinter_client_set_tandem, splinter_client_unset_tandem).
/// </summary>
public sealed unsafe class SplinterTandem
{
    private readonly SplinterStore _store;

    internal SplinterTandem(SplinterStore store) => _store = store;

    /// <summary>The name of tandem order <paramref name="order"/> of <paramref name="baseKey"/>: the base itself for 0, "base.N" otherwise.</summary>
    /// <param name="baseKey">The base key.</param>
    /// <param name="order">The order, 0 or more.</param>
    /// <returns>The key name.</returns>
    public static string GetKey(string baseKey, int order)
    {
        ArgumentNullException.ThrowIfNull(baseKey);
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        return order == 0 ? baseKey : baseKey + "." + order.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Writes values[0] under <paramref name="baseKey"/> and values[i] under "baseKey.i"
    /// (splinter_client_set_tandem). Every generated key must fit in 63 bytes (checked first,
    /// since the library would truncate and collide). On failure earlier orders stay written.
    /// </summary>
    /// <param name="baseKey">The base key.</param>
    /// <param name="values">1..255 values, each 1..MaxValueSize bytes.</param>
    /// <exception cref="ArgumentException">No values, a bad value length, or a tandem key over 63 bytes.</exception>
    /// <exception cref="SplinterStoreFullException">An order that does not exist found no free slot (earlier orders stay written).</exception>
    /// <exception cref="SplinterContentionException">An order's slot stayed busy for the whole contention budget.</exception>
    [SkipLocalsInit]
    public void Set(string baseKey, params ReadOnlySpan<byte[]> values)
    {
        KeyBuffer buffer;
        SetCore(KeyBytes.FromString(baseKey, &buffer), values);
    }

    /// <summary>Writes a tandem under a pre-encoded base key; see <see cref="Set(string, ReadOnlySpan{byte[]})"/>.</summary>
    /// <param name="baseKey">The base key.</param>
    /// <param name="values">1..255 values.</param>
    public void Set(SplinterKey baseKey, params ReadOnlySpan<byte[]> values)
    {
        SetCore(baseKey.Pointer, values);
        GC.KeepAlive(baseKey.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Removes <paramref name="baseKey"/> and "baseKey.1" .. "baseKey.(orders-1)", ignoring missing ones (splinter_client_unset_tandem).</summary>
    /// <param name="baseKey">The base key.</param>
    /// <param name="orders">Number of orders, 1..255.</param>
    [SkipLocalsInit]
    public void Remove(string baseKey, int orders)
    {
        KeyBuffer buffer;
        RemoveCore(KeyBytes.FromString(baseKey, &buffer), orders);
    }

    /// <summary>Removes a tandem under a pre-encoded base key.</summary>
    /// <param name="baseKey">The base key.</param>
    /// <param name="orders">Number of orders, 1..255.</param>
    public void Remove(SplinterKey baseKey, int orders)
    {
        RemoveCore(baseKey.Pointer, orders);
        GC.KeepAlive(baseKey.Owner); // the key's bytes outlive the native call
    }

    private void SetCore(byte* baseKey, ReadOnlySpan<byte[]> values)
    {
        if (values.Length is 0 or > byte.MaxValue)
        {
            throw new ArgumentException($"A tandem has 1 to {byte.MaxValue} values; got {values.Length}.", nameof(values));
        }

        int baseLength = new ReadOnlySpan<byte>(baseKey, KeyBytes.BufferSize).IndexOf((byte)0);
        int suffix = values.Length > 1 ? 1 + (values.Length - 1).ToString(CultureInfo.InvariantCulture).Length : 0;
        if (baseLength + suffix > KeyBytes.MaxByteCount)
        {
            throw new ArgumentException(
                $"The tandem key '{KeyBytes.Decode(baseKey)}.{values.Length - 1}' would be {baseLength + suffix} bytes; keys hold at most {KeyBytes.MaxByteCount}.",
                nameof(values));
        }

        nuint total = 0;
        for (int i = 0; i < values.Length; i++)
        {
            byte[] value = values[i] ?? throw new ArgumentNullException(nameof(values), $"values[{i}] is null.");
            if ((uint)value.Length - 1 >= _store.MaxValueSize)
            {
                StoreErrors.ThrowValueLength(value.Length, _store.MaxValueSize, $"values[{i}]");
            }

            total += (nuint)value.Length;
        }

        // One native block: the pointer array, the length array and the bytes (no pinning of many arrays).
        nuint count = (nuint)values.Length;
        byte* block = (byte*)NativeMemory.Alloc((count * (nuint)(sizeof(void*) + sizeof(nuint))) + total);
        try
        {
            void** pointers = (void**)block;
            nuint* lengths = (nuint*)(block + (count * (nuint)sizeof(void*)));
            byte* data = (byte*)(lengths + count);
            for (int i = 0; i < values.Length; i++)
            {
                pointers[i] = data;
                lengths[i] = (nuint)values[i].Length;
                values[i].CopyTo(new Span<byte>(data, values[i].Length));
                data += values[i].Length;
            }

            using (_store.Lease())
            {
                ContentionRetry retry = default;
                int result;
                while ((result = _store.Api.splinter_client_set_tandem((sbyte*)baseKey, pointers, lengths, (byte)values.Length)) != 0)
                {
                    if (result != -1)
                    {
                        StoreErrors.Throw("Tandem.Set", result, 0, baseKey);
                    }

                    // One set found no slot. The library skips a busy slot, a key's own too: when every order exists
                    // (each one the call reached was written, and the rest were there), a slot was busy, so the
                    // whole tandem is written again; an order that does not exist found every slot taken.
                    if (!AllOrdersExist(baseKey, baseLength, values.Length))
                    {
                        StoreErrors.ThrowStoreFull(baseKey, _store.SlotCount);
                    }

                    if (!retry.Wait(_store.ContentionBudget))
                    {
                        StoreErrors.ThrowContention(baseKey, _store.Api.splinter_get_epoch((sbyte*)baseKey));
                    }
                }
            }
        }
        finally
        {
            NativeMemory.Free(block);
        }

        _store.OnLocalWrite(-1);
    }

    /// <summary>Whether the base key and each order "base.N" below <paramref name="orders"/> exist (a nonzero epoch).</summary>
    [SkipLocalsInit]
    private bool AllOrdersExist(byte* baseKey, int baseLength, int orders)
    {
        byte* name = stackalloc byte[KeyBytes.BufferSize];
        new ReadOnlySpan<byte>(baseKey, baseLength).CopyTo(new Span<byte>(name, KeyBytes.BufferSize));
        for (int order = 0; order < orders; order++)
        {
            int length = baseLength;
            if (order > 0)
            {
                // Checked by SetCore: the longest order's name fits in the key limit.
                name[length++] = (byte)'.';
                order.TryFormat(new Span<byte>(name + length, KeyBytes.BufferSize - 1 - length), out int digits, default, CultureInfo.InvariantCulture);
                length += digits;
            }

            name[length] = 0;
            if (_store.Api.splinter_get_epoch((sbyte*)name) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private void RemoveCore(byte* baseKey, int orders)
    {
        if (orders is < 1 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(orders), orders, $"A tandem has 1 to {byte.MaxValue} orders.");
        }

        using (_store.Lease())
        {
            _store.Api.splinter_client_unset_tandem((sbyte*)baseKey, (byte)orders);
        }

        _store.OnLocalWrite(-1);
    }
}
