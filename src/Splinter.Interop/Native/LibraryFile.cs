using System.Runtime.InteropServices;
using Splinter.Interop.Store;

namespace Splinter.Interop.Native;

/// <summary>A library file the loader found: its path, where that path came from, and the file's identity (device and inode).</summary>
/// <param name="Path">The file's path.</param>
/// <param name="Source">Where the path came from ("path set in code", "SPLINTER_LIBRARY", "beside the application"...).</param>
/// <param name="Identity">Device and inode: one verdict and one pool of instances per file, whatever path names it.</param>
internal sealed record LibraryFile(string Path, string Source, FileIdentity Identity)
{
    /// <summary>The file at <paramref name="path"/>, or null when there is none.</summary>
    public static unsafe LibraryFile? Find(string path, string source)
    {
        LibC.Statx status;
        fixed (byte* p = StoreNames.ToUtf8z(path))
        {
            if (LibC.statx(LibC.AT_FDCWD, p, 0, LibC.STATX_TYPE | LibC.STATX_INO, &status) != 0)
            {
                _ = Marshal.GetLastPInvokeError();
                return null;
            }
        }

        if ((status.Mode & LibC.S_IFMT) != LibC.S_IFREG)
        {
            return null;
        }

        return new LibraryFile(System.IO.Path.GetFullPath(path), source, FileIdentity.Of(status));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Path} ({Source})";
}
