using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Benchmarks.Callgrind;

/// <summary>
/// Mode "callgrind": runs every raw-layer loop (<see cref="RawOps"/>) and every idiomatic loop (<see cref="StoreOps"/>)
/// once inside bench_cg_region (bench/callgrind/cg_region.c), each after two warm runs of the same loop through
/// bench_cg_warm. Run it under
/// <c>valgrind --tool=callgrind --instr-atstart=no --toggle-collect=bench_cg_region --dump-after=bench_cg_region</c>: each region is
/// dumped as its own part, in the order printed on stdout ("region NAME OPS"), so instructions/op = Ir / OPS.
/// Start it with DOTNET_TieredCompilation=0 so the warm runs leave fully optimized code, and give valgrind
/// <c>--aspace-minaddr=0x100000000</c> (bench/callgrind/dotnet-valgrind.sh has both, bench/run.sh and
/// bench/callgrind/breakdown.sh use it). Without that option valgrind maps the runtime below 2 GiB; there the x64 JIT's
/// optimized compile of every method that calls through an indirection cell (a managed callee or a runtime helper)
/// fails an emitter assertion (absolute 32-bit cell address plus a REL32 relocation hint) and the JIT silently
/// recompiles it with MinOpts: measured 2026-11-25 (.NET 10.0.12, valgrind 3.19) 124 of 185 methods, among them
/// every StoreOps loop, the SplinterStore hot methods and RawOps StaticSet/PointerSet, so the store rows overstated
/// the idiomatic layer's cost by 30-74%. With the client above 4 GiB all methods are FullOpts and the compiled
/// methods and code sizes match a run without valgrind (with AVX-512 off, which valgrind does not emulate).
/// Check with DOTNET_JitStdOutFile + DOTNET_JitDisasmSummary=1 (bench/run.sh does and warns on any MinOpts method).
/// </summary>
internal static unsafe class CallgrindLoops
{
    private static Func<long, long>? s_current;
    private static long s_sink;

    public static int Run(string regionLibrary, long ops)
    {
        nint library = NativeLibrary.Load(regionLibrary);
        var warm = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<long, void>, long, void>)NativeLibrary.GetExport(library, "bench_cg_warm");
        var region = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<long, void>, long, void>)NativeLibrary.GetExport(library, "bench_cg_region");
        var instrument = (delegate* unmanaged[Cdecl]<void>)NativeLibrary.GetExport(library, "bench_cg_instrument");

        // The runtime's start-up ran uninstrumented (--instr-atstart=no); from here on callgrind sees every instruction.
        instrument();

        void Measure(string name, Func<long, long> loop, long warmOps = 2 * Workload.KeyCount, long? regionOps = null)
        {
            s_current = loop;
            warm(&Body, warmOps);
            warm(&Body, warmOps);
            long measured = regionOps ?? ops;
            region(&Body, measured);
            Console.WriteLine($"region {name} {measured}");
        }

        using (RawStore raw = RawStore.CreateStatic("callgrind_raw"))
        {
            SplinterApi api = SplinterApi.Load(SplinterLibrary.GetHandle(SplinterVariant.SharedMemory));
            NativeKeyTable table = raw.Table;
            Measure("raw-static/set", n => RawOps.StaticSet(table, n));
            Measure("raw-static/get", n => RawOps.StaticGet(table, n));
            Measure("raw-static/get_epoch", n => RawOps.StaticGetEpoch(table, n));
            Measure("raw-static/get_raw_ptr", n => RawOps.StaticGetRawPtr(table, n));
            Measure("raw-fnptr/set", n => RawOps.PointerSet(api, table, n));
            Measure("raw-fnptr/get", n => RawOps.PointerGet(api, table, n));
            Measure("raw-fnptr/get_epoch", n => RawOps.PointerGetEpoch(api, table, n));
            Measure("raw-fnptr/get_raw_ptr", n => RawOps.PointerGetRawPtr(api, table, n));
        }

        using (ManagedStore managed = new("callgrind_store"))
        {
            foreach ((string name, Func<long, long> loop) in managed.Loops())
            {
                Measure("store/" + name, loop);
            }

            // Opens make system calls and Dispose runs a GC: far fewer of them (1/1000 of the ops, at least 20).
            long opens = Math.Max(20, ops / 1000);
            Measure("store/open_again", n => StoreOps.OpenAndDispose(managed.Name, n), warmOps: 4, regionOps: opens);
        }

        using (ManagedStore extra = new("callgrind_open"))
        {
            extra.Store.Dispose();
            long opens = Math.Max(20, ops / 1000);
            Measure("store/open_extra", n => StoreOps.OpenAndDispose(extra.Name, n), warmOps: 4, regionOps: opens);
        }

        GC.KeepAlive(s_sink);
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Body(long ops) => s_sink += s_current!(ops);
}
