using System;
using BenchmarkDotNet.Attributes;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Idiomatic layer (SplinterStore): set, TryGet into a 256-byte buffer, GetEpoch and the zero-copy TryRead, each with
/// a pre-encoded SplinterKey and with a string key. One benchmark op = one call, averaged over the 512-key cycle.
/// </summary>
[BenchmarkCategory("store")]
public class StoreBenchmarks
{
    private static readonly SplinterValueReader<int, int> s_firstByte = static (value, _) => value.Length == 0 ? 0 : value[0];

    private readonly byte[] _value = Workload.Value();
    private readonly byte[] _buffer = new byte[Workload.MaxValue];
    private SplinterKey[] _keys = [];
    private string[] _strings = [];
    private SplinterStore? _store;
    private string? _name;

    [GlobalSetup]
    public void Setup()
    {
        _name = Workload.UniqueStoreName("store");
        SplinterStore.Delete(_name);
        _store = SplinterStore.Create(_name, Workload.Slots, Workload.MaxValue);
        _strings = new string[Workload.KeyCount];
        _keys = new SplinterKey[Workload.KeyCount];
        for (int i = 0; i < Workload.KeyCount; i++)
        {
            _strings[i] = Workload.KeyText(i);
            _keys[i] = new SplinterKey(_strings[i]);
            _store.Set(_keys[i], _value);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _store = null;
        if (_name is not null)
        {
            SplinterStore.Delete(_name);
        }
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public void SetKey()
    {
        SplinterStore store = _store!;
        SplinterKey[] keys = _keys;
        ReadOnlySpan<byte> value = _value;
        for (int i = 0; i < keys.Length; i++)
        {
            store.Set(keys[i], value);
        }
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public void SetString()
    {
        SplinterStore store = _store!;
        string[] keys = _strings;
        ReadOnlySpan<byte> value = _value;
        for (int i = 0; i < keys.Length; i++)
        {
            store.Set(keys[i], value);
        }
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public int TryGetKey()
    {
        SplinterStore store = _store!;
        SplinterKey[] keys = _keys;
        Span<byte> buffer = _buffer;
        int total = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            total += store.TryGet(keys[i], buffer, out int length) ? length : -1;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public int TryGetString()
    {
        SplinterStore store = _store!;
        string[] keys = _strings;
        Span<byte> buffer = _buffer;
        int total = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            total += store.TryGet(keys[i], buffer, out int length) ? length : -1;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public ulong GetEpochKey()
    {
        SplinterStore store = _store!;
        SplinterKey[] keys = _keys;
        ulong sum = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            sum += store.GetEpoch(keys[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public ulong GetEpochString()
    {
        SplinterStore store = _store!;
        string[] keys = _strings;
        ulong sum = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            sum += store.GetEpoch(keys[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public int TryReadKey()
    {
        SplinterStore store = _store!;
        SplinterKey[] keys = _keys;
        int total = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            total += store.TryRead(keys[i], 0, s_firstByte, out int first) ? first : -1;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public int TryReadString()
    {
        SplinterStore store = _store!;
        string[] keys = _strings;
        int total = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            total += store.TryRead(keys[i], 0, s_firstByte, out int first) ? first : -1;
        }

        return total;
    }
}
