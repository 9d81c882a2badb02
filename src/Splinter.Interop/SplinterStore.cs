using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// An open libsplinter store. A process can have any number of stores open, of both variants and flavours: each store
/// is held by a private copy of its library (libsplinter keeps its current store in process globals), and opening a
/// store this process already has open gives another <see cref="SplinterStore"/> on the same open store, which each
/// dispose independently (the last one closes it). <see cref="Dispose"/> never closes the store under a call in
/// flight: such a call completes, or throws <see cref="ObjectDisposedException"/> as any call after Dispose does. All
/// members are thread-safe.
/// The store's own members are the everyday ones (values, keys, labels, waits, <see cref="Events"/>); the specialist
/// features sit behind <see cref="Slots"/>, <see cref="Integers"/>, <see cref="Signals"/>, <see cref="Header"/>,
/// <see cref="Shards"/> and <see cref="Tandem"/>.
/// </summary>
public sealed unsafe partial class SplinterStore : IDisposable
{
    private readonly StoreHandle _handle;
    private readonly SplinterApi _api;
    private readonly OpenStore _shared;
    private readonly long _contentionBudget;
    private HotCallGate _gate; // a mutable struct: never copy it
    private int _disposed;

    private SplinterStore(string name, SplinterVariant variant, string backingPath, OpenStore shared, StoreHandle handle, TimeSpan contentionTimeout)
    {
        Name = name;
        Variant = variant;
        BackingPath = backingPath;
        _shared = shared;
        _api = shared.Api;
        _handle = handle;
        _mapped = new MappedStore((byte*)shared.Mapping, shared.SlotSize);
        _contentionBudget = Math.Max(1, (long)(contentionTimeout.TotalSeconds * Stopwatch.Frequency));
        _gate = new HotCallGate(_api, _mapped.MaxValueSize);
        Shards = new SplinterShards(this);
        Signals = new SplinterSignals(this);
        Slots = new SplinterSlots(this);
        Header = new SplinterHeader(this);
        Integers = new SplinterIntegers(this);
        Tandem = new SplinterTandem(this);
#if SPLINTER_EMBEDDINGS
        Embeddings = new SplinterEmbeddings(this);
#endif
        SplinterMetrics.StoreOpened();
    }

    /// <summary>The name or path the store was opened with.</summary>
    public string Name { get; }

    /// <summary>The library variant backing the store.</summary>
    public SplinterVariant Variant { get; }

    /// <summary>The file behind the store: /dev/shm/&lt;name&gt; or the persistent file's path.</summary>
    public string BackingPath { get; }

    /// <summary>The library file whose private copy holds this store (which build and flavour backs it, for diagnostics).</summary>
    public string LibraryPath => _shared.Library.Pool.File.Path;

    /// <summary>Number of slots (the most keys the store can hold).</summary>
    public uint SlotCount => _mapped.SlotCount;

    /// <summary>The largest value in bytes.</summary>
    public uint MaxValueSize => _mapped.MaxValueSize;

    /// <summary>True once <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0 || _handle.IsClosed;

    /// <summary>The function table of this store's library copy.</summary>
    internal SplinterApi Api => _api;

    /// <summary>How long a busy slot is waited out, in Stopwatch ticks (<see cref="SplinterStoreOptions.ContentionTimeout"/>).</summary>
    internal long ContentionBudget => _contentionBudget;

    /// <summary>The open store this object is a handle on (shared with every SplinterStore of the same object).</summary>
    internal OpenStore Shared => _shared;

    /// <summary>Bytes per slot: the store's flavour (<see cref="StoreFormat"/>) and the stride of its slot array.</summary>
    internal int SlotSize => _shared.SlotSize;

    /// <summary>The store in the C# layer's own mapping (geometry, slots, the slot reader); a ref to the store's own field.</summary>
    internal ref MappedStore Mapped => ref _mapped;

    /// <summary>The header in the C# layer's own read-write mapping; valid while a lease is held.</summary>
    internal splinter_header* MappedHeader => _mapped.Header;

    /// <summary>Creates a new store and opens it.</summary>
    /// <param name="nameOrPath">shm object name (shared-memory variant; a leading '/' is optional) or file path (persistent variant).</param>
    /// <param name="slotCount">Number of slots, at least 1.</param>
    /// <param name="maxValueSize">Largest value in bytes, at least 1.</param>
    /// <param name="options">Variant, permissions, contention budget (null: <see cref="SplinterStoreOptions.Default"/>).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="SplinterException">The store exists (EEXIST), the file system is full (ENOSPC, with the size needed) or the system refused (errno).</exception>
    /// <exception cref="SplinterLibraryMismatchException">The library does not match the bindings.</exception>
    public static SplinterStore Create(string nameOrPath, uint slotCount, uint maxValueSize, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, StoreOpening.Mode.Create, slotCount, maxValueSize, options ?? SplinterStoreOptions.Default);

