using System;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Native;

/// <summary>
/// The "Linux required" check, made before anything native is loaded: on another operating system the first call
/// that needs native code throws <see cref="PlatformNotSupportedException"/> saying so, never DllNotFoundException.
/// Called by <see cref="SplinterLibrary"/> before it loads a library and by <see cref="EventFd"/>'s constructor.
/// </summary>
internal static class LinuxOnly
{
    private static Func<bool> s_isLinux = OperatingSystem.IsLinux;

    /// <summary>The test that decides; tests replace it to act as another operating system (null restores the real one).</summary>
    internal static Func<bool> IsLinux
    {
        get => s_isLinux;
        set => s_isLinux = value ?? OperatingSystem.IsLinux;
    }

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> unless this process runs on Linux.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static void ThrowIfNotLinux()
    {
        if (!s_isLinux())
        {
            throw new PlatformNotSupportedException(
                "Splinter.Interop requires Linux: libsplinter stores are Linux shared memory (/dev/shm) or mapped files, and " +
                $"its event bus is a Linux eventfd. This process runs on {RuntimeInformation.OSDescription}.");
        }
    }
}
