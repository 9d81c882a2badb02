using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>Compares a C layout table with the generated C# mirrors in Splinter.Interop.Native.</summary>
public static class LayoutParity
{
    /// <summary>Every mirror struct of the raw layer: explicit-layout value types of the namespace, not nested buffers.</summary>
    public static Dictionary<string, Type> Mirrors() => typeof(LibSplinter).Assembly.GetTypes()
        .Where(t => t.Namespace == "Splinter.Interop.Native" && t.IsValueType && !t.IsEnum && !t.IsNested && t.IsExplicitLayout)
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The mirror fields of a struct, by C name.</summary>
    public static Dictionary<string, FieldInfo> Fields(Type mirror) => mirror.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>sizeof of a managed type as the runtime lays it out.</summary>
    public static long SizeOf(Type type) => type.IsPointer || type.IsFunctionPointer
        ? IntPtr.Size
        : (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    /// <summary>Every difference between the table and the mirrors, in both directions (missing on either side included).</summary>
    public static List<string> Compare(IReadOnlyList<LayoutRow> table)
    {
        var problems = new List<string>();
        Dictionary<string, Type> mirrors = Mirrors();
        var tableStructs = table.Where(r => r.Field is null).Select(r => r.Struct).ToHashSet(StringComparer.Ordinal);
        foreach (string missing in mirrors.Keys.Where(name => !tableStructs.Contains(name)).Order(StringComparer.Ordinal))
        {
            problems.Add($"{missing}: mirrored in C# but not in the C layout table");
        }
        foreach (IGrouping<string, LayoutRow> group in table.GroupBy(r => r.Struct, StringComparer.Ordinal))
        {
            if (!mirrors.TryGetValue(group.Key, out Type? mirror))
            {
                problems.Add($"{group.Key}: in the C layout table but has no C# mirror");
                continue;
            }
            Dictionary<string, FieldInfo> fields = Fields(mirror);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (LayoutRow row in group)
            {
                if (row.Field is null)
                {
                    long size = SizeOf(mirror);
                    if (size != row.Size)
                    {
                        problems.Add($"{row.Struct}: sizeof C {row.Size}, C# {size}");
                    }
                    continue;
                }
                seen.Add(row.Field);
                if (!fields.TryGetValue(row.Field, out FieldInfo? field))
                {
                    problems.Add($"{row.Struct}.{row.Field}: in the C layout table but not in the C# mirror");
                    continue;
                }
                int offset = field.GetCustomAttribute<FieldOffsetAttribute>()?.Value ?? -1;
                long fieldSize = SizeOf(field.FieldType);
                if (offset != row.Offset || fieldSize != row.Size)
                {
                    problems.Add($"{row.Struct}.{row.Field}: C offset {row.Offset} size {row.Size}, C# offset {offset} size {fieldSize}");
                }
            }
            foreach (string extra in fields.Keys.Where(name => !seen.Contains(name)).Order(StringComparer.Ordinal))
            {
                problems.Add($"{group.Key}.{extra}: in the C# mirror but not in the C layout table");
            }
        }
        return problems;
    }
}
