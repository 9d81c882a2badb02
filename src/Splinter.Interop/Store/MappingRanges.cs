using System;
using System.Collections.Generic;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The address ranges of the C# layer's store mappings. Invariant: a range handed out by <see cref="Map"/> stays mapped
/// for the life of the process. <see cref="Release"/> replaces the store's pages with read-only zero pages in one
/// mmap(MAP_FIXED) (there is no moment where the range is unmapped) and keeps the range for the next store this process
/// maps, which takes it over the same way. A mapping read that overlaps its store's Dispose (<see cref="CloseFlag"/>)
/// therefore reads the store, zeros or the next store, never unmapped memory. The cost is address space (not memory)
/// of the largest stores this process opened.
/// </summary>
internal static unsafe class MappingRanges
{
    private static readonly object s_rangesLock = new();
    private static readonly Dictionary<nint, nuint> s_inUse = new(); // mapping address -> length of its range
    private static readonly List<(nint Address, nuint Length)> s_free = new();

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> read-write and shared, into a released range when one is large enough; null with errno set when mmap fails.</summary>
    public static void* Map(int fd, nuint length)
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
