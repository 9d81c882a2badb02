using System.Runtime.InteropServices;

namespace Splinter.Interop.Events;

/// <summary>Turns a failed libc call into an exception that names the call and the errno.</summary>
internal static class SystemCall
{
    /// <summary>The errno of the last import made with SetLastError.</summary>
    internal static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>An exception for <paramref name="call"/> failing with <paramref name="errno"/>.</summary>
    internal static SplinterException Failure(string call, int errno) =>
        new($"{call} failed with {Errno.Name(errno)}.", errno);
}
