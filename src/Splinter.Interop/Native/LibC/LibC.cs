using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

/// <summary>
/// The libc entry points this assembly calls itself (they are not in splinter.h, so the generator does not see them),
/// imported by hand: one file per entry point or small family, C names kept, constants beside the call that takes
/// them. errno values are <see cref="Errno"/>'s. Imports with SetLastError leave errno for
/// <see cref="Marshal.GetLastPInvokeError"/>; the few without it say how the caller reads errno.
/// </summary>
/// <remarks>
/// Both library names are resolved by <see cref="SplinterLibrary"/>'s resolver (glibc: the loader's own resolution;
/// musl: its C library, which also holds the dl* functions). Every import stays within the package's C library
/// floor, glibc 2.27 (LibcFloorTests checks it).
/// </remarks>
internal static partial class LibC
{
    static LibC() => SplinterLibrary.EnsureResolver();

    /// <summary>glibc's runtime name; "libc" alone would resolve to the linker script libc.so.</summary>
    internal const string LibraryName = SplinterLibrary.SystemLibraryName;

    /// <summary>glibc's name of the dl* functions before 2.34 (a stub that reaches libc.so.6 from 2.34 on).</summary>
    internal const string DynamicLoaderName = SplinterLibrary.DynamicLoaderLibraryName;
}
