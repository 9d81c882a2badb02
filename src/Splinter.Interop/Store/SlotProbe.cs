using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// Finds a key's slot in the C# layer's own mapping the way the format defines it (spec 5.1,
/// 5.2): FNV-1a 64 over the key bytes, start at hash mod slots, linear probe over every slot,
/// match on hash and key. Used where libsplinter offers no key-addressed call (slot pointers
/// for pulse_watchers and slot_usr_*) and for the zero-copy read.
/// </summary>
internal static unsafe class SlotProbe
{
    private const ulong OffsetBasis = 0xcbf29ce484222325;
    private const ulong Prime = 0x100000001b3;

    /// <summary>FNV-1a 64 of a NUL-terminated key, and the key's length (without the NUL) from the same pass.</summary>
    public static ulong Hash(byte* key, out int length)
    {
        ulong hash = OffsetBasis;
        byte* p = key;
        for (; *p != 0; p++)
        {
            hash = (hash ^ *p) * Prime;
        }

        length = (int)(p - key);
        return hash;
    }

    /// <summary>Index of the slot holding <paramref name="key"/> (<paramref name="length"/> bytes and <paramref name="hash"/> from <see cref="Hash"/>), or -1.</summary>
    public static long Find(splinter_slot* slots, uint slotCount, byte* key, int length, ulong hash)
    {
        var wanted = new ReadOnlySpan<byte>(key, length + 1); // with the NUL: strncmp equality
        uint index = (uint)(hash % slotCount);
        for (uint probes = 0; probes < slotCount; probes++)
        {
            splinter_slot* slot = slots + index;
            if (Volatile.Read(ref slot->hash) == hash && new ReadOnlySpan<byte>(SlotKey(slot), wanted.Length).SequenceEqual(wanted))
            {
                return index;
            }

            // Linear probing with wrap-around, without a division per step.
            if (++index == slotCount)
            {
                index = 0;
            }
        }

        return -1;
    }

    /// <summary>Index of the slot holding the NUL-terminated <paramref name="key"/>, or -1.</summary>
    public static long Find(splinter_slot* slots, uint slotCount, byte* key)
    {
        ulong hash = Hash(key, out int length);
        return Find(slots, slotCount, key, length, hash);
    }

    /// <summary>Address of a slot's 64-byte key field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* SlotKey(splinter_slot* slot) => (byte*)slot->key;
}
