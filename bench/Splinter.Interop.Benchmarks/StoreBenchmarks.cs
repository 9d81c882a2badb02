using BenchmarkDotNet.Attributes;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Idiomatic layer (SplinterStore): set, TryGet into a 256-byte buffer, GetEpoch and the zero-copy TryRead, each with
/// a pre-encoded SplinterKey and with a string key. One benchmark op = one call, averaged over the 512-key cycle.
/// </summary>
[BenchmarkCategory("store")]
public class StoreBenchmarks
{
    private ManagedStore? _store;

    [GlobalSetup]
    public void Setup() => _store = new ManagedStore("store");

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _store = null;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long SetKey() => StoreOps.SetKey(_store!.Store, _store.Keys, _store.Value, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long SetString() => StoreOps.SetString(_store!.Store, _store.Strings, _store.Value, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long TryGetKey() => StoreOps.TryGetKey(_store!.Store, _store.Keys, _store.Buffer, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long TryGetString() => StoreOps.TryGetString(_store!.Store, _store.Strings, _store.Buffer, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetEpochKey() => StoreOps.GetEpochKey(_store!.Store, _store.Keys, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetEpochString() => StoreOps.GetEpochString(_store!.Store, _store.Strings, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long TryReadKey() => StoreOps.TryReadKey(_store!.Store, _store.Keys, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long TryReadString() => StoreOps.TryReadString(_store!.Store, _store.Strings, Workload.KeyCount);
}
