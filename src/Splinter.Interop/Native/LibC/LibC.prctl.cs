using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>prctl option of Yama: which process may ptrace this one ("Yama" in ASCII).</summary>
    internal const int PR_SET_PTRACER = 0x59616d61;

    /// <summary>PR_SET_PTRACER's "any process" value ((unsigned long)-1).</summary>
    internal const nint PR_SET_PTRACER_ANY = -1;

    /// <summary>
    /// int prctl(int option, unsigned long arg2, ...), used with four integer arguments. NOTE: prctl is variadic in C;
    /// on the Linux x86_64 and arm64 calling conventions integer arguments passed through "..." travel exactly like
    /// fixed ones (as for syscall and fcntl).
    /// </summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int prctl(int option, nint argument2, nint argument3, nint argument4, nint argument5);
}
