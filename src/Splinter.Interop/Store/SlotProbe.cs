using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// Finds a key's slot in the C# layer's own mapping the way the format defines it (spec 5.1,
/// 5.2): FNV-1a 64 over the key bytes, start at hash mod slots, linear probe over every slot,
/// match on hash and key (strncmp over 64 bytes, spec 5.3). Used by the mapping reads (TryGet,
/// GetEpoch, TryRead), and where libsplinter offers no key-addressed call (FindSlot, slot pointers
/// for slot_usr_*).
/// </summary>
internal static unsafe class SlotProbe
{
    /// <summary>
    /// The slot holding a key given in its padded form (<see cref="KeyBytes.SlotKeySize"/> bytes: the key, its NUL, zeros)
    /// with its <paramref name="hash"/>, or null. The start slot is checked here (inlined into the caller); the rest of
    /// the probe sequence in <see cref="FindPaddedFrom"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static splinter_slot* FindPadded(splinter_slot* slots, uint slotCount, byte* paddedKey, ulong hash)
    {
        uint start = (uint)(hash % slotCount);
        splinter_slot* slot = slots + start;
        if (Volatile.Read(ref slot->hash) == hash && PaddedKeyMatches(slot, paddedKey))
        {
            return slot;
        }

        return FindPaddedFrom(slots, slotCount, paddedKey, hash, start);
    }

    /// <summary>The probe sequence after its start slot (see <see cref="FindPadded"/>); also re-checks the start slot's key exactly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static splinter_slot* FindPaddedFrom(splinter_slot* slots, uint slotCount, byte* paddedKey, ulong hash, uint start)
    {
        // Probe order start .. slotCount-1, then 0 .. start-1 (spec 5.2), as two straight scans: a miss visits every
        // slot, so the loop is a hash compare and a pointer step.
        splinter_slot* found = Scan(slots + start, slots + slotCount, paddedKey, hash);
        return found != null ? found : Scan(slots, slots + start, paddedKey, hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static splinter_slot* Scan(splinter_slot* from, splinter_slot* end, byte* paddedKey, ulong hash)
    {
        for (splinter_slot* slot = from; slot < end; slot++)
        {
            if (Volatile.Read(ref slot->hash) == hash && KeyMatches(slot, paddedKey))
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>
    /// The format's comparison (strncmp over 64 bytes) for a padded query: the fast whole-field compare, then, only when it
    /// fails, the exact one, which ignores whatever a writer left after the stored key's NUL.
    /// </summary>
    private static bool KeyMatches(splinter_slot* slot, byte* paddedKey)
    {
        if (PaddedKeyMatches(slot, paddedKey))
        {
            return true;
        }

        int length = new ReadOnlySpan<byte>(paddedKey, KeyBytes.SlotKeySize).IndexOf((byte)0);
        return new ReadOnlySpan<byte>(SlotKey(slot), length + 1).SequenceEqual(new ReadOnlySpan<byte>(paddedKey, length + 1));
    }

    /// <summary>
    /// True when the slot's 64-byte key field equals the padded query byte for byte. Writers that follow the format
    /// (spec 5.3: strncpy semantics, key[63] = 0) leave zeros after the key, so for them this is the strncmp equality; a
    /// false answer is confirmed by <see cref="KeyMatches"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool PaddedKeyMatches(splinter_slot* slot, byte* paddedKey)
    {
        byte* stored = SlotKey(slot);
        Vector256<byte> difference = (Vector256.Load(stored) ^ Vector256.Load(paddedKey)) |
            (Vector256.Load(stored + Vector256<byte>.Count) ^ Vector256.Load(paddedKey + Vector256<byte>.Count));
        return difference == Vector256<byte>.Zero;
    }

    /// <summary>Address of a slot's 64-byte key field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* SlotKey(splinter_slot* slot) => (byte*)slot->key;
}
