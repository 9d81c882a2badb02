using System;
using System.Collections.Generic;
using Microsoft.Win32.SafeHandles;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// How a <see cref="SplinterStore"/> comes to be: the request is checked (<see cref="Check"/>), then, under
/// <see cref="StoreRegistry.Lock"/>, <see cref="Open"/> shares a store this process already has open (same device and
/// inode) or has a private library copy open or create it, maps it, and proves both mappings are one object
/// (<see cref="MappingIdentity"/>). Every failure on the way undoes what was done (<c>Abandon</c>).
/// </summary>
internal static unsafe class StoreOpening
{
    /// <summary>Which public entry point asked.</summary>
    internal enum Mode
    {
        Create,
        Open,
        OpenOrCreate,
    }

    /// <summary>Checks the arguments, and the user's library before its first use; throws what the caller passed wrong.</summary>
    public static Request Check(string nameOrPath, Mode mode, uint slotCount, uint maxValueSize, SplinterStoreOptions options)
    {
        LinuxOnly.ThrowIfNotLinux(); // before anything touches the file system or loads a library
        ArgumentNullException.ThrowIfNull(options);
        SplinterVariant variant = options.Variant;
        StoreNames.Validate(nameOrPath, variant, nameof(nameOrPath));
        if (options.ContentionTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ContentionTimeout, "ContentionTimeout cannot be negative.");
        }

        if (mode != Mode.Open)
        {
            ValidateGeometry(slotCount, maxValueSize);
        }

        SplinterLibrary.CheckUserLibrary(variant);
        string path = StoreNames.ObjectPath(nameOrPath, variant);
        return new Request(nameOrPath, path, variant, slotCount, maxValueSize, options);
    }

    /// <summary>Opens, creates or shares the store (the caller holds <see cref="StoreRegistry.Lock"/>).</summary>
    public static OpenStore Open(Request request, Mode mode)
    {
        OpenStore shared;
        switch (mode)
        {
            case Mode.Open:
                using (SafeFileHandle file = StoreMapping.OpenForCheck(request.Path, request.NameOrPath, request.Variant, out ulong size, out FileIdentity identity))
                {
                    shared = OpenExisting(request, file, size, identity, useOpenOrCreate: false);
                }

                break;

            case Mode.Create:
                shared = CreateNew(request, createOrOpen: false);
                break;

            default:
                SafeFileHandle? existing;
                ulong existingSize = 0;
                FileIdentity existingIdentity = default;
                try
                {
                    existing = StoreMapping.OpenForCheck(request.Path, request.NameOrPath, request.Variant, out existingSize, out existingIdentity);
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

        return shared;
    }

    /// <summary>What an open was asked for, checked.</summary>
    internal sealed record Request(string NameOrPath, string Path, SplinterVariant Variant, uint SlotCount, uint MaxValueSize, SplinterStoreOptions Options)
    {
        public byte[] NameZ { get; } = StoreNames.ToUtf8z(NameOrPath);
    }

    /// <summary>Opens a checked object: a new handle when this process has it open, otherwise a library copy opens it.</summary>
    private static OpenStore OpenExisting(Request request, SafeFileHandle file, ulong size, FileIdentity identity, bool useOpenOrCreate)
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
    private static OpenStore CreateNew(Request request, bool createOrOpen)
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

    private static void NativeCreate(SplinterApi api, Request request, int slotSize, bool createOrOpen)
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

    private static void NativeOpen(SplinterApi api, Request request, bool useOpenOrCreate)
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
}
