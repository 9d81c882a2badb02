using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>Words for a create that failed with ENOSPC: how big the store is and where it was to live.</summary>
internal static unsafe class FileSystemSpace
{
    /// <summary>The message of the SplinterException for a full file system.</summary>
    public static string FullMessage(string nameOrPath, string path, uint slots, uint maxValueSize, int slotSize)
    {
        UInt128 needed = StoreFormat.ExpectedSize(slots, maxValueSize, slotSize);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        (string mountPoint, string type) = MountOf(folder);
        string free = FreeBytes(folder) is ulong bytes ? $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes are free there" : "its free space is unknown";
        return $"Cannot create the store '{nameOrPath}': the file system is full (ENOSPC). The store needs {needed} bytes "
            + $"({StoreFormat.HeaderSize} header + {slots} slots x {slotSize} + {slots} values x {maxValueSize}) at '{path}', "
            + $"on the {type} file system mounted at {mountPoint}; {free}. Free space there or choose a smaller geometry.";
    }

    private static ulong? FreeBytes(string folder)
    {
        LibC.Statvfs buffer;
        fixed (byte* p = StoreNames.ToUtf8z(folder))
        {
            if (LibC.statvfs(p, &buffer) != 0)
            {
                _ = Marshal.GetLastPInvokeError();
                return null;
            }
        }

        return buffer.BlocksAvailable * buffer.FragmentSize;
    }

    /// <summary>The mount point holding <paramref name="folder"/> and its file system type, from /proc/self/mountinfo (the longest matching mount point).</summary>
    private static (string MountPoint, string Type) MountOf(string folder)
    {
        string best = "/";
        string type = "unknown";
        try
        {
            foreach (string line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "id parent major:minor root mountpoint options [optional...] - type source superoptions"
                string[] fields = line.Split(' ');
                int separator = Array.IndexOf(fields, "-");
                if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length)
                {
                    continue;
                }

                string mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
                bool contains = folder == mountPoint || mountPoint == "/" || folder.StartsWith(mountPoint + "/", StringComparison.Ordinal);
                if (contains && mountPoint.Length >= best.Length)
                {
                    best = mountPoint;
                    type = fields[separator + 1];
                }
            }
        }
        catch (IOException)
        {
            // Without mountinfo the message still gives the path and the size.
        }

        return (best, type);
    }
}
