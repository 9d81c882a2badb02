using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Reliability;

/// <summary>
/// In-memory reference model of one store as native/FORMAT.md and native/README.md ("Kept on purpose") describe it,
/// seen through the SplinterStore API: the slot
/// array with FNV-1a linear probing (so full stores, duplicate keys after an unset and
/// set_as_system's scan from slot 0 come out as documented), value regions with the mop
/// scrub rules, slot and store epochs, labels, types with in-place BIGUINT promotion
/// (native/README.md divergence 1), signal groups and bloom watches. Single-threaded only.
/// Every method returns the observation the real store must produce, as a short string.
/// </summary>
internal sealed class StoreModel
{
    private const byte AutoScrub = 0x01;
    private const byte HybridScrub = 0x02;
    private const byte TypeVoid = 0x01;
    private const byte TypeBigUInt = 0x04;
    private const byte TypeBinary = 0x10;

    private readonly Slot[] _slots;
    private readonly byte[] _bloomWatches = new byte[64];
    private readonly ulong[] _signals = new ulong[64];

    public StoreModel(int slotCount, int maxValueSize)
    {
        MaxValueSize = maxValueSize;
        _slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            _slots[i] = new Slot(maxValueSize);
        }

        _bloomWatches.AsSpan().Fill(0xFF);
    }

    public int MaxValueSize { get; }

    public ulong GlobalEpoch { get; private set; } = 1;

    public byte CoreFlags { get; private set; } = AutoScrub | HybridScrub;

    // ---- observations shared with the real side ------------------------------------------------

    public static string Ok() => "ok";

    public static string Value(byte[]? value) => value is null ? "null" : "value:" + Convert.ToHexString(value);

    public static string Failure(Exception exception) => exception switch
    {
        SplinterException splinter when splinter.GetType() == typeof(SplinterException) => $"ex:{nameof(SplinterException)}/errno {splinter.Errno}",
        _ => "ex:" + exception.GetType().Name,
    };

    private static string Throws<T>() => "ex:" + typeof(T).Name;

    // ---- lookups ---------------------------------------------------------------------------------

    /// <summary>The lookup (native/FORMAT.md): full probe from hash mod slots, first slot with equal hash and key.</summary>
    private int Find(string key)
    {
        ulong hash = SlotEditor.Fnv1a(Encoding.UTF8.GetBytes(key));
        int count = _slots.Length;
        int start = (int)(hash % (ulong)count);
        for (int i = 0; i < count; i++)
        {
            int index = (start + i) % count;
            if (_slots[index].Hash == hash && _slots[index].Key == key)
            {
                return index;
            }
        }

        return -1;
    }

    private void Pulse(Slot slot)
    {
        for (int g = 0; g < 64; g++)
        {
            if ((slot.Watchers & (1UL << g)) != 0)
            {
                _signals[g]++;
            }
        }

        for (int b = 0; b < 64; b++)
        {
            if ((slot.Bloom & (1UL << b)) != 0 && _bloomWatches[b] < 64)
            {
                _signals[_bloomWatches[b]]++;
            }
        }
    }

    // ---- operations ------------------------------------------------------------------------------

    /// <summary>splinter_set through SplinterStore.Set: first empty-or-matching slot in probe order (duplicates possible).</summary>
    public string Set(string key, byte[] value)
    {
        if (value.Length == 0)
        {
            return Throws<ArgumentException>();
        }

        if (value.Length > MaxValueSize)
        {
            return Throws<ArgumentOutOfRangeException>();
        }

        return SetCore(key, value) ? Ok() : Throws<SplinterStoreFullException>();
    }

    private bool SetCore(string key, byte[] value)
    {
        byte[] keyBytes = Encoding.UTF8.GetBytes(key);
        ulong hash = SlotEditor.Fnv1a(keyBytes);
        int count = _slots.Length;
        int start = (int)(hash % (ulong)count);
        for (int i = 0; i < count; i++)
        {
            Slot slot = _slots[(start + i) % count];
            if (slot.Hash != 0 && !(slot.Hash == hash && slot.Key == key))
            {
                continue;
            }

            if ((CoreFlags & AutoScrub) != 0)
            {
                int scrub = (CoreFlags & HybridScrub) != 0 ? Math.Min((value.Length + 63) / 64 * 64, MaxValueSize) : MaxValueSize;
                Array.Clear(slot.Region, 0, scrub);
            }

            value.CopyTo(slot.Region, 0);
            slot.Length = value.Length;
            slot.Key = key;
            slot.Hash = hash;
            slot.Epoch += 2;
            Pulse(slot);
            GlobalEpoch++;
            return true;
        }

        return false;
    }

    public string Get(string key)
    {
        int index = Find(key);
        return Value(index < 0 ? null : _slots[index].Region.AsSpan(0, _slots[index].Length).ToArray());
    }

    /// <summary>TryGet into a destination of <paramref name="capacity"/> bytes.</summary>
    public string TryGet(string key, int capacity)
    {
        int index = Find(key);
        if (index < 0)
        {
            return "missing:0";
        }

        Slot slot = _slots[index];
        return slot.Length > capacity ? $"small:{slot.Length}" : "found:" + Convert.ToHexString(slot.Region, 0, slot.Length);
    }

    public string GetEpoch(string key)
    {
        int index = Find(key);
        return "epoch:" + (index < 0 ? 0 : _slots[index].Epoch);
    }

    public string Contains(string key) => "contains:" + (Find(key) >= 0);

    /// <summary>splinter_unset: clears the first match; epoch ends at 2; no store epoch, pulse or notify.</summary>
    public string Remove(string key)
    {
        int index = Find(key);
        if (index < 0)
        {
            return "removed:False";
        }

        Slot slot = _slots[index];
        slot.Hash = 0;
        if ((CoreFlags & AutoScrub) != 0)
        {
            Array.Clear(slot.Region);
        }

        slot.Key = string.Empty;
        slot.Type = TypeVoid;
        slot.Epoch += 2; // our library: a remove ends two above (upstream ends at 2)
        slot.Length = 0;
        slot.CTime = slot.ATime = 0;
        slot.User = 0;
        slot.Watchers = 0;
        slot.Bloom = 0;
        return "removed:True";
    }

    /// <summary>splinter_append: overflow advances the slot epoch by 2 and changes nothing else.</summary>
    public string Append(string key, byte[] data)
    {
        if (data.Length == 0)
        {
            return Throws<ArgumentException>();
        }

        if (data.Length > MaxValueSize)
        {
            return Throws<ArgumentOutOfRangeException>();
        }

        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        Slot slot = _slots[index];
        if (slot.Length + data.Length > MaxValueSize)
        {
            slot.Epoch += 2;
            return Throws<ArgumentException>();
        }

        data.CopyTo(slot.Region, slot.Length);
        slot.Length += data.Length;
        slot.Epoch += 2;
        Pulse(slot);
        GlobalEpoch++;
        return "length:" + slot.Length;
    }

    public string Labels(string key, ulong mask, bool add)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        _slots[index].Bloom = add ? _slots[index].Bloom | mask : _slots[index].Bloom & ~mask;
        GlobalEpoch++;
        return Ok();
    }

    public string FindByLabels(ulong mask)
    {
        var text = new StringBuilder("matches:");
        foreach (Slot slot in _slots)
        {
            if (slot.Hash != 0 && (slot.Bloom & mask) == mask)
            {
                text.Append(slot.Key).Append('@').Append(slot.Epoch).Append(';');
            }
        }

        return text.ToString();
    }

    /// <summary>splinter_set_named_type: replaces the type byte; BIGUINT on a value under 8 bytes promotes it in place.</summary>
    public string SetType(string key, byte type)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        Slot slot = _slots[index];
        if ((type & TypeBigUInt) != 0 && slot.Length < 8)
        {
            ulong number = Promote(slot.Region.AsSpan(0, slot.Length));
            BinaryPrimitives.WriteUInt64LittleEndian(slot.Region, number);
            slot.Length = 8;
        }

        slot.Type = type;
        slot.Epoch += 2;
        GlobalEpoch++;
        return Ok();
    }

    /// <summary>An ASCII digit first means strtoull base 0 ("0x" hex, leading "0" octal); otherwise raw little-endian bytes.</summary>
    public static ulong Promote(ReadOnlySpan<byte> value)
    {
        if (value.Length > 0 && value[0] >= '0' && value[0] <= '9')
        {
            int position = 0;
            int radix = 10;
            if (value[0] == '0')
            {
                radix = 8;
                if (value.Length > 2 && (value[1] == 'x' || value[1] == 'X') && DigitValue(value[2]) < 16)
                {
                    radix = 16;
                    position = 2;
                }
            }

            ulong result = 0;
            for (; position < value.Length; position++)
            {
                int digit = DigitValue(value[position]);
                if (digit >= radix)
                {
                    break;
                }

                result = (result * (ulong)radix) + (ulong)digit;
            }

            return result;
        }

        Span<byte> raw = stackalloc byte[8];
        raw.Clear();
        value[..Math.Min(value.Length, 8)].CopyTo(raw);
        return BinaryPrimitives.ReadUInt64LittleEndian(raw);
    }

    private static int DigitValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'Z' => c - 'A' + 10,
        _ => 99,
    };

    /// <summary>splinter_integer_op: 8 bytes at the region start whatever val_len says; no pulse.</summary>
    public string Integer(string key, SplinterIntegerOperation operation, ulong operand)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        Slot slot = _slots[index];
        if ((slot.Type & TypeBigUInt) == 0)
        {
            return $"ex:{nameof(SplinterException)}/errno {Errno.EPROTOTYPE}";
        }

        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(slot.Region);
        value = operation switch
        {
            SplinterIntegerOperation.And => value & operand,
            SplinterIntegerOperation.Or => value | operand,
            SplinterIntegerOperation.Xor => value ^ operand,
            SplinterIntegerOperation.Not => ~value,
            SplinterIntegerOperation.Increment => unchecked(value + operand),
            _ => unchecked(value - operand),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(slot.Region, value);
        slot.Epoch += 2;
        GlobalEpoch++;
        return Ok();
    }

    public string GetUInt64(string key)
    {
        int index = Find(key);
        if (index < 0 || _slots[index].Length < 8)
        {
            return "uint64:none";
        }

        return "uint64:" + BinaryPrimitives.ReadUInt64LittleEndian(_slots[index].Region);
    }

    public string SetTime(string key, SplinterSlotTime which, ulong time, ulong offset)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        if (which == SplinterSlotTime.Creation)
        {
            _slots[index].CTime = unchecked(time - offset);
        }
        else
        {
            _slots[index].ATime = unchecked(time - offset);
        }

        return Ok();
    }

    /// <summary>splinter_set_as_system: scans from slot 0, not the hash position; type BINARY, length = max.</summary>
    public string MarkAsSystem(string key)
    {
        ulong hash = SlotEditor.Fnv1a(Encoding.UTF8.GetBytes(key));
        foreach (Slot slot in _slots)
        {
            if (slot.Hash == hash && slot.Key == key)
            {
                slot.Type = TypeBinary;
                slot.Length = MaxValueSize;
                return Ok();
            }
        }

        return Throws<KeyNotFoundException>();
    }

    /// <summary>splinter_bump_slot: slot epoch +2 and a pulse, no store epoch.</summary>
    public string Bump(string key)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        _slots[index].Epoch += 2;
        Pulse(_slots[index]);
        return Ok();
    }

    /// <summary>splinter_retrain_slot in our library: slot epoch +2 (upstream stores 4), store epoch +1, pulse.</summary>
    public string Retrain(string key)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        _slots[index].Epoch += 2;
        GlobalEpoch++;
        Pulse(_slots[index]);
        return Ok();
    }

    public string PulseKey(string key)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        Pulse(_slots[index]);
        return Ok();
    }

    public string Watch(string key, int group, bool register)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        _slots[index].Watchers = register ? _slots[index].Watchers | (1UL << group) : _slots[index].Watchers & ~(1UL << group);
        return Ok();
    }

    public string WatchLabels(ulong labels, int group)
    {
        for (int b = 0; b < 64; b++)
        {
            if ((labels & (1UL << b)) != 0)
            {
                _bloomWatches[b] = (byte)group;
            }
        }

        return Ok();
    }

    public string SignalCount(int group) => "signals:" + _signals[group];

    public string UserFlags(string key, int operation, byte flags)
    {
        int index = Find(key);
        if (index < 0)
        {
            return Throws<KeyNotFoundException>();
        }

        Slot slot = _slots[index];
        switch (operation)
        {
            case 0:
                slot.User |= flags;
                return Ok();
            case 1:
                slot.User &= (byte)~flags;
                return Ok();
            default:
                return "user:" + slot.User;
        }
    }

    /// <summary>splinter_client_set_tandem: base then base.1 .. in order; the first failure stops it, earlier writes stay.</summary>
    public string SetTandem(string baseKey, byte[][] values)
    {
        foreach (byte[] value in values)
        {
            if (value.Length == 0)
            {
                return Throws<ArgumentException>();
            }

            if (value.Length > MaxValueSize)
            {
                return Throws<ArgumentOutOfRangeException>();
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!SetCore(SplinterTandem.GetKey(baseKey, i), values[i]))
            {
                return Throws<SplinterStoreFullException>();
            }
        }

        return Ok();
    }

    public string RemoveTandem(string baseKey, int orders)
    {
        for (int i = 0; i < orders; i++)
        {
            Remove(SplinterTandem.GetKey(baseKey, i));
        }

        return Ok();
    }

    /// <summary>splinter_list: physical order, occupied slots with a non-empty value.</summary>
    public string Keys()
    {
        var text = new StringBuilder("keys:");
        foreach (Slot slot in _slots)
        {
            if (slot.Hash != 0 && slot.Length > 0)
            {
                text.Append(slot.Key).Append(';');
            }
        }

        return text.ToString();
    }

    /// <summary>SetMopMode: None clears both bits, Hybrid sets both, Full goes through None then sets AUTO only.</summary>
    public string SetMop(SplinterMopMode mode)
    {
        CoreFlags = mode switch
        {
            SplinterMopMode.None => (byte)(CoreFlags & ~(AutoScrub | HybridScrub)),
            SplinterMopMode.Hybrid => (byte)(CoreFlags | AutoScrub | HybridScrub),
            _ => (byte)((CoreFlags & ~(AutoScrub | HybridScrub)) | AutoScrub),
        };
        return Ok();
    }

    public string GetMop() => "mop:" + ((CoreFlags & HybridScrub) != 0 ? 1 : (CoreFlags & AutoScrub) != 0 ? 2 : 0);

    /// <summary>splinter_purge: every idle slot, empty or not, epoch +2; unused value bytes zeroed.</summary>
    public string Purge()
    {
        foreach (Slot slot in _slots)
        {
            if (slot.Hash == 0)
            {
                Array.Clear(slot.Region);
            }
            else if (slot.Length < MaxValueSize)
            {
                Array.Clear(slot.Region, slot.Length, MaxValueSize - slot.Length);
            }

            slot.Epoch += 2;
        }

        return Ok();
    }

    public string Header() => $"header:epoch {GlobalEpoch} flags {CoreFlags}";

    public string Snapshot(string key)
    {
        int index = Find(key);
        if (index < 0)
        {
            return "snapshot:none";
        }

        Slot s = _slots[index];
        return $"snapshot:{s.Key} epoch {s.Epoch} len {s.Length} type {s.Type} user {s.User} ctime {s.CTime} atime {s.ATime} labels {s.Bloom:X}";
    }

    public static string Snapshot(SplinterSlotSnapshot s) =>
        $"snapshot:{s.Key} epoch {s.Epoch} len {s.ValueLength} type {(byte)s.Type} user {(byte)s.UserFlags} ctime {s.CreationTime} atime {s.AccessTime} labels {s.Labels:X}";

    private sealed class Slot(int maxValueSize)
    {
        public ulong Hash;
        public string Key = string.Empty;
        public ulong Epoch;
        public int Length;
        public byte[] Region = new byte[maxValueSize];
        public byte Type = TypeVoid;
        public byte User;
        public ulong Watchers;
        public ulong CTime;
        public ulong ATime;
        public ulong Bloom;
    }
}
