// Emits the shim's generated C: errno wrappers and the sizeof/offsetof layout table.
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private string EmitShimErrno()
    {
        CodeWriter writer = CFile();
        writer.Line("/* One wrapper per library function that reports failures through errno: clear errno, call the");
        writer.Line(" * function through the pointer the caller passes (so any library and variant works), hand errno back. */");
        writer.Line("#include <errno.h>");
        writer.Line("#include <stddef.h>");
        writer.Line();
        writer.Line($"#include \"{libraryHeaderInclude}\"");
        writer.Line("#include \"splinter_shim.h\"");
        foreach (CFunction function in ErrnoFunctions)
        {
            if (function.Parameters.Any(p => p.Type.Kind == CTypeKind.FunctionPointer))
            {
                model.Problems.Add($"{function.Name}: errno wrappers for functions with function-pointer parameters are not supported");
                continue;
            }
            writer.Line();
            string parameters = string.Concat(function.Parameters.Select(p => ", " + Declarator(p.Type.CSpelling, p.Name)));
            string arguments = string.Join(", ", function.Parameters.Select(p => p.Name));
            bool isVoid = function.Return.Kind == CTypeKind.Void;
            writer.Line($"SPLINTER_SHIM_API {function.Return.CSpelling} {ErrnoWrapperName(function)}(__typeof__({function.Name}) *fn{parameters}, int *error)");
            writer.Open();
            writer.Line("errno = 0;");
            writer.Line(isVoid ? $"fn({arguments});" : $"{function.Return.CSpelling} result = fn({arguments});");
            writer.Line("if (error != NULL)");
            writer.Open();
            writer.Line("*error = errno;");
            writer.Close();
            if (!isVoid)
            {
                writer.Line("return result;");
            }
            writer.Close();
        }
        return writer.ToString();
    }

    private string EmitLayoutTable()
    {
        CodeWriter writer = CFile();
        writer.Line("/* sizeof, alignof and offsetof of every mirrored struct and field, as this compiler lays them out.");
        writer.Line(" * Built into libsplinter_shim.so (read by the layout tests) and, with -DSPLINTER_LAYOUT_MAIN, into a");
        writer.Line(" * program that prints \"struct field offset size alignment\" lines (to compare gcc with clang). */");
        writer.Line("#include <stddef.h>");
        writer.Line();
        writer.Line($"#include \"{libraryHeaderInclude}\"");
        writer.Line("#include \"splinter_shim.h\"");
        writer.Line();
        writer.Line("#define SPLINTER_LAYOUT_RECORD(type, name) { name, NULL, 0, sizeof(type), _Alignof(type) }");
        writer.Line("#define SPLINTER_LAYOUT_FIELD(type, name, field) { name, #field, offsetof(type, field), sizeof(((type *)0)->field), 0 }");
        writer.Line();
        writer.Line("static const SplinterShim_layout_entry splinter_layout_table[] = {");
        foreach (CStruct record in model.Structs.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            writer.Line($"    SPLINTER_LAYOUT_RECORD({record.CName}, \"{record.Name}\"),");
            foreach (CField field in record.Fields)
            {
                writer.Line($"    SPLINTER_LAYOUT_FIELD({record.CName}, \"{record.Name}\", {field.Name}),");
            }
        }
        writer.Line("};");
        writer.Line();
        writer.Line("SPLINTER_SHIM_API size_t SplinterShim_layout_count(void)");
        writer.Open();
        writer.Line("return sizeof(splinter_layout_table) / sizeof(splinter_layout_table[0]);");
        writer.Close();
        writer.Line();
        writer.Line("SPLINTER_SHIM_API int SplinterShim_layout_get(size_t index, SplinterShim_layout_entry *out)");
        writer.Open();
        writer.Line("if (out == NULL || index >= SplinterShim_layout_count())");
        writer.Open();
        writer.Line("return -1;");
        writer.Close();
        writer.Line("*out = splinter_layout_table[index];");
        writer.Line("return 0;");
        writer.Close();
        writer.Line();
        writer.Line("#ifdef SPLINTER_LAYOUT_MAIN");
        writer.Line("#include <stdio.h>");
        writer.Line();
        writer.Line("int main(void)");
        writer.Open();
        writer.Line("for (size_t i = 0; i < SplinterShim_layout_count(); i++)");
        writer.Open();
        writer.Line("const SplinterShim_layout_entry *entry = &splinter_layout_table[i];");
        writer.Line("printf(\"%s %s %zu %zu %zu\\n\", entry->struct_name, entry->field_name != NULL ? entry->field_name : \"-\",");
        writer.Line("       entry->offset, entry->size, entry->alignment);");
        writer.Close();
        writer.Line("return 0;");
        writer.Close();
        writer.Line("#endif");
        return writer.ToString();
    }

    /// <summary>"type name", without a space after a '*'.</summary>
    private static string Declarator(string type, string name) => type.EndsWith('*') ? type + name : type + " " + name;

    /// <summary>Every symbol libsplinter_shim.so must export, sorted (the build compares it with nm -D).</summary>
    private string EmitShimExports()
    {
        var writer = new CodeWriter();
        foreach (string name in ShimFunctions.Select(f => f.Name).Concat(ErrnoFunctions.Select(ErrnoWrapperName)).Order(StringComparer.Ordinal))
        {
            writer.Line(name);
        }
        return writer.ToString();
    }
}
