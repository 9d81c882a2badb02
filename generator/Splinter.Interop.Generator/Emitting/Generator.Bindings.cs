// Emits SplinterBindings: what the bindings expect of a library loaded at run time (the functions SplinterApi
// binds) and the layout of every struct mirror as the runtime lays it out, for the check that compares a loaded
// shim's layout table with the mirrors. Offsets and sizes are C# expressions evaluated at run time, not clang's numbers.
using System.Globalization;
using Splinter.Interop.Generator.Model;
using Splinter.Interop.Generator.Reading;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private string EmitBindings()
    {
        CodeWriter writer = CSharpFile();
        List<CStruct> structs = [.. model.Structs.OrderBy(s => s.Name, StringComparer.Ordinal)];
        int rowCount = structs.Sum(s => 1 + s.Fields.Count);

        writer.Line("/// <summary>");
        writer.Line("/// What these bindings expect of a library loaded at run time: the functions <see cref=\"SplinterApi\"/> binds, and");
        writer.Line("/// the layout of every struct mirror as this runtime lays it out (to compare with the shim's layout table).");
        writer.Line("/// </summary>");
        writer.Line("internal static unsafe class SplinterBindings");
        writer.Open();
        writer.Line("/// <summary>The library functions SplinterApi requires.</summary>");
        NameArray(writer, "RequiredFunctions", LibraryFunctions.Where(f => !IsOptional(f.Name)).Select(f => f.Name));
        writer.Line();
        writer.Line("/// <summary>The library functions SplinterApi binds when the library exports them.</summary>");
        NameArray(writer, "OptionalFunctions", LibraryFunctions.Where(f => IsOptional(f.Name)).Select(f => f.Name));
        writer.Line();
        writer.Line("/// <summary>One row per struct mirror (Field null) and per field, in the order of the shim's layout table.</summary>");
        writer.Line("/// <returns>The rows, computed by this runtime from the mirrors.</returns>");
        writer.Line("public static MirrorLayoutRow[] MirrorLayout()");
        writer.Open();
        if (structs.Count == 0)
        {
            writer.Line("return [];");
        }
        else
        {
            writer.Line(Invariant($"var rows = new MirrorLayoutRow[{rowCount}];"));
            writer.Line("int next = 0;");
            foreach (CStruct record in structs)
            {
                writer.Line($"next = Add_{record.Name}(rows, next);");
            }
            writer.Line("return rows;");
        }
        writer.Close();
        foreach (CStruct record in structs)
        {
            writer.Line();
            writer.Line($"private static int Add_{record.Name}(MirrorLayoutRow[] rows, int next)");
            writer.Open();
            writer.Line($"{record.Name} value = default;");
            writer.Line("byte* start = (byte*)&value;");
            writer.Line($"rows[next++] = new(\"{record.Name}\", null, 0, (nuint)sizeof({record.Name}));");
            foreach (CField field in record.Fields)
            {
                string member = "value." + Identifier(field.Name);
                string offset;
                string size;
                if (field.Type.Kind == CTypeKind.Array && IsFixedBuffer(field))
                {
                    offset = $"(byte*){member} - start";
                    size = Invariant($"{field.Type.Count} * sizeof({TypeMapper.CSharp(field.Type.Element!)})");
                }
                else if (field.Type.Kind == CTypeKind.Array)
                {
                    offset = $"(byte*)&{member} - start";
                    size = $"sizeof({record.Name}.{BufferName(field)})";
                }
                else
                {
                    offset = $"(byte*)&{member} - start";
                    size = $"sizeof({TypeMapper.CSharp(field.Type)})";
                }
                writer.Line($"rows[next++] = new(\"{record.Name}\", \"{field.Name}\", (nuint)({offset}), (nuint)({size}));");
            }
            writer.Line("return next;");
            writer.Close();
        }
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>One row of <see cref=\"SplinterBindings.MirrorLayout\"/>: a struct mirror (Field null) or one of its fields.</summary>");
        writer.Line("/// <param name=\"Struct\">The mirror's name (as the shim's layout table names the struct).</param>");
        writer.Line("/// <param name=\"Field\">The C field name, or null for the struct itself.</param>");
        writer.Line("/// <param name=\"Offset\">Offset of the field in the mirror (0 for the struct).</param>");
        writer.Line("/// <param name=\"Size\">Size of the field or of the whole mirror.</param>");
        writer.Line("internal readonly record struct MirrorLayoutRow(string Struct, string? Field, nuint Offset, nuint Size);");
        return writer.ToString();
    }

    private static bool IsFixedBuffer(CField field) =>
        field.Type.Element!.Kind is CTypeKind.Primitive && s_fixedBufferTypes.Contains(TypeMapper.CSharp(field.Type.Element!));

    private static void NameArray(CodeWriter writer, string name, IEnumerable<string> names)
    {
        List<string> list = [.. names];
        if (list.Count == 0)
        {
            writer.Line($"public static readonly string[] {name} = [];");
            return;
        }
        writer.Line($"public static readonly string[] {name} =");
        writer.Line("[");
        foreach (string entry in list)
        {
            writer.Line(string.Create(CultureInfo.InvariantCulture, $"    \"{entry}\","));
        }
        writer.Line("];");
    }
}
