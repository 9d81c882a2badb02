using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Splinter.Interop.Store;

/// <summary>
/// Proves that libsplinter mapped the same object as the C# layer. Between the C# layer's check of a path and the
/// library's own open of it, another process can delete the object and create another under the name (with the same
/// geometry, so the header cross-check passes); reads would then come from one object and writes go to the other.
/// The library never tells where it mapped the store, but the kernel lists every mapping of the process with the
/// device and inode of its file: the shared file mappings present before the library call are noted, and afterwards a
/// new one must have the device and inode the kernel gives for the C# layer's own mapping (both from the same list,
/// so file systems whose stat() device differs from the mapping's, such as overlayfs, compare equal).
/// </summary>
/// <remarks>
/// The list is the text of /proc/self/maps, which the kernel formats line by line for every mapping of the process:
/// about 0.4-1.3 ms for the 320 mappings of a .NET process on the 2-core development machine, twice per store
/// opened anew (an open of a store this process has open already makes no native call and no check).
/// </remarks>
internal static unsafe class MappingIdentity
{
    /// <summary>One shared file mapping: its range and its file's device and inode as the kernel reports them.</summary>
    internal readonly record struct SharedMapping(ulong Start, ulong End, uint DeviceMajor, uint DeviceMinor, ulong Inode, string Path)
    {
        /// <summary>"major:minor inode", for messages.</summary>
        public string Identity => $"device {DeviceMajor:x2}:{DeviceMinor:x2} inode {Inode}";
    }

    /// <summary>The shared file mappings of this process now.</summary>
    public static List<SharedMapping> Take()
    {
        try
        {
            return ReadText();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new SplinterException(
                $"Cannot read /proc/self/maps ({exception.Message}), which proves that libsplinter and the C# layer mapped the same object; the store was not opened.");
        }
    }

    /// <summary>
    /// Throws unless a shared mapping that is new since <paramref name="before"/> (the library's) is of the object the C#
    /// layer mapped at <paramref name="ownMapping"/>.
    /// </summary>
    public static void Verify(List<SharedMapping> before, byte* ownMapping, string path)
    {
        List<SharedMapping> after = Take();
        ulong own = (ulong)ownMapping;
        SharedMapping? mine = after.Find(m => m.Start == own);
        if (mine is not { } checkedObject)
        {
            throw new SplinterException($"Cannot find the C# layer's own mapping of '{path}' among this process's mappings; the store was not opened.");
        }

        var earlier = new HashSet<SharedMapping>(before);
        var others = new List<string>();
        foreach (SharedMapping mapping in after)
        {
            if (mapping.Start == own || earlier.Contains(mapping))
            {
                continue;
            }

            if (mapping.DeviceMajor == checkedObject.DeviceMajor && mapping.DeviceMinor == checkedObject.DeviceMinor && mapping.Inode == checkedObject.Inode)
            {
                return;
            }

            others.Add($"{mapping.Path} ({mapping.Identity})");
        }

        string found = others.Count > 0 ? $"it mapped {string.Join(", ", others)}" : "no new mapping of that object appeared";
        throw new SplinterException(
            $"Opening '{path}' failed: libsplinter and the C# layer mapped different objects: the C# layer checked and mapped "
            + $"{checkedObject.Identity}, but {found}. The object was replaced while the store was being opened; nothing was opened.");
    }

    // ---- The text of /proc/self/maps --------------------------------------------------------------------------------

    private static List<SharedMapping> ReadText()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int length = ReadAll("/proc/self/maps", ref buffer);

            // Only shared mappings of files become objects; a .NET process has hundreds of lines, few of them shared.
            var mappings = new List<SharedMapping>();
            ReadOnlySpan<byte> text = buffer.AsSpan(0, length);
            while (!text.IsEmpty)
            {
                int end = text.IndexOf((byte)'\n');
                ReadOnlySpan<byte> line = end < 0 ? text : text[..end];
                text = end < 0 ? default : text[(end + 1)..];
                if (IsSharedLine(line) && Parse(Encoding.UTF8.GetString(line)) is { } mapping)
                {
                    mappings.Add(mapping);
                }
            }

            return mappings;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a /proc file whole (its size is not known in advance), growing the rented buffer as needed.</summary>
    private static int ReadAll(string path, ref byte[] buffer)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            int read = file.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                return length;
            }

            length += read;
        }
    }

    /// <summary>True when the permissions field (after the first space) ends in 's': a shared mapping.</summary>
    private static bool IsSharedLine(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return space >= 0 && line.Length > space + 4 && line[space + 4] == (byte)'s';
    }

    /// <summary>"start-end perms offset major:minor inode path" for a shared mapping of a file, otherwise null.</summary>
    private static SharedMapping? Parse(string line)
    {
        ReadOnlySpan<char> text = line;
        Span<Range> fields = stackalloc Range[6];
        int count = text.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 5)
        {
            return null;
        }

        ReadOnlySpan<char> range = text[fields[0]];
        ReadOnlySpan<char> device = text[fields[3]];
        int dash = range.IndexOf('-');
        int colon = device.IndexOf(':');
        if (dash < 0 || colon < 0
            || !ulong.TryParse(range[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong start)
            || !ulong.TryParse(range[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong end)
            || !uint.TryParse(device[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint major)
            || !uint.TryParse(device[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint minor)
            || !ulong.TryParse(text[fields[4]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode) || inode == 0)
        {
            return null;
        }

        // The path is the rest of the line after the inode (it may contain spaces).
        string path = count == 6 ? text[fields[5].Start..].Trim().ToString() : string.Empty;
        return new SharedMapping(start, end, major, minor, inode, path);
    }
}
