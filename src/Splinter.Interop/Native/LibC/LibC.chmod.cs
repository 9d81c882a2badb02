using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>int chmod(const char *path, mode_t mode).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static unsafe partial int chmod(byte* path, uint mode);
}
