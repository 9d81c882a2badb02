using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>A file's device and inode: two paths of one file (links, bind mounts) give the same identity.</summary>
internal readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    /// <summary>The identity statx reported (STATX_INO asked).</summary>
    public static FileIdentity Of(in LibC.Statx status) => new(status.DeviceMajor, status.DeviceMinor, status.Inode);

    /// <inheritdoc/>
    public override string ToString() => $"device {DeviceMajor}:{DeviceMinor} inode {Inode}";
}
