using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Splinter.Interop.Store;

/// <summary>
/// Proves that libsplinter mapped the same object as the C# layer. Between the C# layer's check of a path and the
/// library's own open of it, another process can delete the object and create another under the name (with the same
/// geometry, so the header cross-check passes); reads would then come from one object and writes go to the other.
/// The library never tells where it mapped the store, but /proc/self/maps lists every mapping with the device and
/// inode of its file: the shared file mappings present before the library call are noted, and afterwards a new one
/// must have the device and inode that /proc/self/maps gives for the C# layer's own mapping (both read from the same
/// list, so file systems whose stat() device differs from the mapping's, such as overlayfs, compare equal).
/// </summary>
internal static unsafe class MappingIdentity
{
    /// <summary>One shared file mapping: start address and the file's "major:minor inode" as the kernel prints it.</summary>
    internal readonly record struct SharedMapping(ulong Start, ulong End, string Device, ulong Inode, string Path);

    /// <summary>The shared file mappings of this process now.</summary>
    public static List<SharedMapping> Take()
    {
        string text;
        try
        {
            text = File.ReadAllText("/proc/self/maps");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new SplinterException(
                $"Cannot read /proc/self/maps ({exception.Message}), which proves that libsplinter and the C# layer mapped the same object; the store was not opened.");
        }

        var mappings = new List<SharedMapping>();
        foreach (ReadOnlySpan<char> line in text.AsSpan().EnumerateLines())
        {
            if (Parse(line) is { } mapping)
            {
                mappings.Add(mapping);
            }
        }

        return mappings;
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
            throw new SplinterException($"Cannot find the C# layer's own mapping of '{path}' in /proc/self/maps; the store was not opened.");
        }

        var earlier = new HashSet<(ulong, string, ulong)>();
        foreach (SharedMapping mapping in before)
        {
            earlier.Add((mapping.Start, mapping.Device, mapping.Inode));
        }

        var others = new List<string>();
        foreach (SharedMapping mapping in after)
        {
            if (mapping.Start == own || earlier.Contains((mapping.Start, mapping.Device, mapping.Inode)))
            {
                continue;
            }

            if (mapping.Device == checkedObject.Device && mapping.Inode == checkedObject.Inode)
            {
                return;
            }

            others.Add($"{mapping.Path} (device {mapping.Device} inode {mapping.Inode})");
        }

        string found = others.Count > 0 ? $"it mapped {string.Join(", ", others)}" : "no new mapping of that object appeared";
        throw new SplinterException(
            $"Opening '{path}' failed: libsplinter and the C# layer mapped different objects: the C# layer checked and mapped device "
            + $"{checkedObject.Device} inode {checkedObject.Inode}, but {found}. The object was replaced while the store was being opened; nothing was opened.");
    }

    /// <summary>"start-end perms offset major:minor inode path" for a shared mapping of a file, otherwise null.</summary>
    private static SharedMapping? Parse(ReadOnlySpan<char> line)
    {
        Span<Range> fields = stackalloc Range[6];
        int count = line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        if (count < 5)
        {
            return null;
        }

        ReadOnlySpan<char> permissions = line[fields[1]];
        if (permissions.Length < 4 || permissions[3] != 's'
            || !ulong.TryParse(line[fields[4]], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode) || inode == 0)
        {
            return null;
        }

        ReadOnlySpan<char> range = line[fields[0]];
        int dash = range.IndexOf('-');
        if (dash < 0
            || !ulong.TryParse(range[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong start)
            || !ulong.TryParse(range[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong end))
        {
            return null;
        }

        // The path is the rest of the line after the inode (it may contain spaces).
        string path = count == 6 ? line[fields[5].Start..].Trim().ToString() : string.Empty;
        return new SharedMapping(start, end, line[fields[3]].ToString(), inode, path);
    }
}
