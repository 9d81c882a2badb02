using System;
using System.Text;
using Splinter.Interop.Native;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// A benchmark store opened through the raw layer only: created with splinter_create, filled with the 512
/// keys, closed with splinter_close and removed (the library never removes stores) on dispose.
/// </summary>
internal sealed unsafe class RawStore : IDisposable
{
    private readonly byte[] _name;
    private bool _open;

    private RawStore(string name, NativeKeyTable table)
    {
        Name = name;
        Table = table;
        _name = Encoding.UTF8.GetBytes(name + "\0");
    }

    public string Name { get; }

    public NativeKeyTable Table { get; }

    /// <summary>Creates and fills a store through the static [LibraryImport] bindings.</summary>
    public static RawStore CreateStatic(string purpose)
    {
        RawStore store = new(Workload.UniqueStoreName(purpose), new NativeKeyTable());
        fixed (byte* name = store._name)
        {
            SplinterStore.Delete(store.Name);
            Check(LibSplinter.splinter_create((sbyte*)name, Workload.Slots, Workload.MaxValue), "splinter_create", store.Name);
        }

        store._open = true;
        for (int i = 0; i < Workload.KeyCount; i++)
        {
            Check(LibSplinter.splinter_set(store.Table.Keys + (i * Workload.KeyStride), store.Table.Value, Workload.ValueLength), "splinter_set", store.Name);
        }

        return store;
    }

    /// <summary>Creates and fills a store through the SplinterApi function-pointer table.</summary>
    public static RawStore CreateWithPointers(string purpose, SplinterApi api)
    {
        RawStore store = new(Workload.UniqueStoreName(purpose), new NativeKeyTable());
        fixed (byte* name = store._name)
        {
            SplinterStore.Delete(store.Name);
            Check(api.splinter_create((sbyte*)name, Workload.Slots, Workload.MaxValue), "splinter_create", store.Name);
        }

        store._open = true;
        for (int i = 0; i < Workload.KeyCount; i++)
        {
            Check(api.splinter_set(store.Table.Keys + (i * Workload.KeyStride), store.Table.Value, Workload.ValueLength), "splinter_set", store.Name);
        }

        return store;
    }

    public void Dispose()
    {
        if (_open)
        {
            LibSplinter.splinter_close();
            _open = false;
        }

        SplinterStore.Delete(Name);

        Table.Dispose();
    }

    private static void Check(int result, string function, string storeName)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{function} failed with {result} on the benchmark store '{storeName}'.");
        }
    }
}
