using System;
using System.Runtime.CompilerServices;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// The idiomatic-layer loops (SplinterStore), the managed twins of bench/native's loops: <c>ops</c> calls cycling
/// over the 512 keys. BenchmarkDotNet calls them with 512 ops; the callgrind mode with many more.
/// </summary>
internal static class StoreOps
{
    private const int KeyMask = Workload.KeyCount - 1;

    /// <summary>The zero-copy reader: the value's first byte (touches the shared bytes, allocates nothing).</summary>
    public static readonly SplinterValueReader<int, int> FirstByte = static (value, _) => value.Length == 0 ? 0 : value[0];

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SetKey(SplinterStore store, SplinterKey[] keys, byte[] value, long ops)
    {
        ReadOnlySpan<byte> bytes = value;
        for (long i = 0; i < ops; i++)
        {
            store.Set(keys[i & KeyMask], bytes);
        }

        return ops;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SetString(SplinterStore store, string[] keys, byte[] value, long ops)
    {
        ReadOnlySpan<byte> bytes = value;
        for (long i = 0; i < ops; i++)
        {
            store.Set(keys[i & KeyMask], bytes);
        }

        return ops;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryGetKey(SplinterStore store, SplinterKey[] keys, byte[] buffer, long ops)
    {
        Span<byte> destination = buffer;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryGet(keys[i & KeyMask], destination, out int length) ? length : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryGetString(SplinterStore store, string[] keys, byte[] buffer, long ops)
    {
        Span<byte> destination = buffer;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryGet(keys[i & KeyMask], destination, out int length) ? length : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long GetEpochKey(SplinterStore store, SplinterKey[] keys, long ops)
    {
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += store.GetEpoch(keys[i & KeyMask]);
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long GetEpochString(SplinterStore store, string[] keys, long ops)
    {
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += store.GetEpoch(keys[i & KeyMask]);
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryReadKey(SplinterStore store, SplinterKey[] keys, long ops)
    {
        SplinterValueReader<int, int> reader = FirstByte;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryRead(keys[i & KeyMask], 0, reader, out int first) ? first : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryReadString(SplinterStore store, string[] keys, long ops)
    {
        SplinterValueReader<int, int> reader = FirstByte;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryRead(keys[i & KeyMask], 0, reader, out int first) ? first : -1;
        }

        return total;
    }
}

/// <summary>A filled benchmark store opened through the idiomatic layer, deleted on dispose.</summary>
internal sealed class ManagedStore : IDisposable
{
    public ManagedStore(string purpose)
    {
        Name = Workload.UniqueStoreName(purpose);
        SplinterStore.Delete(Name);
        Store = SplinterStore.Create(Name, Workload.Slots, Workload.MaxValue);
        Strings = new string[Workload.KeyCount];
        Keys = new SplinterKey[Workload.KeyCount];
        for (int i = 0; i < Workload.KeyCount; i++)
        {
            Strings[i] = Workload.KeyText(i);
            Keys[i] = new SplinterKey(Strings[i]);
            Store.Set(Keys[i], Value);
        }
    }

    public string Name { get; }

    public SplinterStore Store { get; }

    public SplinterKey[] Keys { get; }

    public string[] Strings { get; }

    public byte[] Value { get; } = Workload.Value();

    public byte[] Buffer { get; } = new byte[Workload.MaxValue];

    public void Dispose()
    {
        Store.Dispose();
        SplinterStore.Delete(Name);
    }
}
