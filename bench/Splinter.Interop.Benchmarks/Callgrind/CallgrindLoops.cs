using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Benchmarks.Callgrind;

/// <summary>
/// Mode "callgrind": runs every raw-layer loop of <see cref="RawOps"/> once inside bench_cg_region
/// (bench/callgrind/cg_region.c), after a warm run of the same loop through bench_cg_warm. Run it under
/// <c>valgrind --tool=callgrind --toggle-collect=bench_cg_region --dump-after=bench_cg_region</c>: each region
/// is dumped as its own part, in the order printed on stdout ("region NAME OPS"), so instructions/op = Ir / OPS.
/// Start it with DOTNET_TieredCompilation=0 so the warm run leaves fully optimized code behind.
/// </summary>
internal static unsafe class CallgrindLoops
{
    private static readonly List<(string Name, Func<long, long> Loop)> s_loops = [];
    private static Func<long, long>? s_current;
    private static long s_sink;

    public static int Run(string regionLibrary, long ops)
    {
        nint library = NativeLibrary.Load(regionLibrary);
        var warm = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<long, void>, long, void>)NativeLibrary.GetExport(library, "bench_cg_warm");
        var region = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<long, void>, long, void>)NativeLibrary.GetExport(library, "bench_cg_region");
        delegate* unmanaged[Cdecl]<long, void> body = &Body;

        using RawStore store = RawStore.CreateStatic("callgrind");
        SplinterApi api = SplinterLibrary.GetApi(SplinterVariant.SharedMemory);
        NativeKeyTable table = store.Table;
        s_loops.Add(("raw-static/set", n => RawOps.StaticSet(table, n)));
        s_loops.Add(("raw-static/get", n => RawOps.StaticGet(table, n)));
        s_loops.Add(("raw-static/get_epoch", n => RawOps.StaticGetEpoch(table, n)));
        s_loops.Add(("raw-static/get_raw_ptr", n => RawOps.StaticGetRawPtr(table, n)));
        s_loops.Add(("raw-fnptr/set", n => RawOps.PointerSet(api, table, n)));
        s_loops.Add(("raw-fnptr/get", n => RawOps.PointerGet(api, table, n)));
        s_loops.Add(("raw-fnptr/get_epoch", n => RawOps.PointerGetEpoch(api, table, n)));
        s_loops.Add(("raw-fnptr/get_raw_ptr", n => RawOps.PointerGetRawPtr(api, table, n)));

        foreach ((string name, Func<long, long> loop) in s_loops)
        {
            s_current = loop;
            warm(body, 2 * Workload.KeyCount);
            warm(body, 2 * Workload.KeyCount);
            region(body, ops);
            Console.WriteLine($"region {name} {ops}");
        }

        GC.KeepAlive(s_sink);
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Body(long ops) => s_sink += s_current!(ops);
}
