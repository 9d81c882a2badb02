using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;
using Splinter.Interop.Store.Interop;

namespace Splinter.Interop;

/// <summary>
/// The libsplinter store this process has open for one library variant. libsplinter keeps one
/// store per process (per loaded library), so at most one <see cref="SplinterStore"/> per
/// <see cref="SplinterVariant"/> is open at a time. Native calls hold a reference on the store's
/// SafeHandle (Set: the shim's gate), so <see cref="Dispose"/> never closes the store under one; the
/// mapping reads (TryGet, GetEpoch, Contains, TryRead) read the C# layer's own mapping, whose range is
/// never unmapped, and check for Dispose after reading. Any call after Dispose throws
/// <see cref="ObjectDisposedException"/>. All members are thread-safe.
/// </summary>
public sealed unsafe partial class SplinterStore : IDisposable
{
    private readonly StoreHandle _handle;
    private readonly SplinterApi _api;
    private readonly StoreRegistry.Entry _entry;
    private readonly long _contentionBudget;
    private readonly HotCallGate _gate;
    private readonly SplinterShim_gate* _gatePointer;
    private uint _gatedSetLimit; // see OnSignalLocalWritesChanged

    private SplinterStore(string name, SplinterVariant variant, string backingPath, SplinterApi api, StoreHandle handle, StoreRegistry.Entry entry, int slotSize, TimeSpan contentionTimeout)
    {
        Name = name;
        Variant = variant;
        BackingPath = backingPath;
        _api = api;
        _handle = handle;
        _entry = entry;
        _mapped = new MappedStore((byte*)handle.DangerousGetHandle(), slotSize);
        _contentionBudget = Math.Max(1, (long)(contentionTimeout.TotalSeconds * Stopwatch.Frequency));
        _gate = new HotCallGate(api, _mapped.MaxValueSize);
        _gatePointer = _gate.Pointer;

        // Compared with (uint)length - 1, so a length of 0 never passes; 0 turns the gated path off.
        OnSignalLocalWritesChanged(signal: false); // sets _gatedSetLimit
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

    /// <summary>Number of slots (the most keys the store can hold).</summary>
    public uint SlotCount => _mapped.SlotCount;

    /// <summary>The largest value in bytes.</summary>
    public uint MaxValueSize => _mapped.MaxValueSize;

    /// <summary>True once <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => _entry.Disposed || _handle.IsClosed;

    /// <summary>The function table of this store's library.</summary>
    internal SplinterApi Api => _api;

    /// <summary>The store in the C# layer's own mapping (geometry, slots, the slot reader); a ref to the store's own field.</summary>
    internal ref MappedStore Mapped => ref _mapped;

    /// <summary>The header in the C# layer's own read-write mapping; valid while a lease is held.</summary>
    internal splinter_header* Header => _mapped.Header;

    /// <summary>Creates a new store and opens it.</summary>
    /// <param name="nameOrPath">shm object name (shared-memory variant; a leading '/' is optional) or file path (persistent variant).</param>
    /// <param name="slotCount">Number of slots, at least 1.</param>
    /// <param name="maxValueSize">Largest value in bytes, at least 1.</param>
    /// <param name="options">Variant, permissions, contention budget (null: <see cref="SplinterStoreOptions.Default"/>).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="InvalidOperationException">A store of the same variant is already open in this process.</exception>
    /// <exception cref="SplinterException">The store exists (EEXIST) or the system refused (errno).</exception>
    public static SplinterStore Create(string nameOrPath, uint slotCount, uint maxValueSize, SplinterStoreOptions? options = null) =>
        OpenCore(nameOrPath, OpenMode.Create, slotCount, maxValueSize, options ?? SplinterStoreOptions.Default);

    /// <summary>Opens an existing store after checking that it is one.</summary>
    /// <param name="nameOrPath">shm object name or file path.</param>
    /// <param name="options">Variant and contention budget (null: <see cref="SplinterStoreOptions.Default"/>).</param>
    /// <returns>The open store.</returns>
    /// <exception cref="SplinterStoreNotFoundException">No such store.</exception>
    /// <exception cref="SplinterStoreFormatException">The object is not a usable store (size, magic, version, geometry).</exception>
    /// <exception cref="InvalidOperationException">A store of the same variant is already open in this process.</exception>
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

    /// <summary>Reads the tick counter libsplinter uses for shard bids and deadlines (TSC on x86_64; not nanoseconds).</summary>
    /// <returns>The current tick count.</returns>
    public static ulong GetTicks() => StoreNative.Now();

    /// <summary>Closes the store once no call is running any more; later calls throw ObjectDisposedException. The store's object is kept (see <see cref="Delete"/>).</summary>
    public void Dispose()
    {
        if (_entry.Disposed)
        {
            return;
        }

        _entry.Disposed = true;
        SplinterMetrics.StoreClosed();
        _mapped.Close(); // the mapping reads discard what they read from here on
        OnDisposing();

        // Hot calls do not hold a SafeHandle reference: stop new ones, wait for running ones.
        _gate.Close();
        _handle.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"SplinterStore '{Name}' ({Variant}, {SlotCount} slots x {MaxValueSize} bytes{(IsDisposed ? ", disposed" : string.Empty)})";

    /// <summary>
    /// Waits out a busy slot (EAGAIN) within the contention budget, then gives up with the contention
    /// exception naming the key and the slot epoch seen.
    /// </summary>
    private unsafe void WaitOutContention(ref ContentionRetry retry, byte* key)
    {
        if (!retry.Wait(_contentionBudget))
        {
            StoreErrors.ThrowContention(key, _api.splinter_get_epoch((sbyte*)key));
        }
    }

    /// <summary>Takes a reference on the store for one operation; throws ObjectDisposedException after Dispose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal StoreLease Lease()
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            StoreErrors.ThrowDisposed(Name);
        }

        return new StoreLease(_handle);
    }

