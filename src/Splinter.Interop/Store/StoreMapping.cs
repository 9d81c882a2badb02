using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Splinter.Interop.Native;
using Splinter.Interop.Store.Interop;

namespace Splinter.Interop.Store;

/// <summary>
/// The C# layer's own read-write mapping of a store, made only after the object passed the
/// pre-open check: a regular file, at least one header long, the right magic and version, and
/// a geometry whose size is exactly the object's size. A foreign, truncated or other-flavour
/// object is therefore a <see cref="SplinterStoreFormatException"/>, never a SIGBUS, whatever
/// library is loaded.
/// </summary>
internal static unsafe class StoreMapping
{
    /// <summary>SPLINTER_MAGIC.</summary>
    public const uint Magic = 0x534C4E54;

    /// <summary>SPLINTER_VER.</summary>
    public const uint FormatVersion = 4;

    /// <summary>Size of the header per the mirror (5440).</summary>
    public static int HeaderSize => sizeof(splinter_header);

    /// <summary>Size of one slot per the mirror (128, or 3200 with embeddings).</summary>
    public static int SlotSize => sizeof(splinter_slot);

    /// <summary>Total object size of a store with this geometry.</summary>
    public static UInt128 ExpectedSize(uint slots, uint maxValueSize, int slotSize) =>
        (UInt128)(ulong)HeaderSize + ((UInt128)slots * (UInt128)(ulong)slotSize) + ((UInt128)slots * maxValueSize);

    /// <summary>Checks the object at <paramref name="path"/> and maps it read-write. Throws SplinterStoreNotFoundException, SplinterStoreFormatException or SplinterException.</summary>
    public static void CheckAndMap(string path, string nameOrPath, SplinterVariant variant, out byte* mapping, out nuint length)
    {
        byte[] pathz = StoreNames.ToUtf8z(path);
        int fd;
        fixed (byte* p = pathz)
        {
            // O_NONBLOCK: opening a FIFO someone left under the name must not hang.
            fd = StoreLibc.Open(p, StoreLibc.O_RDWR | StoreLibc.O_CLOEXEC | StoreLibc.O_NOCTTY | StoreLibc.O_NONBLOCK);
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

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        StoreLibc.Statx status;
        byte empty = 0;
        if (StoreLibc.StatxCall(fd, &empty, StoreLibc.AT_EMPTY_PATH, StoreLibc.STATX_TYPE | StoreLibc.STATX_SIZE, &status) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SplinterException($"Cannot stat '{path}': {Errno.Name(errno)}.", errno);
        }

        if ((status.Mode & StoreLibc.S_IFMT) != StoreLibc.S_IFREG)
        {
            throw new SplinterStoreFormatException(path, $"it is not a regular file (mode 0{Convert.ToString(status.Mode, 8)}).");
        }

        if (status.Size < (ulong)HeaderSize)
        {
            throw new SplinterStoreFormatException(path, $"it is {status.Size} bytes long, shorter than a store header ({HeaderSize} bytes); it is truncated or not a store.");
        }

        if (status.Size > (ulong)nint.MaxValue)
        {
            throw new SplinterStoreFormatException(path, $"it is {status.Size} bytes long, more than this process can map.");
        }

        length = (nuint)status.Size;
        void* address = StoreLibc.Mmap(null, length, StoreLibc.PROT_READ | StoreLibc.PROT_WRITE, StoreLibc.MAP_SHARED, fd, 0);
        if (address == (void*)-1)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SplinterException($"Cannot map '{path}': {Errno.Name(errno)}.", errno);
        }

        // Reading the header is safe: the object is at least HeaderSize bytes and fully mapped.
        string? reason = Validate((splinter_header*)address, status.Size);
        if (reason is not null)
        {
            StoreLibc.Munmap(address, length);
            throw new SplinterStoreFormatException(path, reason);
        }

        mapping = (byte*)address;
    }

    /// <summary>Returns why a mapped header does not describe a store of <paramref name="size"/> bytes, or null when it does.</summary>
    public static string? Validate(splinter_header* header, ulong size)
    {
        uint magic = header->magic;
        if (magic != Magic)
        {
            return $"wrong magic 0x{magic:X8} (a libsplinter store starts with 0x{Magic:X8}).";
        }

        uint version = header->version;
        if (version != FormatVersion)
        {
            return $"format version {version}; this library reads version {FormatVersion}.";
        }

        uint slots = header->slots;
        uint maxValueSize = header->max_val_sz;
        if (slots == 0 || maxValueSize == 0)
        {
            return $"empty geometry (slots {slots}, max value size {maxValueSize}).";
        }

        UInt128 expected = ExpectedSize(slots, maxValueSize, SlotSize);
        if (expected == size)
        {
            return null;
        }

        // Name the likely cause when the size fits the other slot flavour.
        const int PlainSlot = 128;
        const int EmbeddingSlot = 3200;
        int otherSlot = SlotSize == PlainSlot ? EmbeddingSlot : PlainSlot;
        if (ExpectedSize(slots, maxValueSize, otherSlot) == size)
        {
            return otherSlot == EmbeddingSlot
                ? $"it was created by a build with SPLINTER_EMBEDDINGS ({EmbeddingSlot}-byte slots); this build uses {SlotSize}-byte slots."
                : $"it was created by a build without SPLINTER_EMBEDDINGS ({PlainSlot}-byte slots); this build uses {SlotSize}-byte slots.";
        }

        return $"its header describes {slots} slots x {maxValueSize} bytes = {expected} bytes, but the object is {size} bytes (truncated or damaged).";
    }
}
