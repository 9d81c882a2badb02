// Maps clang types to the C model: typedef names that say a width win, everything else by its canonical shape.
using Splinter.Interop.Generator.Clang;
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator.Reading;

/// <summary>Turns CXType handles into CType values; records what it cannot map.</summary>
internal sealed class TypeMapper(IReadOnlyDictionary<string, string> recordNames, IReadOnlyDictionary<string, string> enumNames, List<string> problems)
{
    /// <summary>Standard typedefs whose name fixes the C# type (LP64 Linux).</summary>
    private static readonly Dictionary<string, string> s_scalarTypedefs = new(StringComparer.Ordinal)
    {
        ["int8_t"] = "sbyte", ["uint8_t"] = "byte", ["int16_t"] = "short", ["uint16_t"] = "ushort",
        ["int32_t"] = "int", ["uint32_t"] = "uint", ["int64_t"] = "long", ["uint64_t"] = "ulong",
        ["int_least8_t"] = "sbyte", ["uint_least8_t"] = "byte", ["int_least16_t"] = "short", ["uint_least16_t"] = "ushort",
        ["int_least32_t"] = "int", ["uint_least32_t"] = "uint", ["int_least64_t"] = "long", ["uint_least64_t"] = "ulong",
        ["intmax_t"] = "long", ["uintmax_t"] = "ulong",
        ["size_t"] = "nuint", ["ssize_t"] = "nint", ["intptr_t"] = "nint", ["uintptr_t"] = "nuint", ["ptrdiff_t"] = "nint",
    };

    /// <summary>Maps a type as written at a declaration; where names the declaration for error messages.</summary>
    public CType Map(CXType type, string where)
    {
        string spelling = type.Spelling();
        switch (type.kind)
        {
            case CXTypeKind.Elaborated:
                return Map(LibClang.clang_Type_getNamedType(type), where) with { CSpelling = spelling };

            case CXTypeKind.Typedef:
            {
                string name = ClangHelpers.Take(LibClang.clang_getTypedefName(type));
                if (s_scalarTypedefs.TryGetValue(name, out string? csharp))
                {
                    return new CType(CTypeKind.Primitive, spelling, csharp, LibClang.clang_Type_getSizeOf(type), false) { IsPlainScalarName = true };
                }
                CXType underlying = LibClang.clang_getTypedefDeclUnderlyingType(LibClang.clang_getTypeDeclaration(type));
                return Map(underlying, where) with { CSpelling = spelling, IsPlainScalarName = false };
            }

            case CXTypeKind.Atomic:
            {
                CType value = Map(LibClang.clang_Type_getValueType(type), where);
                return value with { CSpelling = spelling, IsAtomic = true, IsPlainScalarName = false };
            }

            case CXTypeKind.Pointer:
            {
                CXType pointee = LibClang.clang_getPointeeType(type);
                CXType canonicalPointee = LibClang.clang_getCanonicalType(pointee);
                if (canonicalPointee.kind is CXTypeKind.FunctionProto or CXTypeKind.FunctionNoProto)
                {
                    // The written pointee keeps typedef names in the parameters (uint64_t, not unsigned long).
                    return MapFunctionPointer(spelling, pointee, canonicalPointee.kind == CXTypeKind.FunctionNoProto, where);
                }
                CType element = canonicalPointee.kind is CXTypeKind.Record or CXTypeKind.Enum && !IsKnownDeclaration(canonicalPointee)
                    ? new CType(CTypeKind.Void, "void", "void", 0, false) // opaque or foreign struct: only ever handled by address
                    : Map(pointee, where);
                return new CType(CTypeKind.Pointer, spelling, element.CSharpName + "*", 8, false) { Element = element };
            }

            case CXTypeKind.Record:
            case CXTypeKind.Enum:
            {
                string usr = LibClang.clang_getTypeDeclaration(type).Usr();
                IReadOnlyDictionary<string, string> names = type.kind == CXTypeKind.Record ? recordNames : enumNames;
                if (!names.TryGetValue(usr, out string? name))
                {
                    problems.Add($"{where}: type '{spelling}' is not declared in the configured headers, so it has no mirror");
                    name = "byte";
                }
                return new CType(type.kind == CXTypeKind.Record ? CTypeKind.Record : CTypeKind.Enum, spelling, name, LibClang.clang_Type_getSizeOf(type), false);
            }

            case CXTypeKind.ConstantArray:
            {
                CType element = Map(LibClang.clang_getArrayElementType(type), where);
                long count = LibClang.clang_getArraySize(type);
                return new CType(CTypeKind.Array, spelling, element.CSharpName, LibClang.clang_Type_getSizeOf(type), element.IsAtomic) { Element = element, Count = count };
            }

            case CXTypeKind.Unexposed:
            {
                CXType canonical = LibClang.clang_getCanonicalType(type);
                if (!ClangHelpers.SameKindAndData(canonical, type))
                {
                    return Map(canonical, where) with { CSpelling = spelling };
                }
                break;
            }
        }

        string? primitive = Primitive(type.kind);
        if (type.kind == CXTypeKind.Void)
        {
            return new CType(CTypeKind.Void, spelling, "void", 0, false);
        }
        if (primitive is not null)
        {
            return new CType(CTypeKind.Primitive, spelling, primitive, LibClang.clang_Type_getSizeOf(type), false) { IsPlainScalarName = type.kind is CXTypeKind.Int or CXTypeKind.Float or CXTypeKind.Double };
        }

        problems.Add($"{where}: cannot map C type '{spelling}' (clang type kind {(int)type.kind})");
        return new CType(CTypeKind.Primitive, spelling, "byte", 1, false);
    }

