// The small C model the reader produces and the emitters consume. Only what the emitters need.
namespace Splinter.Interop.Generator.Model;

/// <summary>What a C type is, once typedefs that carry no meaning for C# are looked through.</summary>
internal enum CTypeKind
{
    /// <summary>void (only as a return type or pointee).</summary>
    Void,
    /// <summary>An integer, floating-point or boolean scalar with a fixed C# spelling.</summary>
    Primitive,
    /// <summary>A pointer to Pointee.</summary>
    Pointer,
    /// <summary>A pointer to a function (Return, Parameters).</summary>
    FunctionPointer,
    /// <summary>A struct or union mirrored by name.</summary>
    Record,
    /// <summary>An enum mirrored by name.</summary>
    Enum,
    /// <summary>A fixed-size array of Element (struct fields only).</summary>
    Array,
}

/// <summary>A C type mapped for C#.</summary>
/// <param name="Kind">The shape.</param>
/// <param name="CSpelling">The type as written in C (for NativeTypeName and C emitters).</param>
/// <param name="CSharpName">For Primitive, Record and Enum: the C# type name.</param>
/// <param name="Size">sizeof in bytes (0 for void and functions).</param>
/// <param name="IsAtomic">True when the type (or its array element) is C11 _Atomic.</param>
internal sealed record CType(CTypeKind Kind, string CSpelling, string CSharpName, long Size, bool IsAtomic)
{
    /// <summary>For Pointer and Array: what it points to or holds.</summary>
    public CType? Element { get; init; }

    /// <summary>For Array: the number of elements.</summary>
    public long Count { get; init; }

    /// <summary>For FunctionPointer: the return type.</summary>
    public CType? Return { get; init; }

    /// <summary>For FunctionPointer: the parameter types.</summary>
    public IReadOnlyList<CType> Parameters { get; init; } = [];

    /// <summary>True when the spelling is a standard scalar name whose C# type says the same (uint64_t, size_t, int...).</summary>
    public bool IsPlainScalarName { get; init; }
}

/// <summary>A doc comment split into its parts.</summary>
internal sealed record CDoc(string Summary, IReadOnlyDictionary<string, string> Parameters, string Returns)
{
    /// <summary>No documentation.</summary>
    public static readonly CDoc Empty = new(string.Empty, new Dictionary<string, string>(), string.Empty);
}

/// <summary>One function parameter.</summary>
internal sealed record CParameter(string Name, CType Type);

/// <summary>An exported function declaration.</summary>
internal sealed record CFunction(string Name, CType Return, IReadOnlyList<CParameter> Parameters, CDoc Doc, HeaderRole Header);

/// <summary>One field of a struct or union.</summary>
internal sealed record CField(string Name, CType Type, long Offset, long Size, CDoc Doc);

/// <summary>A struct or union with its clang-computed layout.</summary>
/// <param name="Name">The tag, or the typedef name for an anonymous struct.</param>
/// <param name="TypedefName">A typedef naming it, if any.</param>
internal sealed record CStruct(string Name, string? TypedefName, bool IsUnion, long Size, long Alignment, IReadOnlyList<CField> Fields, CDoc Doc, HeaderRole Header)
{
    /// <summary>The name C code uses for the type ("struct tag" or the typedef of an anonymous struct).</summary>
    public string CName => TypedefName is not null && IsAnonymous ? TypedefName : (IsUnion ? "union " : "struct ") + Name;

    /// <summary>True when the struct has no tag and is known only by its typedef.</summary>
    public bool IsAnonymous { get; init; }
}

/// <summary>One enumerator.</summary>
internal sealed record CEnumMember(string Name, long SignedValue, ulong UnsignedValue, CDoc Doc);

/// <summary>An enum with its underlying integer type.</summary>
/// <param name="Name">The typedef name if one exists, else the tag.</param>
internal sealed record CEnum(string Name, string? Tag, CType IntegerType, IReadOnlyList<CEnumMember> Members, CDoc Doc, HeaderRole Header);

