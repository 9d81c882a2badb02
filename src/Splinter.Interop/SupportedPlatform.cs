using System.Runtime.Versioning;

// libsplinter is Linux-only (POSIX shared memory in /dev/shm, eventfd, pidfd): the platform analyzer warns callers on
// other systems, and there the first native call throws PlatformNotSupportedException (Native/LinuxOnly.cs).
[assembly: SupportedOSPlatform("linux")]
