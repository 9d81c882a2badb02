using System.Runtime.InteropServices;

namespace Splinter.Interop.Native.Interop;

/// <summary>The libc calls that load private copies of a library (cold paths: once per library instance).</summary>
internal static unsafe partial class LoaderLibc
{
    static LoaderLibc() => SplinterLibrary.EnsureResolver(); // "libc.so.6" is resolved for musl too

    /// <summary>memfd_create flag: the descriptor is closed on exec.</summary>
    public const uint MFD_CLOEXEC = 0x1;

    private const string Libc = SplinterLibrary.SystemLibraryName;

    /// <summary>What dladdr reports about an address.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct DlInfo
    {
        /// <summary>The name the object containing the address was loaded under.</summary>
        public byte* FileName;

        /// <summary>The object's load address.</summary>
        public void* FileBase;

        /// <summary>The nearest symbol's name, or null.</summary>
        public byte* SymbolName;

        /// <summary>The nearest symbol's address, or null.</summary>
        public void* SymbolAddress;
    }

    [LibraryImport(Libc, EntryPoint = "memfd_create", SetLastError = true)]
    public static partial int MemfdCreate(byte* name, uint flags);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>
    /// int dladdr(const void *addr, Dl_info *info). NOTE: glibc before 2.34 keeps the dl* functions in libdl.so.2, not
    /// libc.so.6; from 2.34 libdl.so.2 is a stub whose lookups reach libc.so.6, so that name works on every glibc. On
    /// musl the name is resolved to the C library (SplinterLibrary's resolver).
    /// </summary>
    [LibraryImport(SplinterLibrary.DynamicLoaderLibraryName, EntryPoint = "dladdr")]
    public static partial int Dladdr(void* address, DlInfo* info);
}
