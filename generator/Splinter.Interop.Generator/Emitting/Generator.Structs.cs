// Emits the struct mirrors: explicit layout with clang's offsets and size; _Atomic T as T with a note;
// primitive arrays as fixed buffers, other arrays as [InlineArray] structs named _<field>_e__FixedBuffer.
using System.Globalization;
using Splinter.Interop.Generator.Model;
using Splinter.Interop.Generator.Reading;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private const string AtomicNote = "Accessed atomically (C11 _Atomic): use Volatile/Interlocked.";

    private static readonly HashSet<string> s_fixedBufferTypes = new(StringComparer.Ordinal)
    {
        "bool", "byte", "short", "int", "long", "char", "sbyte", "ushort", "uint", "ulong", "float", "double",
    };

    private string EmitStructs()
    {
        CodeWriter writer = CSharpFile("System.Runtime.CompilerServices", "System.Runtime.InteropServices");
        bool first = true;
        foreach (CStruct record in model.Structs.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (!first)
            {
                writer.Line();
            }
            first = false;
            WriteStruct(writer, record);
        }
        return writer.ToString();
    }

    private void WriteStruct(CodeWriter writer, CStruct record)
    {
        Summary(writer, record.Doc.Summary, $"Mirror of {record.CName}.");
        writer.Line(Invariant($"/// <remarks>C: {Xml(record.CName)}{(record.TypedefName is not null && !record.IsAnonymous ? " (typedef " + record.TypedefName + ")" : string.Empty)}; sizeof {record.Size}, alignof {record.Alignment}. Offsets and size come from clang.</remarks>"));
        writer.Line(Invariant($"[StructLayout(LayoutKind.Explicit, Size = {record.Size})]"));
        if (record.TypedefName is not null)
        {
            writer.Line($"[NativeTypeName(\"{record.TypedefName}\")]");
        }
        writer.Line($"{Access(record.Header)} unsafe partial struct {record.Name}");
        writer.Open();
        var buffers = new List<CField>();
        bool firstField = true;
        foreach (CField field in record.Fields)
        {
            if (!firstField)
            {
                writer.Line();
            }
            firstField = false;
            Summary(writer, field.Doc.Summary, $"C field {field.Name}.");
            if (field.Type.IsAtomic)
            {
                writer.Line($"/// <remarks>{AtomicNote}</remarks>");
            }
            writer.Line(Invariant($"[FieldOffset({field.Offset})]"));
            string? attribute = FieldNativeTypeName(field.Type);
            if (attribute is not null)
            {
                writer.Line(attribute);
            }
            if (field.Type.Kind == CTypeKind.Array)
            {
                CType element = field.Type.Element!;
                string elementName = TypeMapper.CSharp(element);
                if (element.Kind is CTypeKind.Primitive && s_fixedBufferTypes.Contains(elementName))
                {
                    writer.Line(Invariant($"public fixed {elementName} {Identifier(field.Name)}[{field.Type.Count}];"));
                }
                else
                {
                    if (element.Kind == CTypeKind.Array)
                    {
                        model.Problems.Add($"{record.Name}.{field.Name}: multi-dimensional arrays are not supported");
                    }
                    writer.Line($"public {BufferName(field)} {Identifier(field.Name)};");
                    buffers.Add(field);
                }
            }
            else
            {
                writer.Line($"public {TypeMapper.CSharp(field.Type)} {Identifier(field.Name)};");
            }
        }
        foreach (CField field in buffers)
        {
            writer.Line();
            writer.Line(Invariant($"/// <summary>Inline storage of {field.Name}: {field.Type.Count} elements of {Xml(field.Type.Element!.CSpelling)}.</summary>"));
            writer.Line(Invariant($"[InlineArray({field.Type.Count})]"));
            writer.Line($"public partial struct {BufferName(field)}");
            writer.Open();
            writer.Line("/// <summary>The first element; index the buffer for the others.</summary>");
            writer.Line($"public {TypeMapper.CSharp(field.Type.Element!)} e0;");
            writer.Close();
        }
        writer.Close();
    }

    private static string BufferName(CField field) => "_" + field.Name + "_e__FixedBuffer";

    private static string? FieldNativeTypeName(CType type)
    {
        if (type.Kind == CTypeKind.Array || type.IsAtomic)
        {
            return $"[NativeTypeName(\"{type.CSpelling}\")]";
        }
        return NativeTypeName(type);
    }

    private string EmitEnums()
    {
        CodeWriter writer = CSharpFile();
        bool first = true;
        foreach (CEnum enumeration in model.Enums.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!first)
            {
                writer.Line();
            }
            first = false;
            Summary(writer, enumeration.Doc.Summary, $"Mirror of enum {enumeration.Tag ?? enumeration.Name}.");
            if (enumeration.Tag is not null && enumeration.Tag != enumeration.Name)
            {
                writer.Line($"[NativeTypeName(\"enum {enumeration.Tag}\")]");
            }
            string integer = TypeMapper.CSharp(enumeration.IntegerType);
            bool unsigned = integer is "byte" or "ushort" or "uint" or "ulong" or "nuint";
            writer.Line($"{Access(enumeration.Header)} enum {enumeration.Name} : {integer}");
            writer.Open();
            foreach (CEnumMember member in enumeration.Members)
            {
                Summary(writer, member.Doc.Summary, $"C enumerator {member.Name}.");
                string value = unsigned ? member.UnsignedValue.ToString(CultureInfo.InvariantCulture) : member.SignedValue.ToString(CultureInfo.InvariantCulture);
                writer.Line($"{member.Name} = {value},");
            }
            writer.Close();
        }
        return writer.ToString();
    }

    private string EmitConstants(string className, HeaderRole role)
    {
        CodeWriter writer = CSharpFile("System");
        writer.Line($"{Access(role)} static unsafe partial class {className}");
        writer.Open();
        bool first = true;
        foreach (CConstant constant in model.Constants.Where(c => c.Header == role).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            if (!first)
            {
                writer.Line();
            }
            first = false;
            Summary(writer, constant.Doc.Summary, $"C macro {constant.Name}.");
            writer.Line($"/// <remarks>C type {Xml(constant.CTypeSpelling)}, value evaluated by clang.</remarks>");
            switch (constant.Kind)
            {
                case CConstantKind.String:
                    writer.Line($"public static ReadOnlySpan<byte> {constant.Name} => {Utf8Literal(constant.StringValue)};");
                    break;
                case CConstantKind.Floating:
                    string literal = constant.FloatValue.ToString("R", CultureInfo.InvariantCulture) + (constant.CSharpType == "float" ? "f" : "d");
                    writer.Line($"public const {constant.CSharpType} {constant.Name} = {literal};");
                    break;
                default:
                    writer.Line($"public const {constant.CSharpType} {constant.Name} = {IntegerLiteral(constant)};");
                    break;
            }
        }
        writer.Close();
        return writer.ToString();
    }

    private static string IntegerLiteral(CConstant constant)
    {
        if (constant.Negative)
        {
            return constant.SignedValue.ToString(CultureInfo.InvariantCulture);
        }
        return constant.Hexadecimal
            ? "0x" + constant.UnsignedValue.ToString("X", CultureInfo.InvariantCulture)
            : constant.UnsignedValue.ToString(CultureInfo.InvariantCulture);
    }

    private string EmitNativeTypeNameAttribute()
    {
        CodeWriter writer = CSharpFile("System", "System.Diagnostics");
        writer.Line("/// <summary>Names the C type a raw-layer declaration stands for (documentation only; kept in DEBUG builds).</summary>");
        writer.Line("/// <param name=\"name\">The C type as written in the header.</param>");
        writer.Line("[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false)]");
        writer.Line("[Conditional(\"DEBUG\")]");
        writer.Line("internal sealed class NativeTypeNameAttribute(string name) : Attribute");
        writer.Open();
        writer.Line("/// <summary>The C type as written in the header.</summary>");
        writer.Line("public string Name { get; } = name;");
        writer.Close();
        return writer.ToString();
    }
}
