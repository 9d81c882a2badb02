using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>Dl_info: what dladdr reports about an address.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct DlInfo
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

    /// <summary>
    /// int dladdr(const void *addr, Dl_info *info): non-zero when the address belongs to a loaded object. NOTE: imported
    /// from <see cref="DynamicLoaderName"/>, where glibc before 2.34 keeps it (the later stub reaches libc.so.6).
    /// </summary>
    [LibraryImport(DynamicLoaderName)]
    internal static unsafe partial int dladdr(void* address, DlInfo* info);
}
