using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// The key table's first entry, after checking that it has the 512 keys. The loops index it with
    /// <see cref="At{T}"/>, without an array bounds check per call, as the C loop (a static 512-entry table) and the raw
    /// loops (pointer arithmetic on a native key table) index theirs, so the rows compare the calls and not C#'s array
    /// access.
    /// </summary>
    private static ref T Table<T>(T[] keys)
    {
        if (keys.Length != Workload.KeyCount)
        {
            throw new ArgumentException($"The loops cycle over {Workload.KeyCount} keys; got {keys.Length}.", nameof(keys));
        }

        return ref MemoryMarshal.GetArrayDataReference(keys);
    }

    /// <summary>keys[i &amp; 511] of a table checked by <see cref="Table{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T At<T>(ref T table, long i) => Unsafe.Add(ref table, (nint)(i & KeyMask));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SetKey(SplinterStore store, SplinterKey[] keys, byte[] value, long ops)
    {
        ref SplinterKey table = ref Table(keys);
        ReadOnlySpan<byte> bytes = value;
        for (long i = 0; i < ops; i++)
        {
            store.Set(At(ref table, i), bytes);
        }

        return ops;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long SetString(SplinterStore store, string[] keys, byte[] value, long ops)
    {
        ref string table = ref Table(keys);
        ReadOnlySpan<byte> bytes = value;
        for (long i = 0; i < ops; i++)
        {
            store.Set(At(ref table, i), bytes);
        }

        return ops;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryGetKey(SplinterStore store, SplinterKey[] keys, byte[] buffer, long ops)
    {
        ref SplinterKey table = ref Table(keys);
        Span<byte> destination = buffer;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryGet(At(ref table, i), destination, out int length) ? length : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryGetString(SplinterStore store, string[] keys, byte[] buffer, long ops)
    {
        ref string table = ref Table(keys);
        Span<byte> destination = buffer;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryGet(At(ref table, i), destination, out int length) ? length : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long GetEpochKey(SplinterStore store, SplinterKey[] keys, long ops)
    {
        ref SplinterKey table = ref Table(keys);
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += store.GetEpoch(At(ref table, i));
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long GetEpochString(SplinterStore store, string[] keys, long ops)
    {
        ref string table = ref Table(keys);
        ulong sum = 0;
        for (long i = 0; i < ops; i++)
        {
            sum += store.GetEpoch(At(ref table, i));
        }

        return (long)sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryReadKey(SplinterStore store, SplinterKey[] keys, long ops)
    {
        ref SplinterKey table = ref Table(keys);
        SplinterValueReader<int, int> reader = FirstByte;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryRead(At(ref table, i), 0, reader, out int first) ? first : -1;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long TryReadString(SplinterStore store, string[] keys, long ops)
    {
        ref string table = ref Table(keys);
        SplinterValueReader<int, int> reader = FirstByte;
        long total = 0;
        for (long i = 0; i < ops; i++)
        {
            total += store.TryRead(At(ref table, i), 0, reader, out int first) ? first : -1;
        }

        return total;
    }

    /// <summary>Opens the store <paramref name="name"/> and disposes it, <paramref name="ops"/> times.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int OpenAndDispose(string name, long ops)
    {
        int slots = 0;
        for (long i = 0; i < ops; i++)
        {
            using SplinterStore store = SplinterStore.Open(name);
            slots += (int)store.SlotCount;
        }

        return slots;
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

    /// <summary>
    /// The <see cref="StoreOps"/> loops over this store, each taking its op count: the one list the callgrind regions
    /// (prefixed "store/") and store-times run.
    /// </summary>
    public (string Name, Func<long, long> Loop)[] Loops() =>
    [
        ("set_key", n => StoreOps.SetKey(Store, Keys, Value, n)),
        ("set_string", n => StoreOps.SetString(Store, Strings, Value, n)),
        ("tryget_key", n => StoreOps.TryGetKey(Store, Keys, Buffer, n)),
        ("tryget_string", n => StoreOps.TryGetString(Store, Strings, Buffer, n)),
        ("get_epoch_key", n => StoreOps.GetEpochKey(Store, Keys, n)),
        ("get_epoch_string", n => StoreOps.GetEpochString(Store, Strings, n)),
        ("tryread_key", n => StoreOps.TryReadKey(Store, Keys, n)),
        ("tryread_string", n => StoreOps.TryReadString(Store, Strings, n)),
    ];

    public void Dispose()
    {
        Store.Dispose();
        SplinterStore.Delete(Name);
    }
}