    private static SplinterStore OpenCore(string nameOrPath, OpenMode mode, uint slotCount, uint maxValueSize, SplinterStoreOptions options)
    {
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

        string path = StoreNames.ObjectPath(nameOrPath, variant);
        StoreRegistry.Entry entry = StoreRegistry.Reserve(nameOrPath, variant);
        StoreHandle? handle = null;
        SplinterApi? api = null;
        bool nativeInstalled = false;
        try
        {
            api = StoreNative.GetApi(variant);
            byte[] namez = StoreNames.ToUtf8z(nameOrPath);
            byte* mapping;
            nuint length;
            int slotSize;
            switch (mode)
            {
                case OpenMode.Open:
                    StoreMapping.CheckAndMap(path, nameOrPath, variant, out mapping, out length, out slotSize);
                    handle = new StoreHandle(api, mapping, length, entry);
                    handle.MarkNativeInstalled();
                    NativeOpen(api, namez, nameOrPath, variant, useOpenOrCreate: false, 0, 0);
                    break;

                case OpenMode.Create:
                    nativeInstalled = true;
                    NativeCreate(api, namez, nameOrPath, path, slotCount, maxValueSize, options, createOrOpen: false);
                    StoreMapping.CheckAndMap(path, nameOrPath, variant, out mapping, out length, out slotSize);
                    handle = new StoreHandle(api, mapping, length, entry);
                    handle.MarkNativeInstalled();
                    break;

                default:
                    bool exists;
                    try
                    {
                        StoreMapping.CheckAndMap(path, nameOrPath, variant, out mapping, out length, out slotSize);
                        exists = true;
                    }
                    catch (SplinterStoreNotFoundException)
                    {
                        mapping = null;
                        length = 0;
                        slotSize = 0;
                        exists = false;
                    }

                    if (exists)
                    {
                        // Already checked: open first (splinter_open_or_create).
                        handle = new StoreHandle(api, mapping, length, entry);
                        handle.MarkNativeInstalled();
                        NativeOpen(api, namez, nameOrPath, variant, useOpenOrCreate: true, slotCount, maxValueSize);
                    }
                    else
                    {
                        // Absent: create first (splinter_create_or_open), which opens instead when
                        // another process created it meanwhile; the mapping check below covers that case.
                        nativeInstalled = true;
                        NativeCreate(api, namez, nameOrPath, path, slotCount, maxValueSize, options, createOrOpen: true);
                        StoreMapping.CheckAndMap(path, nameOrPath, variant, out mapping, out length, out slotSize);
                        handle = new StoreHandle(api, mapping, length, entry);
                        handle.MarkNativeInstalled();
                    }

                    break;
            }

            CrossCheck(api, (splinter_header*)handle.DangerousGetHandle(), path);
            return new SplinterStore(nameOrPath, variant, path, api, handle, entry, slotSize, options.ContentionTimeout);
        }
        catch
        {
            if (handle is not null)
            {
                handle.Dispose();
            }
            else
            {
                if (nativeInstalled && api is not null)
                {
                    api.splinter_close();
                }

                StoreRegistry.Release(entry);
            }

            throw;
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

    private static void NativeCreate(SplinterApi api, byte[] namez, string nameOrPath, string path, uint slotCount, uint maxValueSize, SplinterStoreOptions options, bool createOrOpen)
    {
        int error = 0;
        int result;

        // Private stores are born 0600: no window in which another user can open them.
        uint previousMask = options.PrivatePermissions ? StoreLibc.Umask(0x3F /* 077 */) : 0;
        try
        {
            fixed (byte* name = namez)
            {
                result = createOrOpen
                    ? api.splinter_create_or_open_errno((sbyte*)name, slotCount, maxValueSize, &error)
                    : api.splinter_create_errno((sbyte*)name, slotCount, maxValueSize, &error);
            }
        }
        finally
        {
            if (options.PrivatePermissions)
            {
                StoreLibc.Umask(previousMask);
            }
        }

        if (result != 0)
        {
            if (error == Errno.EEXIST)
            {
                throw new SplinterException($"A {VariantText(options.Variant)} store named '{nameOrPath}' already exists.", error);
            }

            throw new SplinterException($"Cannot create the store '{nameOrPath}': {Errno.Name(error)}.", error);
        }

        if (options.PrivatePermissions)
        {
            // SPLINTER_DEFAULT_UMASK overrides the process umask inside the library: make sure.
            fixed (byte* p = StoreNames.ToUtf8z(path))
            {
                StoreLibc.Chmod(p, 0x180 /* 0600 */);
            }
        }
    }

    private static void NativeOpen(SplinterApi api, byte[] namez, string nameOrPath, SplinterVariant variant, bool useOpenOrCreate, uint slotCount, uint maxValueSize)
    {
        int error = 0;
        int result;
        fixed (byte* name = namez)
        {
            result = useOpenOrCreate
                ? api.splinter_open_or_create_errno((sbyte*)name, slotCount, maxValueSize, &error)
                : api.splinter_open_errno((sbyte*)name, &error);
        }

        if (result == 0)
        {
            return;
        }

        if (error == Errno.ENOENT)
        {
            throw new SplinterStoreNotFoundException(nameOrPath, variant);
        }

        if (error == 0)
        {
            // splinter_open refuses a bad magic/version without errno; it passed our check, so it changed meanwhile.
            throw new SplinterStoreFormatException(StoreNames.ObjectPath(nameOrPath, variant), "libsplinter refused its header (magic or version changed while opening).");
        }

        throw new SplinterException($"Cannot open the store '{nameOrPath}': {Errno.Name(error)}.", error);
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
