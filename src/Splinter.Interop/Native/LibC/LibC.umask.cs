using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>mode_t umask(mode_t mask): the previous mask (process-wide; never fails).</summary>
    [LibraryImport(LibraryName)]
    internal static partial uint umask(uint mask);
}
