using BenchmarkDotNet.Attributes;
using Splinter.Interop.Native;

namespace Splinter.Interop.Benchmarks;

/// <summary>Raw layer, static [LibraryImport] bindings: one benchmark op = one call, averaged over the 512-key cycle.</summary>
[BenchmarkCategory("raw-static")]
public class RawStaticBenchmarks
{
    private RawStore? _store;

    [GlobalSetup]
    public void Setup() => _store = RawStore.CreateStatic("raw_static");

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _store = null;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long Set() => RawOps.StaticSet(_store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long Get() => RawOps.StaticGet(_store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetEpoch() => RawOps.StaticGetEpoch(_store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetRawPtr() => RawOps.StaticGetRawPtr(_store!.Table, Workload.KeyCount);
}

/// <summary>Raw layer, SplinterApi function pointers (the table the idiomatic layer calls through).</summary>
[BenchmarkCategory("raw-fnptr")]
public class RawPointerBenchmarks
{
    private RawStore? _store;
    private SplinterApi? _api;

    [GlobalSetup]
    public void Setup()
    {
        _api = SplinterApi.Load(SplinterLibrary.GetHandle(SplinterVariant.SharedMemory));
        _store = RawStore.CreateWithPointers("raw_fnptr", _api);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _store = null;
    }

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long Set() => RawOps.PointerSet(_api!, _store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long Get() => RawOps.PointerGet(_api!, _store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetEpoch() => RawOps.PointerGetEpoch(_api!, _store!.Table, Workload.KeyCount);

    [Benchmark(OperationsPerInvoke = Workload.KeyCount)]
    public long GetRawPtr() => RawOps.PointerGetRawPtr(_api!, _store!.Table, Workload.KeyCount);
}