    /// <summary>Opens an existing store after checking that it is one.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="options">Variant and contention budget (null: <see cref="SplinterStoreOptions.Default"/>).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="SplinterStoreNotFoundException">No such store.</exception>
    /// <exception cref="SplinterStoreFormatException">The object is not a usable store (size, magic, version, geometry), or no library of its flavour is found.</exception>
    /// <exception cref="SplinterLibraryMismatchException">The library does not match the bindings.</exception>
    public static SplinterStore Open(string nameOrPath, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, StoreOpening.Mode.Open, 0, 0, options ?? SplinterStoreOptions.Default);

    /// <summary>Opens the store if it exists (its own geometry wins), otherwise creates it with the given geometry.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="slotCount">Number of slots if it is created.</param>
    /// <param name="maxValueSize">Largest value in bytes if it is created.</param>
    /// <param name="options">Variant, permissions, contention budget.</param>
    /// <returns>The open store.</returns>
    public static SplinterStore OpenOrCreate(string nameOrPath, uint slotCount, uint maxValueSize, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, StoreOpening.Mode.OpenOrCreate, slotCount, maxValueSize, options ?? SplinterStoreOptions.Default);

    /// <summary>Removes a store's object (shm name or file). The library never removes stores itself.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="variant">Which kind of object the name denotes.</param>
    /// <returns>True if it was removed, false if it did not exist.</returns>
    public static bool Delete(string nameOrPath, SplinterVariant variant = SplinterVariant.SharedMemory)
    {
        StoreNames.Validate(nameOrPath, variant, nameof(nameOrPath));
        fixed (byte* name = StoreNames.ToUtf8z(nameOrPath))
        {
            int result = StoreNative.Remove(name, variant);
            if (result == 0)
            {
                return true;
            }

            if (result == -Errno.ENOENT)
            {
                return false;
            }

            throw new SplinterException($"Cannot delete the store '{nameOrPath}': {Errno.Name(-result)}.", -result);
        }
    }

    /// <summary>Tells whether a store object exists under the name or path (without checking its content).</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="variant">Which kind of object the name denotes.</param>
    /// <returns>True if the object exists.</returns>
    public static bool Exists(string nameOrPath, SplinterVariant variant = SplinterVariant.SharedMemory)
    {
        StoreNames.Validate(nameOrPath, variant, nameof(nameOrPath));
        return File.Exists(StoreNames.ObjectPath(nameOrPath, variant));
    }

    /// <summary>Closes the store once no call is running any more; later calls throw ObjectDisposedException. The store's object is kept (see <see cref="Delete"/>).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        SplinterMetrics.StoreClosed();

        // Three protocols, one per kind of call, in this order: the mapping reads (CloseFlag), the event layer, the gated
        // set (HotCallGate), then the leased native calls (StoreHandle; the store closes with the last handle on it).
        _mapped.Close();
        OnDisposing();
        _gate.Close();
        _handle.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"SplinterStore '{Name}' ({Variant}, {SlotCount} slots x {MaxValueSize} bytes{(IsDisposed ? ", disposed" : string.Empty)})";

    /// <summary>Takes a reference on the store for one operation (<see cref="StoreHandle.Lease"/>); throws ObjectDisposedException after Dispose.</summary>
    internal StoreLease Lease() => _handle.Lease(Name);

    private static SplinterStore OpenCore(string nameOrPath, StoreOpening.Mode mode, uint slotCount, uint maxValueSize, SplinterStoreOptions options)
    {
        StoreOpening.Request request = StoreOpening.Check(nameOrPath, mode, slotCount, maxValueSize, options);
        lock (StoreRegistry.Lock)
        {
            OpenStore shared = StoreOpening.Open(request, mode);

            // From here the handle owns this SplinterStore's share of the open store: releasing it gives the share back.
            var handle = new StoreHandle(shared);
            try
            {
                return new SplinterStore(nameOrPath, request.Variant, request.Path, shared, handle, options.ContentionTimeout);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
    }

    /// <summary>Called once at the start of <see cref="Dispose"/>. Implemented by the event layer.</summary>
    partial void OnDisposing();
}