    private CType MapFunctionPointer(string spelling, CXType function, bool noPrototype, string where)
    {
        if (noPrototype || LibClang.clang_isFunctionTypeVariadic(function) != 0)
        {
            problems.Add($"{where}: function pointer '{spelling}' has no prototype or is variadic");
        }
        CType result = Map(LibClang.clang_getResultType(function), where);
        int count = Math.Max(0, LibClang.clang_getNumArgTypes(function));
        var parameters = new List<CType>(count);
        for (uint i = 0; i < count; i++)
        {
            parameters.Add(Map(LibClang.clang_getArgType(function, i), where));
        }
        string csharp = "delegate* unmanaged[Cdecl]<" + string.Join(", ", parameters.Select(CSharp).Append(CSharp(result))) + ">";
        return new CType(CTypeKind.FunctionPointer, spelling, csharp, 8, false) { Return = result, Parameters = parameters };
    }

    private bool IsKnownDeclaration(CXType canonical)
    {
        string usr = LibClang.clang_getTypeDeclaration(canonical).Usr();
        return canonical.kind == CXTypeKind.Record ? recordNames.ContainsKey(usr) : enumNames.ContainsKey(usr);
    }

    /// <summary>The C# spelling of a mapped type (for parameters, returns and scalar fields).</summary>
    public static string CSharp(CType type) => type.Kind switch
    {
        CTypeKind.Void => "void",
        CTypeKind.Pointer => CSharp(type.Element!) + "*",
        _ => type.CSharpName,
    };

    private static string? Primitive(CXTypeKind kind) => kind switch
    {
        CXTypeKind.Bool => "byte",
        CXTypeKind.Char_S or CXTypeKind.SChar => "sbyte",
        CXTypeKind.Char_U or CXTypeKind.UChar => "byte",
        CXTypeKind.Short => "short",
        CXTypeKind.UShort or CXTypeKind.Char16 => "ushort",
        CXTypeKind.Int => "int",
        CXTypeKind.UInt or CXTypeKind.Char32 => "uint",
        CXTypeKind.Long => "nint",
        CXTypeKind.ULong => "nuint",
        CXTypeKind.LongLong => "long",
        CXTypeKind.ULongLong => "ulong",
        CXTypeKind.Float => "float",
        CXTypeKind.Double => "double",
        _ => null,
    };
}
