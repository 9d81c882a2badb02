using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>pidfd_open's number: 434 on every Linux architecture (added after the numbering was unified).</summary>
    internal const nint SYS_pidfd_open = 434;

    /// <summary>statx's number: 332 on x86_64, 291 on arm64 (the generic table).</summary>
    internal static readonly nint SYS_statx = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 332,
        Architecture.Arm64 => 291,
        var other => throw new System.PlatformNotSupportedException($"Splinter.Interop does not know the statx system call number of {other}."),
    };

    /// <summary>
    /// long syscall(long number, ...), for the calls whose libc wrappers are newer than the package's floor (pidfd_open:
    /// glibc 2.36; statx: glibc 2.28, musl 1.2.5). NOTE: syscall is variadic in C; on the Linux x86_64 and arm64 calling
    /// conventions integer arguments passed through "..." travel exactly like fixed ones, which these imports rely on
    /// (as do fcntl and prctl).
    /// </summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint syscall(nint number, nint argument1, nint argument2);

    /// <summary>syscall with five integer arguments (see the two-argument import).</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint syscall(nint number, nint argument1, nint argument2, nint argument3, nint argument4, nint argument5);
}
