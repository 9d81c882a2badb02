// The small part of the libclang C API the generator needs, bound by hand.
// Struct layouts follow clang-c/Index.h and CXString.h (x86_64: pointers are 8 bytes).
using System.Runtime.InteropServices;

namespace Splinter.Interop.Generator.Clang;

/// <summary>A cursor: one node of clang's AST (kind, extra data, three opaque pointers).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXCursor
{
    public CXCursorKind kind;
    public int xdata;
    public nint data0;
    public nint data1;
    public nint data2;
}

/// <summary>A type handle (kind plus two opaque pointers).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXType
{
    public CXTypeKind kind;
    public nint data0;
    public nint data1;
}

/// <summary>A string owned by libclang; must be disposed with clang_disposeString.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXString
{
    public nint data;
    public uint private_flags;
}

/// <summary>A source location (opaque).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceLocation
{
    public nint ptr_data0;
    public nint ptr_data1;
    public uint int_data;
}

/// <summary>A source range (opaque).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceRange
{
    public nint ptr_data0;
    public nint ptr_data1;
    public uint begin_int_data;
    public uint end_int_data;
}

/// <summary>A list of source ranges owned by libclang (clang_disposeSourceRangeList).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXSourceRangeList
{
    public uint count;
    public CXSourceRange* ranges;
}

/// <summary>What a token is.</summary>
internal enum CXTokenKind
{
    Punctuation = 0,
    Keyword = 1,
    Identifier = 2,
    Literal = 3,
    Comment = 4,
}

/// <summary>A lexical token (opaque).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CXToken
{
    public uint int_data0;
    public uint int_data1;
    public uint int_data2;
    public uint int_data3;
    public nint ptr_data;
}

/// <summary>A file held in memory instead of on disk.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CXUnsavedFile
{
    public byte* Filename;
    public byte* Contents;
    public nuint Length;
}

/// <summary>The cursor kinds the reader looks at (values from clang-c/Index.h).</summary>
internal enum CXCursorKind
{
    StructDecl = 2,
    UnionDecl = 3,
    EnumDecl = 5,
    FieldDecl = 6,
    EnumConstantDecl = 7,
    FunctionDecl = 8,
    VarDecl = 9,
    ParmDecl = 10,
    TypedefDecl = 20,
    TranslationUnit = 350,
    MacroDefinition = 501,
    MacroExpansion = 502,
    InclusionDirective = 503,
}

/// <summary>The type kinds the reader maps (values from clang-c/Index.h).</summary>
internal enum CXTypeKind
{
    Invalid = 0,
    Unexposed = 1,
    Void = 2,
    Bool = 3,
    Char_U = 4,
    UChar = 5,
    Char16 = 6,
    Char32 = 7,
    UShort = 8,
    UInt = 9,
    ULong = 10,
    ULongLong = 11,
    UInt128 = 12,
    Char_S = 13,
    SChar = 14,
    WChar = 15,
    Short = 16,
    Int = 17,
    Long = 18,
    LongLong = 19,
    Int128 = 20,
    Float = 21,
    Double = 22,
    LongDouble = 23,
    Pointer = 101,
    Record = 105,
    Enum = 106,
    Typedef = 107,
    FunctionNoProto = 110,
    FunctionProto = 111,
    ConstantArray = 112,
    IncompleteArray = 114,
    Elaborated = 119,
    Atomic = 177,
}

/// <summary>Result of clang_Cursor_Evaluate.</summary>
internal enum CXEvalResultKind
{
    UnExposed = 0,
    Int = 1,
    Float = 2,
    ObjCStrLiteral = 3,
    StrLiteral = 4,
    CFStr = 5,
    Other = 6,
}

/// <summary>Storage class of a declaration.</summary>
internal enum CX_StorageClass
{
    Invalid = 0,
    None = 1,
    Extern = 2,
    Static = 3,
}

/// <summary>Severity of a diagnostic.</summary>
internal enum CXDiagnosticSeverity
{
    Ignored = 0,
    Note = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}

/// <summary>Options of clang_parseTranslationUnit2.</summary>
[Flags]
internal enum CXTranslationUnitFlags : uint
{
    None = 0,
    DetailedPreprocessingRecord = 0x01,
    SkipFunctionBodies = 0x40,
    KeepGoing = 0x200,
}

/// <summary>Entry points of libclang-19.</summary>
internal static unsafe partial class LibClang
{
    private const string Library = "libclang-19.so.1";

    [LibraryImport(Library)] public static partial nint clang_createIndex(int excludeDeclarationsFromPch, int displayDiagnostics);
    [LibraryImport(Library)] public static partial void clang_disposeIndex(nint index);
    [LibraryImport(Library)]
    public static partial int clang_parseTranslationUnit2(nint index, byte* sourceFilename, byte** commandLineArgs, int numCommandLineArgs,
        CXUnsavedFile* unsavedFiles, uint numUnsavedFiles, uint options, nint* outTranslationUnit);
    [LibraryImport(Library)] public static partial void clang_disposeTranslationUnit(nint translationUnit);
    [LibraryImport(Library)] public static partial CXCursor clang_getTranslationUnitCursor(nint translationUnit);

    [LibraryImport(Library)] public static partial nint clang_getCString(CXString text);
    [LibraryImport(Library)] public static partial void clang_disposeString(CXString text);

