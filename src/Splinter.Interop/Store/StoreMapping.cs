using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The pre-open check and the C# layer's own read-write mapping of a store (in a range of <see cref="MappingRanges"/>),
/// made only after the object passed the check: a regular file, at least one header long, the right magic and version,
/// and a geometry whose size is exactly the object's size. A foreign, truncated or other-flavour object is therefore a
/// <see cref="SplinterStoreFormatException"/>, never a SIGBUS, whatever library is loaded.
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
    /// <param name="mapping">Receives the mapping (release it with <see cref="MappingRanges.Release"/>).</param>
    /// <param name="length">Receives the mapping's length.</param>
    /// <param name="slotSize">Receives the store's slot size (its flavour, <see cref="StoreFormat"/>).</param>
    public static void MapChecked(SafeFileHandle file, string path, ulong size, out byte* mapping, out nuint length, out int slotSize)
    {
        length = (nuint)size;
        void* address = MappingRanges.Map((int)file.DangerousGetHandle(), length);
        if (address == null)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SplinterException($"Cannot map '{path}': {Errno.Name(errno)}.", errno);
        }

        // Reading the header is safe: the object is at least StoreFormat.HeaderSize bytes and fully mapped.
        string? reason = StoreFormat.Validate((splinter_header*)address, size, out slotSize);
        if (reason is not null)
        {
            MappingRanges.Release(address);
            throw new SplinterStoreFormatException(path, reason);
        }

        mapping = (byte*)address;
    }
}
