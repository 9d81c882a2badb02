using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

internal static partial class LibC
{
    /// <summary>int kill(pid_t pid, int sig); signal 0 only checks that the process exists.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int kill(int pid, int sig);
}