    [LibraryImport(Library)]
    public static partial uint clang_visitChildren(CXCursor parent, delegate* unmanaged<CXCursor, CXCursor, nint, int> visitor, nint clientData);
    [LibraryImport(Library)] public static partial CXCursorKind clang_getCursorKind(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXString clang_getCursorSpelling(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXString clang_getCursorUSR(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXType clang_getCursorType(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXType clang_getCursorResultType(CXCursor cursor);
    [LibraryImport(Library)] public static partial int clang_Cursor_getNumArguments(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXCursor clang_Cursor_getArgument(CXCursor cursor, uint index);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isFunctionInlined(CXCursor cursor);
    [LibraryImport(Library)] public static partial CX_StorageClass clang_Cursor_getStorageClass(CXCursor cursor);
    [LibraryImport(Library)] public static partial uint clang_isCursorDefinition(CXCursor cursor);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isAnonymous(CXCursor cursor);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isBitField(CXCursor cursor);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isMacroFunctionLike(CXCursor cursor);
    [LibraryImport(Library)] public static partial uint clang_Cursor_isMacroBuiltin(CXCursor cursor);
    [LibraryImport(Library)] public static partial long clang_Cursor_getOffsetOfField(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXString clang_Cursor_getRawCommentText(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXType clang_getTypedefDeclUnderlyingType(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXType clang_getEnumDeclIntegerType(CXCursor cursor);
    [LibraryImport(Library)] public static partial long clang_getEnumConstantDeclValue(CXCursor cursor);
    [LibraryImport(Library)] public static partial ulong clang_getEnumConstantDeclUnsignedValue(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getCursorLocation(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXSourceRange clang_getCursorExtent(CXCursor cursor);

    [LibraryImport(Library)] public static partial CXString clang_getTypeSpelling(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_getCanonicalType(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_getPointeeType(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_getArrayElementType(CXType type);
    [LibraryImport(Library)] public static partial long clang_getArraySize(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_Type_getNamedType(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_Type_getValueType(CXType type);
    [LibraryImport(Library)] public static partial CXString clang_getTypedefName(CXType type);
    [LibraryImport(Library)] public static partial CXCursor clang_getTypeDeclaration(CXType type);
    [LibraryImport(Library)] public static partial uint clang_isConstQualifiedType(CXType type);
    [LibraryImport(Library)] public static partial long clang_Type_getSizeOf(CXType type);
    [LibraryImport(Library)] public static partial long clang_Type_getAlignOf(CXType type);
    [LibraryImport(Library)] public static partial long clang_Type_getOffsetOf(CXType type, byte* fieldName);
    [LibraryImport(Library)] public static partial CXType clang_getResultType(CXType type);
    [LibraryImport(Library)] public static partial int clang_getNumArgTypes(CXType type);
    [LibraryImport(Library)] public static partial CXType clang_getArgType(CXType type, uint index);
    [LibraryImport(Library)] public static partial uint clang_isFunctionTypeVariadic(CXType type);

    [LibraryImport(Library)] public static partial nint clang_Cursor_Evaluate(CXCursor cursor);
    [LibraryImport(Library)] public static partial CXEvalResultKind clang_EvalResult_getKind(nint result);
    [LibraryImport(Library)] public static partial long clang_EvalResult_getAsLongLong(nint result);
    [LibraryImport(Library)] public static partial uint clang_EvalResult_isUnsignedInt(nint result);
    [LibraryImport(Library)] public static partial ulong clang_EvalResult_getAsUnsigned(nint result);
    [LibraryImport(Library)] public static partial double clang_EvalResult_getAsDouble(nint result);
    [LibraryImport(Library)] public static partial nint clang_EvalResult_getAsStr(nint result);
    [LibraryImport(Library)] public static partial void clang_EvalResult_dispose(nint result);

    [LibraryImport(Library)]
    public static partial void clang_getFileLocation(CXSourceLocation location, nint* file, uint* line, uint* column, uint* offset);
    [LibraryImport(Library)] public static partial CXString clang_getFileName(nint file);

    [LibraryImport(Library)]
    public static partial void clang_tokenize(nint translationUnit, CXSourceRange range, CXToken** tokens, uint* numTokens);
    [LibraryImport(Library)] public static partial CXString clang_getTokenSpelling(nint translationUnit, CXToken token);
    [LibraryImport(Library)] public static partial void clang_disposeTokens(nint translationUnit, CXToken* tokens, uint numTokens);
    [LibraryImport(Library)] public static partial CXTokenKind clang_getTokenKind(CXToken token);
    [LibraryImport(Library)] public static partial CXSourceRangeList* clang_getAllSkippedRanges(nint translationUnit);
    [LibraryImport(Library)] public static partial void clang_disposeSourceRangeList(CXSourceRangeList* ranges);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getRangeStart(CXSourceRange range);

    [LibraryImport(Library)] public static partial uint clang_getNumDiagnostics(nint translationUnit);
    [LibraryImport(Library)] public static partial nint clang_getDiagnostic(nint translationUnit, uint index);
    [LibraryImport(Library)] public static partial CXDiagnosticSeverity clang_getDiagnosticSeverity(nint diagnostic);
    [LibraryImport(Library)] public static partial CXSourceLocation clang_getDiagnosticLocation(nint diagnostic);
    [LibraryImport(Library)] public static partial CXString clang_getDiagnosticSpelling(nint diagnostic);
    [LibraryImport(Library)] public static partial void clang_disposeDiagnostic(nint diagnostic);
}
