using BenchmarkDotNet.Attributes;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// Opening stores: SplinterStore.Open + Dispose of a store this process does not have open (its own library copy,
/// taken from the pool, the pre-open check, the proof that both mappings are one object, splinter_open, and Dispose
/// with its gate-closing GC and splinter_close), and of a store it has open already (a second handle: no native call).
/// Compared with C's splinter_open of a second store, which closes the one opened before (a C process has one store).
/// </summary>
[BenchmarkCategory("store-open")]
public class StoreOpenBenchmarks
{
    private ManagedStore? _extra;
    private ManagedStore? _held;

    [GlobalSetup]
    public void Setup()
    {
        _extra = new ManagedStore("open_extra");
        _extra.Store.Dispose(); // closed: every Open below opens it anew with a pooled library copy
        _held = new ManagedStore("open_held");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _extra?.Dispose();
        _held?.Dispose();
        _extra = null;
        _held = null;
    }

    /// <summary>Open and dispose a store that is not open in this process.</summary>
    [Benchmark]
    public int OpenExtraStore() => StoreOps.OpenAndDispose(_extra!.Name, 1);

    /// <summary>Open and dispose a second handle on a store that stays open.</summary>
    [Benchmark]
    public int OpenOpenStoreAgain() => StoreOps.OpenAndDispose(_held!.Name, 1);
}
