using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Splinter.Interop.Native;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>One row of a C layout table: a struct (Field null: Size and Alignment) or a field (Offset and Size).</summary>
public sealed record LayoutRow(string Struct, string? Field, long Offset, long Size, long Alignment)
{
    /// <inheritdoc/>
    public override string ToString() => Field is null
        ? $"{Struct}: sizeof {Size}, alignof {Alignment}"
        : $"{Struct}.{Field}: offset {Offset}, size {Size}";
}

/// <summary>Reads the C compiler's layout table: from libsplinter_shim.so (clang) or from a layout program's output.</summary>
public static class LayoutTable
{
    /// <summary>The table compiled into the loaded shim (clang-19).</summary>
    public static unsafe List<LayoutRow> FromShim()
    {
        var rows = new List<LayoutRow>();
        nuint count = LibSplinterShim.SplinterShim_layout_count();
        for (nuint i = 0; i < count; i++)
        {
            SplinterShim_layout_entry entry;
            Assert.That(LibSplinterShim.SplinterShim_layout_get(i, &entry), Is.Zero, $"SplinterShim_layout_get({i})");
            string structName = Marshal.PtrToStringUTF8((nint)entry.struct_name)!;
            string? fieldName = entry.field_name == null ? null : Marshal.PtrToStringUTF8((nint)entry.field_name);
            rows.Add(new LayoutRow(structName, fieldName, (long)entry.offset, (long)entry.size, (long)entry.alignment));
        }
        return rows;
    }

    /// <summary>Runs a layout program (built with -DSPLINTER_LAYOUT_MAIN) and parses its lines.</summary>
    public static List<LayoutRow> FromProgram(string program)
    {
        if (!File.Exists(program))
        {
            Assert.Fail($"layout program {program} is missing: the native targets of the build did not produce it");
        }
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{program} failed: {error}");
        return Parse(output);
    }

    /// <summary>Parses "struct field offset size alignment" lines (field "-" for a struct row).</summary>
    public static List<LayoutRow> Parse(string text)
    {
        var rows = new List<LayoutRow>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ');
            Assert.That(parts, Has.Length.EqualTo(5), $"layout line '{line}'");
            rows.Add(new LayoutRow(parts[0], parts[1] == "-" ? null : parts[1],
                long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture)));
        }
        return rows;
    }
}
