using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;
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

    private enum OpenMode
    {
        Create,
        Open,
        OpenOrCreate,
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
        OpenCore(nameOrPath, OpenMode.Create, slotCount, maxValueSize, options ?? SplinterStoreOptions.Default);

    /// <summary>Opens an existing store after checking that it is one.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="options">Variant and contention budget (null: <see cref="SplinterStoreOptions.Default"/>).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="SplinterStoreNotFoundException">No such store.</exception>
    /// <exception cref="SplinterStoreFormatException">The object is not a usable store (size, magic, version, geometry), or no library of its flavour is found.</exception>
    /// <exception cref="SplinterLibraryMismatchException">The library does not match the bindings.</exception>
    public static SplinterStore Open(string nameOrPath, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, OpenMode.Open, 0, 0, options ?? SplinterStoreOptions.Default);

    /// <summary>Opens the store if it exists (its own geometry wins), otherwise creates it with the given geometry.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="slotCount">Number of slots if it is created.</param>
    /// <param name="maxValueSize">Largest value in bytes if it is created.</param>
    /// <param name="options">Variant, permissions, contention budget.</param>
    /// <returns>The open store.</returns>
    public static SplinterStore OpenOrCreate(string nameOrPath, uint slotCount, uint maxValueSize, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, OpenMode.OpenOrCreate, slotCount, maxValueSize, options ?? SplinterStoreOptions.Default);

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

    private static SplinterStore OpenCore(string nameOrPath, OpenMode mode, uint slotCount, uint maxValueSize, SplinterStoreOptions options)
    {
        LinuxOnly.ThrowIfNotLinux(); // before anything touches the file system or loads a library
        ArgumentNullException.ThrowIfNull(options);
        SplinterVariant variant = options.Variant;
        StoreNames.Validate(nameOrPath, variant, nameof(nameOrPath));
        if (options.ContentionTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ContentionTimeout, "ContentionTimeout cannot be negative.");
        }

        if (mode != OpenMode.Open)
        {
            ValidateGeometry(slotCount, maxValueSize);
        }

        SplinterLibrary.CheckUserLibrary(variant);
        string path = StoreNames.ObjectPath(nameOrPath, variant);
        var request = new OpenRequest(nameOrPath, path, variant, slotCount, maxValueSize, options);
        lock (StoreRegistry.Lock)
        {
            OpenStore shared;
            switch (mode)
            {
                case OpenMode.Open:
                    using (SafeFileHandle file = StoreMapping.OpenForCheck(path, nameOrPath, variant, out ulong size, out FileIdentity identity))
                    {
                        shared = OpenExisting(request, file, size, identity, useOpenOrCreate: false);
                    }

                    break;

                case OpenMode.Create:
                    shared = CreateNew(request, createOrOpen: false);
                    break;

                default:
                    SafeFileHandle? existing;
                    ulong existingSize = 0;
                    FileIdentity existingIdentity = default;
                    try
                    {
                        existing = StoreMapping.OpenForCheck(path, nameOrPath, variant, out existingSize, out existingIdentity);
                    }
                    catch (SplinterStoreNotFoundException)
                    {
                        existing = null;
                    }

                    if (existing is not null)
                    {
                        // Already there and checked: open first (splinter_open_or_create).
                        using (existing)
                        {
                            shared = OpenExisting(request, existing, existingSize, existingIdentity, useOpenOrCreate: true);
                        }
                    }
                    else
                    {
                        // Absent: create first (splinter_create_or_open), which opens instead when another process
                        // created it meanwhile; the checks after it cover that case.
                        shared = CreateNew(request, createOrOpen: true);
                    }

                    break;
            }

            // From here the handle owns this SplinterStore's share of the open store: releasing it gives the share back.
            var handle = new StoreHandle(shared);
            try
            {
                return new SplinterStore(nameOrPath, variant, path, shared, handle, options.ContentionTimeout);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
    }

    /// <summary>What an open was asked for.</summary>
    private sealed record OpenRequest(string NameOrPath, string Path, SplinterVariant Variant, uint SlotCount, uint MaxValueSize, SplinterStoreOptions Options)
    {
        public byte[] NameZ { get; } = StoreNames.ToUtf8z(NameOrPath);
    }

    /// <summary>Opens a checked object: a new handle when this process has it open, otherwise a library copy opens it.</summary>
    private static OpenStore OpenExisting(OpenRequest request, SafeFileHandle file, ulong size, FileIdentity identity, bool useOpenOrCreate)
    {
        if (StoreRegistry.TryShare(identity, out OpenStore? shared))
        {
            return shared!;
        }

        StoreMapping.MapChecked(file, request.Path, size, out byte* mapping, out nuint length, out int slotSize);
        LibraryInstance? library = null;
        bool nativeInstalled = false;
        try
        {
            library = SplinterLibrary.RentStoreInstance(request.Variant, slotSize, request.Path);
            SplinterApi api = library.Api!;
            List<MappingIdentity.SharedMapping> before = MappingIdentity.Take();
            StoreOpenHooks.BeforeLibraryOpen?.Invoke(request.Path);
            nativeInstalled = true;
            NativeOpen(api, request, useOpenOrCreate);
            MappingIdentity.Verify(before, mapping, request.Path);
            CrossCheck(api, (splinter_header*)mapping, request.Path);
            return StoreRegistry.Add(new OpenStore(identity, library, mapping, length, slotSize));
        }
        catch
        {
            Abandon(library, nativeInstalled, mapping);
            throw;
        }
    }

    /// <summary>Creates the store with a library copy of the requested flavour (or, for create-or-open, opens what is there).</summary>
    private static OpenStore CreateNew(OpenRequest request, bool createOrOpen)
    {
        int slotSize = StoreFormat.SlotSize(request.Options.Embeddings);
        LibraryInstance library = SplinterLibrary.RentStoreInstance(request.Variant, slotSize, request.Path);
        byte* mapping = null;
        bool nativeInstalled = false;
        try
        {
            List<MappingIdentity.SharedMapping> before = MappingIdentity.Take();
            nativeInstalled = true;
            NativeCreate(library.Api!, request, slotSize, createOrOpen);
            FileIdentity identity;
            int mappedSlotSize;
            using (SafeFileHandle file = StoreMapping.OpenForCheck(request.Path, request.NameOrPath, request.Variant, out ulong size, out identity))
            {
                if (StoreRegistry.TryShare(identity, out OpenStore? shared))
                {
                    // create-or-open opened an object this process already has open under another name: use that one.
                    Abandon(library, nativeInstalled, null);
                    return shared!;
                }

                StoreMapping.MapChecked(file, request.Path, size, out mapping, out nuint length, out mappedSlotSize);
                if (mappedSlotSize != slotSize)
                {
                    throw new SplinterStoreFormatException(request.Path,
                        $"it is a store of {StoreFormat.Describe(mappedSlotSize)} (another process created it meanwhile), not of {StoreFormat.Describe(slotSize)} as asked.");
                }

                MappingIdentity.Verify(before, mapping, request.Path);
                CrossCheck(library.Api!, (splinter_header*)mapping, request.Path);
                return StoreRegistry.Add(new OpenStore(identity, library, mapping, length, slotSize));
            }
        }
        catch
        {
            Abandon(library, nativeInstalled, mapping);
            throw;
        }
    }

    /// <summary>Undoes a failed open: closes what the library may have installed, gives the copy back, releases the mapping.</summary>
    private static void Abandon(LibraryInstance? library, bool nativeInstalled, byte* mapping)
    {
        if (library is not null)
        {
            if (nativeInstalled)
            {
                library.Api?.splinter_close();
            }

            SplinterLibrary.ReturnStoreInstance(library);
        }

        if (mapping != null)
        {
            MappingRanges.Release(mapping);
        }
    }

    private static void ValidateGeometry(uint slotCount, uint maxValueSize)
    {
        if (slotCount == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), slotCount, "A store needs at least one slot.");
        }

        if (maxValueSize == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxValueSize), maxValueSize, "The maximum value size must be at least 1 byte.");
        }

        if (maxValueSize > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(maxValueSize), maxValueSize, $"Values are limited to {int.MaxValue} bytes.");
        }

        // Slot value offsets are 32-bit in the format: the arena must stay within 4 GiB.
        if ((ulong)slotCount * maxValueSize > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                nameof(slotCount),
                slotCount,
                $"{slotCount} slots x {maxValueSize} bytes exceed the format's 4 GiB value arena (32-bit value offsets).");
        }
    }

    private static void NativeCreate(SplinterApi api, OpenRequest request, int slotSize, bool createOrOpen)
    {
        int error = 0;
        int result;
        SplinterStoreOptions options = request.Options;

        // Private stores are born 0600: no window in which another user can open them.
        uint previousMask = options.PrivatePermissions ? LibC.umask(0x3F /* 077 */) : 0;
        try
        {
            fixed (byte* name = request.NameZ)
            {
                result = createOrOpen
                    ? api.splinter_create_or_open_errno((sbyte*)name, request.SlotCount, request.MaxValueSize, &error)
                    : api.splinter_create_errno((sbyte*)name, request.SlotCount, request.MaxValueSize, &error);
            }
        }
        finally
        {
            if (options.PrivatePermissions)
            {
                LibC.umask(previousMask);
            }
        }

        if (result != 0)
        {
            if (error == Errno.EEXIST)
            {
                throw new SplinterException($"A {VariantText(options.Variant)} store named '{request.NameOrPath}' already exists.", error);
            }

            if (error == Errno.ENOSPC)
            {
                throw new SplinterException(FileSystemSpace.FullMessage(request.NameOrPath, request.Path, request.SlotCount, request.MaxValueSize, slotSize), error);
            }

            throw new SplinterException($"Cannot create the store '{request.NameOrPath}': {Errno.Name(error)}.", error);
        }

        if (options.PrivatePermissions)
        {
            // SPLINTER_DEFAULT_UMASK overrides the process umask inside the library: make sure.
            fixed (byte* p = StoreNames.ToUtf8z(request.Path))
            {
                LibC.chmod(p, 0x180 /* 0600 */);
            }
        }
    }

    private static void NativeOpen(SplinterApi api, OpenRequest request, bool useOpenOrCreate)
    {
        int error = 0;
        int result;
        fixed (byte* name = request.NameZ)
        {
            result = useOpenOrCreate
                ? api.splinter_open_or_create_errno((sbyte*)name, request.SlotCount, request.MaxValueSize, &error)
                : api.splinter_open_errno((sbyte*)name, &error);
        }

        if (result == 0)
        {
            return;
        }

        if (error == Errno.ENOENT)
        {
            throw new SplinterStoreNotFoundException(request.NameOrPath, request.Variant);
        }

        if (error == 0)
        {
            // splinter_open refuses a bad magic/version without errno; it passed our check, so it changed meanwhile.
            throw new SplinterStoreFormatException(request.Path, "libsplinter refused its header (magic or version changed while opening).");
        }

        throw new SplinterException($"Cannot open the store '{request.NameOrPath}': {Errno.Name(error)}.", error);
    }

    private static void CrossCheck(SplinterApi api, splinter_header* mapped, string path)
    {
        splinter_header_snapshot snapshot;
        int result = api.splinter_get_header_snapshot(&snapshot);
        if (result != 0)
        {
            throw new SplinterException($"libsplinter reports no store after opening '{path}' (result {result}).");
        }

        if (snapshot.magic != mapped->magic || snapshot.slots != mapped->slots || snapshot.max_val_sz != mapped->max_val_sz)
        {
            throw new SplinterStoreFormatException(
                path,
                $"libsplinter mapped {snapshot.slots} slots x {snapshot.max_val_sz} bytes but the object now holds {mapped->slots} x {mapped->max_val_sz}; it was replaced while opening.");
        }
    }

    private static string VariantText(SplinterVariant variant) => variant == SplinterVariant.SharedMemory ? "shared-memory" : "persistent";

    /// <summary>Called after every successful mutating call (slot index, or -1 when unknown). Implemented by the event layer.</summary>
    partial void OnLocalWrite(int slotIndexOrMinus1);

    /// <summary>Called once at the start of <see cref="Dispose"/>. Implemented by the event layer.</summary>
    partial void OnDisposing();
}
