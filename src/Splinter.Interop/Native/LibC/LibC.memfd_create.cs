using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    internal const uint MFD_CLOEXEC = 0x1;

    /// <summary>int memfd_create(const char *name, unsigned int flags): an anonymous file's descriptor, or -1 with errno.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int memfd_create(byte* name, uint flags);
}
