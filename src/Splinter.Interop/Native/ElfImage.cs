using System;
using System.Buffers.Binary;

namespace Splinter.Interop.Native;

/// <summary>
/// Edits an in-memory copy of a shared library before it is loaded as a private instance.
/// </summary>
/// <remarks>
/// NOTE: glibc's dlopen returns an already-loaded object whose DT_SONAME equals the requested name. Once a private
/// copy of libsplinter.so is loaded, a later dlopen("libsplinter.so") (the raw layer through the system loader, or any
/// library that lists it in DT_NEEDED) would get that copy and share its process globals, i.e. its open store. The
/// copies therefore carry no DT_SONAME: the entry is removed and the rest of the dynamic array moves up one place
/// (its end is a DT_NULL, nothing refers to a single entry by address). musl does not match by soname.
/// </remarks>
internal static class ElfImage
{
    private const int PT_DYNAMIC = 2;
    private const long DT_NULL = 0;
    private const long DT_SONAME = 14;
    private const int DynamicEntrySize = 16;

    /// <summary>Removes DT_SONAME from a 64-bit little-endian ELF image in place.</summary>
    /// <param name="image">The library file's bytes.</param>
    /// <returns>True when an entry was removed, false when the image has none (or is not an image this can edit).</returns>
    public static bool RemoveSoname(Span<byte> image)
    {
        // e_ident: 0x7F 'E' 'L' 'F', class 2 (64-bit), data 1 (little-endian).
        if (image.Length < 64 || image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F'
            || image[4] != 2 || image[5] != 1)
        {
            return false;
        }

        ulong programHeaders = BinaryPrimitives.ReadUInt64LittleEndian(image[32..]);
        int headerSize = BinaryPrimitives.ReadUInt16LittleEndian(image[54..]);
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(image[56..]);
        bool removed = false;
        for (int i = 0; i < headerCount; i++)
        {
            ulong at = programHeaders + ((ulong)i * (ulong)headerSize);
            if (at + 56 > (ulong)image.Length || BinaryPrimitives.ReadUInt32LittleEndian(image[(int)at..]) != PT_DYNAMIC)
            {
                continue;
            }

            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(image[(int)(at + 8)..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(image[(int)(at + 32)..]);
            if (offset > (ulong)image.Length || size > (ulong)image.Length - offset)
            {
                return false;
            }

            removed |= RemoveFromDynamicArray(image.Slice((int)offset, (int)size));
        }

        return removed;
    }

    private static bool RemoveFromDynamicArray(Span<byte> dynamic)
    {
        int count = dynamic.Length / DynamicEntrySize;
        bool removed = false;
        int entry = 0;
        while (entry < count)
        {
            long tag = BinaryPrimitives.ReadInt64LittleEndian(dynamic[(entry * DynamicEntrySize)..]);
            if (tag == DT_NULL)
            {
                break;
            }

            if (tag != DT_SONAME)
            {
                entry++;
                continue;
            }

            // Move the following entries up over this one; the freed last entry becomes DT_NULL.
            int from = (entry + 1) * DynamicEntrySize;
            int end = count * DynamicEntrySize;
            dynamic[from..end].CopyTo(dynamic[(entry * DynamicEntrySize)..]);
            dynamic[(end - DynamicEntrySize)..end].Clear();
            removed = true;
        }

        return removed;
    }
}
