using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The C# layer's own read-write mapping of a store (whose address range it never unmaps, see <see cref="Release"/>), made only after the object passed the
/// pre-open check: a regular file, at least one header long, the right magic and version, and
/// a geometry whose size is exactly the object's size. A foreign, truncated or other-flavour
/// object is therefore a <see cref="SplinterStoreFormatException"/>, never a SIGBUS, whatever
/// library is loaded.
/// </summary>
internal static unsafe class StoreMapping
{
    /// <summary>
    /// Opens the object at <paramref name="path"/> for the pre-open check: a regular file at least one header long that
    /// this process can map. Throws SplinterStoreNotFoundException, SplinterStoreFormatException or SplinterException.
    /// </summary>
    /// <param name="path">The object's path (/dev/shm/name or the file).</param>
    /// <param name="nameOrPath">The name the caller gave, for messages.</param>
    /// <param name="variant">The variant, for messages.</param>
    /// <param name="size">Receives the object's size.</param>
    /// <param name="identity">Receives its device and inode (two paths of one object give the same identity).</param>
    /// <returns>The open descriptor (read-write).</returns>
    public static SafeFileHandle OpenForCheck(string path, string nameOrPath, SplinterVariant variant, out ulong size, out FileIdentity identity)
    {
        byte[] pathz = StoreNames.ToUtf8z(path);
        int fd;
        fixed (byte* p = pathz)
        {
            // O_NONBLOCK: opening a FIFO someone left under the name must not hang.
            fd = LibC.open(p, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK);
        }

        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT)
            {
                throw new SplinterStoreNotFoundException(nameOrPath, variant);
            }

            if (errno == Errno.EISDIR)
            {
                throw new SplinterStoreFormatException(path, "it is a directory.");
            }

            throw new SplinterException($"Cannot open '{path}' to check it: {Errno.Name(errno)}.", errno);
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            LibC.Statx status;
            byte empty = 0;
            if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_TYPE | LibC.STATX_SIZE | LibC.STATX_INO, &status) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new SplinterException($"Cannot stat '{path}': {Errno.Name(errno)}.", errno);
            }

            if ((status.Mode & LibC.S_IFMT) != LibC.S_IFREG)
            {
                throw new SplinterStoreFormatException(path, $"it is not a regular file (mode 0{Convert.ToString(status.Mode, 8)}).");
            }

            if (status.Size < (ulong)StoreFormat.HeaderSize)
            {
                throw new SplinterStoreFormatException(path, $"it is {status.Size} bytes long, shorter than a store header ({StoreFormat.HeaderSize} bytes); it is truncated or not a store.");
            }

            if (status.Size > (ulong)nint.MaxValue)
            {
                throw new SplinterStoreFormatException(path, $"it is {status.Size} bytes long, more than this process can map.");
            }

            size = status.Size;
            identity = FileIdentity.Of(status);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps an object <see cref="OpenForCheck"/> returned and checks its header (magic, version, and a geometry whose
    /// size for one of the two slot flavours is the object's size). Throws SplinterStoreFormatException or SplinterException.
    /// </summary>
    /// <param name="file">The descriptor from <see cref="OpenForCheck"/>.</param>
    /// <param name="path">The object's path, for messages.</param>
    /// <param name="size">The size <see cref="OpenForCheck"/> reported.</param>
    /// <param name="mapping">Receives the mapping (release it with <see cref="Release"/>).</param>
    /// <param name="length">Receives the mapping's length.</param>
    /// <param name="slotSize">Receives the store's slot size (its flavour, <see cref="StoreFormat"/>).</param>
    public static void MapChecked(SafeFileHandle file, string path, ulong size, out byte* mapping, out nuint length, out int slotSize)
    {
        length = (nuint)size;
        void* address = Map((int)file.DangerousGetHandle(), length);
        if (address == null)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SplinterException($"Cannot map '{path}': {Errno.Name(errno)}.", errno);
        }

        // Reading the header is safe: the object is at least StoreFormat.HeaderSize bytes and fully mapped.
        string? reason = StoreFormat.Validate((splinter_header*)address, size, out slotSize);
        if (reason is not null)
        {
            Release(address);
            throw new SplinterStoreFormatException(path, reason);
        }

        mapping = (byte*)address;
    }

    // ---- Address ranges: a mapping's range stays readable for the life of the process ----------------------------
    //
    // The mapping reads (TryGet, GetEpoch, Contains, TryRead) hold no reference on the store: they read, then check
    // that the store was not disposed, and discard what they read if it was. A read that overlaps Dispose may still
    // touch the range after the store is closed, so a range is never unmapped: Release replaces the store's pages
    // with read-only zero pages in one mmap(MAP_FIXED) (no moment where the range is unmapped) and keeps the range for
    // the next store this process maps, which takes it over the same way. A late reader therefore reads the store,
    // zeros or the next store, never unmapped memory, and every address it computes stays inside the range: its
    // bounds come from its own store's geometry and the range is at least that long. The cost is address space (not
    // memory) of the largest stores this process opened; zero pages take no memory.

    private static readonly object s_rangesLock = new();
    private static readonly Dictionary<nint, nuint> s_inUse = new(); // mapping address -> length of its range
    private static readonly List<(nint Address, nuint Length)> s_free = new();

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> read-write and shared, into a released range when one is large enough; null with errno set when mmap fails.</summary>
    private static void* Map(int fd, nuint length)
    {
        nuint rounded = RoundToPages(length);
        lock (s_rangesLock)
        {
            // The smallest range that fits; among equal ones the one released last (released ranges are appended), so a
            // store closed and opened again, or closed and followed by one of its size, takes back the range it left.
            int best = -1;
            for (int i = 0; i < s_free.Count; i++)
            {
                if (s_free[i].Length >= rounded && (best < 0 || s_free[i].Length <= s_free[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                (nint address, nuint rangeLength) = s_free[best];
                void* fixedMapping = LibC.mmap((void*)address, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_FIXED, fd, 0);
                if (fixedMapping == (void*)address)
                {
                    s_free.RemoveAt(best);
                    s_inUse.Add(address, rangeLength);
                    return fixedMapping;
                }

                // Linux does not promise that a failed MAP_FIXED left the old pages in place: put zero pages back
                // (a late reader of the released store may still look there) and map elsewhere.
                if (!MapZeros((void*)address, rangeLength))
                {
                    s_free.RemoveAt(best); // cannot vouch for it any more; never hand it out again
                }
            }

            void* mapping = LibC.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (mapping == (void*)-1)
            {
                return null;
            }

            s_inUse.Add((nint)mapping, rounded);
            return mapping;
        }
    }

    /// <summary>Releases a mapping made by <see cref="Map"/>: its whole range becomes read-only zero pages, kept for the next mapping.</summary>
    public static void Release(void* mapping)
    {
        lock (s_rangesLock)
        {
            if (!s_inUse.Remove((nint)mapping, out nuint rangeLength))
            {
                return;
            }

            if (MapZeros(mapping, rangeLength))
            {
                s_free.Add(((nint)mapping, rangeLength));
            }

            // Otherwise the store's pages stay mapped (still safe to read) until the process exits; the range is not reused.
        }
    }

    /// <summary>Replaces whatever is mapped at <paramref name="address"/> with read-only zero pages (no memory, no swap reservation).</summary>
    private static bool MapZeros(void* address, nuint length) =>
        LibC.mmap(address, length, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0) == address;

    private static nuint RoundToPages(nuint length)
    {
        nuint page = (nuint)Environment.SystemPageSize;
        return (length + page - 1) & ~(page - 1);
    }
}
