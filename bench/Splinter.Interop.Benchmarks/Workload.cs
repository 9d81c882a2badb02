using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// The workload of bench/native/splinter_bench.c, shared by every managed benchmark: a store of
/// 1024 slots x 256-byte values holding 512 keys "key:000000".."key:000511" with 64-byte values.
/// Every benchmark op walks the 512 keys in order, like the C loop's keys[i &amp; 511].
/// </summary>
internal static class Workload
{
    public const int Slots = 1024;
    public const int MaxValue = 256;
    public const int KeyCount = 512;
    public const int ValueLength = 64;

    /// <summary>Bytes per key in the native key table (like the C program's char keys[512][16]).</summary>
    public const int KeyStride = 16;

    private static int s_storeCounter;

    /// <summary>A store name nobody else uses: the pid and a per-process counter.</summary>
    public static string UniqueStoreName(string purpose) =>
        $"spl_bench_{purpose}_{Environment.ProcessId}_{Interlocked.Increment(ref s_storeCounter)}";

    /// <summary>The text of key <paramref name="index"/>.</summary>
    public static string KeyText(int index) => $"key:{index:D6}";

    /// <summary>The 64-byte value every set writes ('a'..'z' repeating, as in the C program).</summary>
    public static byte[] Value()
    {
        byte[] value = new byte[ValueLength];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + (i % 26));
        }

        return value;
    }
}

/// <summary>
/// The keys and the value in unmanaged memory, laid out like the C program's static arrays, for the raw
/// layer (which takes NUL-terminated char pointers).
/// </summary>
internal sealed unsafe class NativeKeyTable : IDisposable
{
    private byte* _keys;
    private byte* _value;

    public NativeKeyTable()
    {
        _keys = (byte*)NativeMemory.AlignedAlloc((nuint)(Workload.KeyCount * Workload.KeyStride), 64);
        NativeMemory.Clear(_keys, (nuint)(Workload.KeyCount * Workload.KeyStride));
        for (int i = 0; i < Workload.KeyCount; i++)
        {
            int written = Encoding.ASCII.GetBytes(Workload.KeyText(i), new Span<byte>(_keys + (i * Workload.KeyStride), Workload.KeyStride - 1));
            _keys[(i * Workload.KeyStride) + written] = 0;
        }

        _value = (byte*)NativeMemory.AlignedAlloc(Workload.ValueLength, 64);
        Workload.Value().CopyTo(new Span<byte>(_value, Workload.ValueLength));
    }

    /// <summary>The first key; key i is at Keys + i * KeyStride.</summary>
    public sbyte* Keys => (sbyte*)_keys;

    /// <summary>The 64-byte value.</summary>
    public byte* Value => _value;

    public void Dispose()
    {
        NativeMemory.AlignedFree(_keys);
        NativeMemory.AlignedFree(_value);
        _keys = null;
        _value = null;
    }
}
