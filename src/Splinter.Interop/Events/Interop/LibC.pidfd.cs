using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

internal static partial class LibC
{
    /// <summary>
    /// The pidfd_open system call number: 434 on every Linux architecture (it was added after the
    /// numbering was unified). Called through <see cref="syscall"/> because glibc exports a
    /// pidfd_open wrapper only from 2.36 on.
    /// </summary>
    internal const nint SYS_pidfd_open = 434;

    /// <summary>
    /// long syscall(long number, ...), used with two integer arguments. NOTE: syscall is variadic in
    /// C; on the Linux x86_64 and arm64 calling conventions integer arguments passed through "..."
    /// travel exactly like fixed ones, which is what this import relies on (as for fcntl).
    /// </summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial nint syscall(nint number, nint argument1, nint argument2);

    /// <summary>int kill(pid_t pid, int sig); signal 0 only checks that the process exists.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int kill(int pid, int sig);
}
