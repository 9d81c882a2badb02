using System.Runtime.CompilerServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Benchmarks;

/// <summary>
/// The raw-layer loops, one method per layer and operation, each the managed twin of a bench_loop_* function
/// of bench/native/splinter_bench.c: <c>ops</c> calls cycling over the 512 keys. BenchmarkDotNet calls them
/// with 512 ops; the callgrind mode with many more.
/// </summary>
internal static unsafe class RawOps
{
    private const int KeyMask = Workload.KeyCount - 1;

    // ---- static [LibraryImport] bindings (LibSplinter) --------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long StaticSet(NativeKeyTable table, long ops)
    {
        sbyte* keys = table.Keys;
        byte* value = table.Value;
        long failures = 0;
        for (long i = 0; i < ops; i++)
        {
            failures += LibSplinter.splinter_set(keys + ((i & KeyMask) * Workload.KeyStride), value, Workload.ValueLength) != 0 ? 1 : 0;
        }

        return failures;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    public static long StaticGet(NativeKeyTable table, long ops)
    {
        sbyte* keys = table.Keys;
        byte* buffer = stackalloc byte[Workload.MaxValue];
        nuint length = 0;
        long failures = 0;
        for (long i = 0; i < ops; i++)
        {
            failures += LibSplinter.splinter_get(keys + ((i & KeyMask) * Workload.KeyStride), buffer, Workload.MaxValue, &length) != 0 ? 1 : 0;
        }

        return failures + (long)length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long StaticGetEpoch(NativeKeyTable table, long ops)
    {
        sbyte* keys = table.Keys;
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += LibSplinter.splinter_get_epoch(keys + ((i & KeyMask) * Workload.KeyStride));
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long StaticGetRawPtr(NativeKeyTable table, long ops)
    {
        sbyte* keys = table.Keys;
        nuint length = 0;
        ulong epoch = 0;
        nuint sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += (nuint)LibSplinter.splinter_get_raw_ptr(keys + ((i & KeyMask) * Workload.KeyStride), &length, &epoch);
        }

        return (long)(sum + length + (nuint)epoch);
    }

    // ---- function-pointer table (SplinterApi) ----------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long PointerSet(SplinterApi api, NativeKeyTable table, long ops)
    {
        var set = api.splinter_set;
        sbyte* keys = table.Keys;
        byte* value = table.Value;
        long failures = 0;
        for (long i = 0; i < ops; i++)
        {
            failures += set(keys + ((i & KeyMask) * Workload.KeyStride), value, Workload.ValueLength) != 0 ? 1 : 0;
        }

        return failures;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    public static long PointerGet(SplinterApi api, NativeKeyTable table, long ops)
    {
        var get = api.splinter_get;
        sbyte* keys = table.Keys;
        byte* buffer = stackalloc byte[Workload.MaxValue];
        nuint length = 0;
        long failures = 0;
        for (long i = 0; i < ops; i++)
        {
            failures += get(keys + ((i & KeyMask) * Workload.KeyStride), buffer, Workload.MaxValue, &length) != 0 ? 1 : 0;
        }

        return failures + (long)length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long PointerGetEpoch(SplinterApi api, NativeKeyTable table, long ops)
    {
        var getEpoch = api.splinter_get_epoch;
        sbyte* keys = table.Keys;
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += getEpoch(keys + ((i & KeyMask) * Workload.KeyStride));
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long PointerGetRawPtr(SplinterApi api, NativeKeyTable table, long ops)
    {
        var getRawPtr = api.splinter_get_raw_ptr;
        sbyte* keys = table.Keys;
        nuint length = 0;
        ulong epoch = 0;
        nuint sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += (nuint)getRawPtr(keys + ((i & KeyMask) * Workload.KeyStride), &length, &epoch);
        }

        return (long)(sum + length + (nuint)epoch);
    }
}
