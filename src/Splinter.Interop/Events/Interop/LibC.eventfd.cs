using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

internal static partial class LibC
{
    /// <summary>int eventfd(unsigned int initval, int flags): a new eventfd, or -1 with errno.</summary>
    [LibraryImport(LibraryName, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);
}