/// <summary>How a macro's value is represented.</summary>
internal enum CConstantKind
{
    /// <summary>An integer constant expression.</summary>
    Integer,
    /// <summary>A floating-point constant expression.</summary>
    Floating,
    /// <summary>A string literal.</summary>
    String,
}

/// <summary>An object-like macro evaluated by clang.</summary>
/// <param name="CTypeSpelling">The C type clang gives the expansion (int, unsigned int, unsigned long long, char[2]...).</param>
/// <param name="CSharpType">The C# type of the constant (for integers: IntegerConstantType, or the configured type).</param>
/// <param name="Hexadecimal">True when the C spelling has a hex number or a shift (presentation only).</param>
internal sealed record CConstant(string Name, CConstantKind Kind, string CTypeSpelling, string CSharpType, long SignedValue, ulong UnsignedValue,
    double FloatValue, string StringValue, bool Hexadecimal, CDoc Doc, HeaderRole Header)
{
    /// <summary>For integers: true when the value is below zero (SignedValue holds it; else UnsignedValue does).</summary>
    public bool Negative { get; init; }
}

/// <summary>Something the reader saw and deliberately did not bind.</summary>
internal sealed record CSkipped(string Kind, string Name, string Reason);

/// <summary>Which configured header a declaration came from.</summary>
internal enum HeaderRole
{
    /// <summary>The library header (splinter.h): bound in LibSplinter and SplinterApi.</summary>
    Library,
    /// <summary>The shim header (splinter_shim.h): bound in LibSplinterShim.</summary>
    Shim,
}

/// <summary>Everything read from the headers.</summary>
internal sealed class CModel
{
    public List<CFunction> Functions { get; } = [];
    public List<CStruct> Structs { get; } = [];
    public List<CEnum> Enums { get; } = [];
    public List<CConstant> Constants { get; } = [];
    public List<CSkipped> Skipped { get; } = [];
    /// <summary>Constructs the generator cannot map; any entry fails the run.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>
    /// Identifiers in the configured headers' #if branches the preprocessor did not take (declarations of another
    /// configuration, such as SPLINTER_EMBEDDINGS): configuration entries may name them without being unknown.
    /// </summary>
    public HashSet<string> InactiveIdentifiers { get; } = new(StringComparer.Ordinal);
}

/// <summary>The C# type of an integer constant.</summary>
internal static class IntegerConstantType
{
    /// <summary>The C# integer types a configuration may choose.</summary>
    public static readonly IReadOnlyList<string> Choices = ["sbyte", "byte", "short", "ushort", "int", "uint", "long", "ulong"];

    /// <summary>
    /// The first of int, uint, long and ulong that holds the value: the type C# gives the value written as a plain
    /// literal. The C type of the spelling (0x08 is int, (1u &lt;&lt; 3) unsigned int, an enumerator the enum's type)
    /// does not enter, so two spellings of one value give one C# type.
    /// </summary>
    public static string Natural(bool negative, long signedValue, ulong unsignedValue) => negative
        ? (signedValue >= int.MinValue ? "int" : "long")
        : unsignedValue switch
        {
            <= int.MaxValue => "int",
            <= uint.MaxValue => "uint",
            <= long.MaxValue => "long",
            _ => "ulong",
        };

    /// <summary>True when a C# integer type holds the value.</summary>
    public static bool Holds(string type, bool negative, long signedValue, ulong unsignedValue) => negative
        ? type switch
        {
            "sbyte" => signedValue >= sbyte.MinValue,
            "short" => signedValue >= short.MinValue,
            "int" => signedValue >= int.MinValue,
            "long" => true,
            _ => false,
        }
        : type switch
        {
            "sbyte" => unsignedValue <= (ulong)sbyte.MaxValue,
            "byte" => unsignedValue <= byte.MaxValue,
            "short" => unsignedValue <= (ulong)short.MaxValue,
            "ushort" => unsignedValue <= ushort.MaxValue,
            "int" => unsignedValue <= int.MaxValue,
            "uint" => unsignedValue <= uint.MaxValue,
            "long" => unsignedValue <= long.MaxValue,
            "ulong" => true,
            _ => false,
        };
}
