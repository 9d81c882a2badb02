// Reads the configured headers through libclang into the C model.
using System.Runtime.InteropServices;
using System.Text;
using Splinter.Interop.Generator.Clang;
using Splinter.Interop.Generator.Model;

namespace Splinter.Interop.Generator.Reading;

/// <summary>What to parse and how.</summary>
/// <param name="LibraryHeader">Absolute path of the library header (splinter.h).</param>
/// <param name="ShimHeader">Absolute path of the shim header, or null to read the library header alone.</param>
/// <param name="ClangArguments">Arguments for clang: language, -isystem, -D.</param>
/// <param name="Exclusions">Declaration names never bound, with reasons.</param>
internal sealed record ReaderInput(string LibraryHeader, string? ShimHeader, IReadOnlyList<string> ClangArguments, IReadOnlyList<ReasonedName> Exclusions);

/// <summary>Parses the headers with libclang and builds the C model.</summary>
internal sealed unsafe class HeaderReader
{
    private const string ProbeFile = "/splinter-generator/macro-probe.c";
    private const string InputFile = "/splinter-generator/input.c";
    private const string ProbePrefix = "splinter_generator_probe_";

    private readonly ReaderInput _input;
    private readonly CModel _model = new();
    private readonly Dictionary<string, string> _recordNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _enumNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _typedefNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _headerText = new(StringComparer.Ordinal);

    private HeaderReader(ReaderInput input) => _input = input;

    /// <summary>Reads the headers. Problems (constructs it cannot map) are in the model's Problems list.</summary>
    public static CModel Read(ReaderInput input) => new HeaderReader(input).Run();

    private CModel Run()
    {
        nint index = LibClang.clang_createIndex(0, 0);
        try
        {
            var macros = new List<(string Name, string Body, bool Hex, CDoc Doc, HeaderRole Header)>();
            nint unit = Parse(index, InputFile, Includes(), CXTranslationUnitFlags.DetailedPreprocessingRecord | CXTranslationUnitFlags.SkipFunctionBodies);
            try
            {
                ReportDiagnostics(unit, fileFilter: null);
                CollectInactiveIdentifiers(unit);
                CXCursor root = LibClang.clang_getTranslationUnitCursor(unit);
                List<CXCursor> top = root.Children();
                CollectNames(top);
                var mapper = new TypeMapper(_recordNames, _enumNames, _model.Problems);
                foreach (CXCursor cursor in top)
                {
                    HeaderRole? role = RoleOf(cursor);
                    if (role is null)
                    {
                        continue;
                    }
                    switch (cursor.kind)
                    {
                        case CXCursorKind.StructDecl or CXCursorKind.UnionDecl:
                            ReadRecord(cursor, role.Value, mapper);
                            break;
                        case CXCursorKind.EnumDecl:
                            ReadEnum(unit, cursor, role.Value, mapper);
                            break;
                        case CXCursorKind.FunctionDecl:
                            ReadFunction(cursor, role.Value, mapper);
                            break;
                        case CXCursorKind.MacroDefinition:
                            ReadMacro(unit, cursor, role.Value, macros);
                            break;
                    }
                }
            }
            finally
            {
                LibClang.clang_disposeTranslationUnit(unit);
            }
            EvaluateMacros(index, macros);
        }
        finally
        {
            LibClang.clang_disposeIndex(index);
        }
        return _model;
    }

    /// <summary>Identifiers in the #if branches of our headers that this configuration's defines leave out.</summary>
    private void CollectInactiveIdentifiers(nint unit)
    {
        CXSourceRangeList* list = LibClang.clang_getAllSkippedRanges(unit);
        if (list == null)
        {
            return;
        }
        try
        {
            for (uint i = 0; i < list->count; i++)
            {
                CXSourceRange range = list->ranges[i];
                string file = ClangHelpers.Position(LibClang.clang_getRangeStart(range)).File;
                if (file == _input.LibraryHeader || file == _input.ShimHeader)
                {
                    _model.InactiveIdentifiers.UnionWith(ClangHelpers.Tokens(unit, range, identifiersOnly: true));
                }
            }
        }
        finally
        {
            LibClang.clang_disposeSourceRangeList(list);
        }
    }

    private string Includes()
    {
        var text = new StringBuilder();
        text.Append("#include \"").Append(_input.LibraryHeader).Append("\"\n");
        if (_input.ShimHeader is not null)
        {
            text.Append("#include \"").Append(_input.ShimHeader).Append("\"\n");
        }
        return text.ToString();
    }

    private nint Parse(nint index, string fileName, string contents, CXTranslationUnitFlags flags)
    {
        var arguments = new List<string> { "-x", "c" };
        arguments.AddRange(_input.ClangArguments);
        byte[] nameBytes = Utf8z(fileName);
        byte[] contentBytes = Encoding.UTF8.GetBytes(contents);
        byte[][] argumentBytes = arguments.Select(Utf8z).ToArray();
        var handles = new List<GCHandle>();
        try
        {
            byte** argv = stackalloc byte*[argumentBytes.Length];
            for (int i = 0; i < argumentBytes.Length; i++)
            {
                GCHandle pinned = GCHandle.Alloc(argumentBytes[i], GCHandleType.Pinned);
                handles.Add(pinned);
                argv[i] = (byte*)pinned.AddrOfPinnedObject();
            }
            fixed (byte* name = nameBytes)
            fixed (byte* content = contentBytes)
            {
                var unsaved = new CXUnsavedFile { Filename = name, Contents = content, Length = (nuint)contentBytes.Length };
                nint unit;
                int error = LibClang.clang_parseTranslationUnit2(index, name, argv, argumentBytes.Length, &unsaved, 1, (uint)(flags | CXTranslationUnitFlags.KeepGoing), &unit);
                if (error != 0 || unit == 0)
                {
                    throw new InvalidOperationException($"libclang could not parse {fileName} (CXErrorCode {error}); arguments: {string.Join(' ', arguments)}");
                }
                return unit;
            }
        }
        finally
        {
            foreach (GCHandle handle in handles)
            {
                handle.Free();
            }
        }
    }

    private static byte[] Utf8z(string text) => Encoding.UTF8.GetBytes(text + "\0");

    /// <summary>Errors become problems; with a file filter, errors elsewhere are returned per line instead.</summary>
    private Dictionary<uint, string> ReportDiagnostics(nint unit, string? fileFilter)
    {
        var byLine = new Dictionary<uint, string>();
        uint count = LibClang.clang_getNumDiagnostics(unit);
        for (uint i = 0; i < count; i++)
        {
            nint diagnostic = LibClang.clang_getDiagnostic(unit, i);
            try
            {
                CXDiagnosticSeverity severity = LibClang.clang_getDiagnosticSeverity(diagnostic);
                if (severity < CXDiagnosticSeverity.Error)
                {
                    continue;
                }
                SourcePosition position = ClangHelpers.Position(LibClang.clang_getDiagnosticLocation(diagnostic));
                string message = ClangHelpers.Take(LibClang.clang_getDiagnosticSpelling(diagnostic));
                if (fileFilter is not null)
                {
                    // The probe parse repeats the header's own errors, already reported by the first parse.
                    if (position.File == fileFilter)
                    {
                        byLine.TryAdd(position.Line, message);
                    }
                }
                else
                {
                    _model.Problems.Add($"clang: {position.File}:{position.Line}:{position.Column}: {message}");
                }
            }
            finally
            {
                LibClang.clang_disposeDiagnostic(diagnostic);
            }
        }
        return byLine;
    }

    private HeaderRole? RoleOf(CXCursor cursor)
    {
        string file = cursor.Position().File;
        if (file.Length == 0)
        {
            return null;
        }
        if (file == _input.LibraryHeader)
        {
            return HeaderRole.Library;
        }
        if (_input.ShimHeader is not null && file == _input.ShimHeader)
        {
            return HeaderRole.Shim;
        }
        return null;
    }

    /// <summary>First pass: the C# name of every struct, union and enum declared in our headers.</summary>
    private void CollectNames(List<CXCursor> top)
    {
        foreach (CXCursor cursor in top)
        {
            if (cursor.kind != CXCursorKind.TypedefDecl || RoleOf(cursor) is null)
            {
                continue;
            }
            CXType underlying = LibClang.clang_getTypedefDeclUnderlyingType(cursor);
            if (underlying.kind == CXTypeKind.Elaborated)
            {
                underlying = LibClang.clang_Type_getNamedType(underlying);
            }
            if (underlying.kind is CXTypeKind.Record or CXTypeKind.Enum)
            {
                _typedefNames.TryAdd(LibClang.clang_getTypeDeclaration(underlying).Usr(), cursor.Spelling());
            }
        }
        foreach (CXCursor cursor in top)
        {
            if (RoleOf(cursor) is null)
            {
                continue;
            }
            if (cursor.kind is CXCursorKind.StructDecl or CXCursorKind.UnionDecl)
            {
                string usr = cursor.Usr();
                bool anonymous = IsAnonymous(cursor);
                _typedefNames.TryGetValue(usr, out string? typedefName);
                string? name = anonymous ? typedefName : cursor.Spelling();
                if (name is not null)
                {
                    _recordNames.TryAdd(usr, name);
                }
            }
            else if (cursor.kind == CXCursorKind.EnumDecl)
            {
                string usr = cursor.Usr();
                bool anonymous = IsAnonymous(cursor);
                _typedefNames.TryGetValue(usr, out string? typedefName);
                string? name = typedefName ?? (anonymous ? null : cursor.Spelling());
                if (name is not null)
                {
                    _enumNames.TryAdd(usr, name);
                }
            }
        }
    }

    /// <summary>
    /// True for a struct, union or enum without a tag. clang names "typedef struct { } t;" after its typedef and
    /// does not call it anonymous, but its USR says so (c:@SA@t, c:@UA@t, c:@EA@t).
    /// </summary>
    private static bool IsAnonymous(CXCursor cursor)
    {
        if (LibClang.clang_Cursor_isAnonymous(cursor) != 0)
        {
            return true;
        }
        string usr = cursor.Usr();
        return usr.Contains("@SA@", StringComparison.Ordinal) || usr.Contains("@UA@", StringComparison.Ordinal) || usr.Contains("@EA@", StringComparison.Ordinal);
    }

    private void ReadRecord(CXCursor cursor, HeaderRole role, TypeMapper mapper)
    {
        if (LibClang.clang_isCursorDefinition(cursor) == 0)
        {
            return; // a forward declaration; the definition (if any) is read where it appears
        }
        string usr = cursor.Usr();
        bool isUnion = cursor.kind == CXCursorKind.UnionDecl;
        if (!_recordNames.TryGetValue(usr, out string? name))
        {
            _model.Problems.Add($"{cursor.Position().File}:{cursor.Position().Line}: an anonymous {(isUnion ? "union" : "struct")} without a typedef cannot be mirrored");
            return;
        }
        if (Excluded(name, "struct"))
        {
            return;
        }
        _typedefNames.TryGetValue(usr, out string? typedefName);
        CXType type = LibClang.clang_getCursorType(cursor);
        var fields = new List<CField>();
        foreach (CXCursor child in cursor.Children())
        {
            if (child.kind is CXCursorKind.StructDecl or CXCursorKind.UnionDecl && LibClang.clang_isCursorDefinition(child) != 0)
            {
                _model.Problems.Add($"{name}: nested struct or union definitions are not supported (declare it at file scope)");
                continue;
            }
            if (child.kind != CXCursorKind.FieldDecl)
            {
                continue;
            }
            string fieldName = child.Spelling();
            string where = $"{name}.{fieldName}";
            if (LibClang.clang_Cursor_isBitField(child) != 0)
            {
                _model.Problems.Add($"{where}: bit-fields cannot be mirrored with FieldOffset");
                continue;
            }
            CXType fieldType = LibClang.clang_getCursorType(child);
            CType mapped = mapper.Map(fieldType, where);
            long offsetBits = LibClang.clang_Cursor_getOffsetOfField(child);
            if (offsetBits < 0 || offsetBits % 8 != 0)
            {
                _model.Problems.Add($"{where}: clang reports no byte offset ({offsetBits})");
                continue;
            }
            fields.Add(new CField(fieldName, mapped, offsetBits / 8, LibClang.clang_Type_getSizeOf(fieldType), DocComment.Parse(child.RawComment())));
        }
        long size = LibClang.clang_Type_getSizeOf(type);
        long alignment = LibClang.clang_Type_getAlignOf(type);
        if (size <= 0)
        {
            _model.Problems.Add($"{name}: clang reports no size ({size})");
            return;
        }
        _model.Structs.Add(new CStruct(name, typedefName, isUnion, size, alignment, fields, DocComment.Parse(cursor.RawComment()), role)
        {
            IsAnonymous = IsAnonymous(cursor),
        });
    }

    private void ReadEnum(nint unit, CXCursor cursor, HeaderRole role, TypeMapper mapper)
    {
        if (LibClang.clang_isCursorDefinition(cursor) == 0)
        {
            return;
        }
        string usr = cursor.Usr();
        bool anonymous = IsAnonymous(cursor);
        bool constantsOnly = !_enumNames.ContainsKey(usr);
        var members = new List<CEnumMember>();
        var hexMembers = new HashSet<string>(StringComparer.Ordinal);
        foreach (CXCursor child in cursor.Children())
        {
            if (child.kind == CXCursorKind.EnumConstantDecl)
            {
                members.Add(new CEnumMember(child.Spelling(), LibClang.clang_getEnumConstantDeclValue(child),
                    LibClang.clang_getEnumConstantDeclUnsignedValue(child), DocComment.Parse(child.RawComment())));
                if (constantsOnly && SpellsBits(ClangHelpers.Tokens(unit, child)))
                {
                    hexMembers.Add(child.Spelling());
                }
            }
        }
        CType integer = mapper.Map(LibClang.clang_getEnumDeclIntegerType(cursor), "enum " + cursor.Spelling());
        if (!_enumNames.TryGetValue(usr, out string? name))
        {
            // An anonymous enum without a typedef only names constants: bind its members as constants, typed like macros.
            bool unsignedEnum = integer.CSharpName is "byte" or "ushort" or "uint" or "ulong";
            foreach (CEnumMember member in members)
            {
                if (!Excluded(member.Name, "enumerator"))
                {
                    bool negative = !unsignedEnum && member.SignedValue < 0;
                    ulong unsignedValue = unsignedEnum ? member.UnsignedValue : unchecked((ulong)member.SignedValue);
                    _model.Constants.Add(new CConstant(member.Name, CConstantKind.Integer, integer.CSpelling,
                        IntegerConstantType.Natural(negative, member.SignedValue, unsignedValue),
                        member.SignedValue, unsignedValue, 0, string.Empty, hexMembers.Contains(member.Name), member.Doc, role)
                    {
                        Negative = negative,
                    });
                }
            }
            return;
        }
        if (Excluded(name, "enum"))
        {
            return;
        }
        _model.Enums.Add(new CEnum(name, anonymous ? null : cursor.Spelling(), integer, members, DocComment.Parse(cursor.RawComment()), role));
    }

    private void ReadFunction(CXCursor cursor, HeaderRole role, TypeMapper mapper)
    {
        string name = cursor.Spelling();
        if (_model.Functions.Any(f => f.Name == name) || _model.Skipped.Any(s => s.Name == name && s.Kind == "function"))
        {
            return; // declared twice
        }
        if (LibClang.clang_Cursor_isFunctionInlined(cursor) != 0)
        {
            CX_StorageClass storage = LibClang.clang_Cursor_getStorageClass(cursor);
            string how = storage == CX_StorageClass.Static ? "static inline" : "inline";
            _model.Skipped.Add(new CSkipped("function", name, $"{how} function defined in the header: no exported symbol to bind"));
            return;
        }
        if (LibClang.clang_Cursor_getStorageClass(cursor) == CX_StorageClass.Static)
        {
            _model.Skipped.Add(new CSkipped("function", name, "static function: no exported symbol to bind"));
            return;
        }
        if (Excluded(name, "function"))
        {
            return;
        }
        CXType type = LibClang.clang_getCursorType(cursor);
        if (type.kind == CXTypeKind.FunctionNoProto || LibClang.clang_isFunctionTypeVariadic(type) != 0)
        {
            _model.Problems.Add($"{name}: functions without a prototype or with variadic parameters cannot be bound");
            return;
        }
        CType result = mapper.Map(LibClang.clang_getCursorResultType(cursor), name + " (return)");
        int count = LibClang.clang_Cursor_getNumArguments(cursor);
        var parameters = new List<CParameter>(count);
        for (uint i = 0; i < count; i++)
        {
            CXCursor argument = LibClang.clang_Cursor_getArgument(cursor, i);
            string parameterName = argument.Spelling();
            if (parameterName.Length == 0)
            {
                parameterName = "arg" + i;
            }
            parameters.Add(new CParameter(parameterName, mapper.Map(LibClang.clang_getCursorType(argument), $"{name}({parameterName})")));
        }
        _model.Functions.Add(new CFunction(name, result, parameters, DocComment.Parse(cursor.RawComment()), role));
    }

    private bool Excluded(string name, string kind)
    {
        ReasonedName? exclusion = _input.Exclusions.FirstOrDefault(e => e.Name == name);
        if (exclusion is null)
        {
            return false;
        }
        _model.Skipped.Add(new CSkipped(kind, name, "excluded by configuration: " + exclusion.Reason));
        return true;
    }

    private static readonly HashSet<string> s_specifierTokens = new(StringComparer.Ordinal)
    {
        "__attribute__", "__declspec", "_Alignas", "alignas", "_Atomic", "__asm__", "asm", "_Noreturn", "inline", "static", "extern", "__restrict", "restrict",
    };

    private void ReadMacro(nint unit, CXCursor cursor, HeaderRole role, List<(string Name, string Body, bool Hex, CDoc Doc, HeaderRole Header)> macros)
    {
        if (LibClang.clang_Cursor_isMacroBuiltin(cursor) != 0)
        {
            return;
        }
        string name = cursor.Spelling();
        if (LibClang.clang_Cursor_isMacroFunctionLike(cursor) != 0)
        {
            _model.Skipped.Add(new CSkipped("macro", name, "function-like macro: not a constant"));
            return;
        }
        List<string> tokens = ClangHelpers.Tokens(unit, cursor);
        List<string> body = tokens.Count > 0 && tokens[0] == name ? tokens.Skip(1).ToList() : tokens;
        if (body.Count == 0)
        {
            _model.Skipped.Add(new CSkipped("macro", name, "empty macro (include guard or feature switch): no value"));
            return;
        }
        string? specifier = body.FirstOrDefault(s_specifierTokens.Contains);
        if (specifier is not null)
        {
            _model.Skipped.Add(new CSkipped("macro", name, $"expands to a declaration specifier or attribute ({specifier}), not a value"));
            return;
        }
        if (Excluded(name, "macro"))
        {
            return;
        }
        macros.Add((name, string.Join(' ', body), SpellsBits(body), DocComment.Parse(CommentBefore(cursor)), role));
    }

    /// <summary>A hex number or a shift: the value is a bit pattern, printed in hex.</summary>
    private static bool SpellsBits(List<string> tokens) =>
        tokens.Any(t => t == "<<" || t.StartsWith("0x", StringComparison.OrdinalIgnoreCase));

    /// <summary>clang does not attach comments to macros: take the doc comment that ends right before the #define.</summary>
    private string CommentBefore(CXCursor cursor)
    {
        SourcePosition position = cursor.Position();
        if (!_headerText.TryGetValue(position.File, out string? text))
        {
            text = File.ReadAllText(position.File);
            _headerText[position.File] = text;
        }
        int hash = text.LastIndexOf('#', Math.Min((int)position.Offset, text.Length - 1));
        if (hash < 0)
        {
            return string.Empty;
        }
        int end = hash - 1;
        while (end >= 0 && char.IsWhiteSpace(text[end]))
        {
            end--;
        }
        if (end < 1 || text[end] != '/' || text[end - 1] != '*')
        {
            return string.Empty;
        }
        int start = text.LastIndexOf("/*", end - 1, StringComparison.Ordinal);
        if (start < 0 || start + 2 >= text.Length || text[start + 2] != '*')
        {
            return string.Empty; // a plain /* */ comment is not documentation
        }
        return text[start..(end + 1)];
    }

    /// <summary>Second parse: each macro becomes the initializer of a typed variable that clang evaluates.</summary>
    private void EvaluateMacros(nint index, List<(string Name, string Body, bool Hex, CDoc Doc, HeaderRole Header)> macros)
    {
        if (macros.Count == 0)
        {
            return;
        }
        var source = new StringBuilder(Includes());
        uint firstLine = (uint)(_input.ShimHeader is null ? 2 : 3);
        foreach (var macro in macros)
        {
            source.Append("static const __typeof__(").Append(macro.Name).Append(") ").Append(ProbePrefix).Append(macro.Name)
                .Append(" = ").Append(macro.Name).Append(";\n");
        }
        nint unit = Parse(index, ProbeFile, source.ToString(), CXTranslationUnitFlags.SkipFunctionBodies);
        try
        {
            Dictionary<uint, string> errors = ReportDiagnostics(unit, ProbeFile);
            var variables = new Dictionary<string, CXCursor>(StringComparer.Ordinal);
            foreach (CXCursor cursor in LibClang.clang_getTranslationUnitCursor(unit).Children())
            {
                if (cursor.kind == CXCursorKind.VarDecl && cursor.Position().File == ProbeFile)
                {
                    string spelling = cursor.Spelling();
                    if (spelling.StartsWith(ProbePrefix, StringComparison.Ordinal))
                    {
                        variables[spelling[ProbePrefix.Length..]] = cursor;
                    }
                }
            }
            for (int i = 0; i < macros.Count; i++)
            {
                var macro = macros[i];
                if (errors.TryGetValue(firstLine + (uint)i, out string? error))
                {
                    _model.Skipped.Add(new CSkipped("macro", macro.Name, $"not a constant expression ({error}): {macro.Body}"));
                    continue;
                }
                if (!variables.TryGetValue(macro.Name, out CXCursor variable))
                {
                    _model.Problems.Add($"macro {macro.Name}: clang produced no probe declaration for '{macro.Body}'");
                    continue;
                }
                Evaluate(macro.Name, macro.Body, macro.Hex, macro.Doc, macro.Header, variable);
            }
        }
        finally
        {
            LibClang.clang_disposeTranslationUnit(unit);
        }
    }

    private void Evaluate(string name, string body, bool hex, CDoc doc, HeaderRole role, CXCursor variable)
    {
        CXType type = LibClang.clang_getCursorType(variable);
        string canonical = StripConst(LibClang.clang_getCanonicalType(type).Spelling());
        // The probe's type is spelled "typeof (<expansion>)"; the canonical type says what it is.
        string written = StripConst(type.Spelling());
        written = written.StartsWith("typeof", StringComparison.Ordinal) ? canonical : written;
        nint result = LibClang.clang_Cursor_Evaluate(variable);
        if (result == 0)
        {
            _model.Skipped.Add(new CSkipped("macro", name, $"clang cannot evaluate it as a constant: {body}"));
            return;
        }
        try
        {
            CXEvalResultKind kind = LibClang.clang_EvalResult_getKind(result);
            switch (kind)
            {
                case CXEvalResultKind.Int:
                {
                    if (IntegerCSharpType(canonical) is null)
                    {
                        _model.Problems.Add($"macro {name}: integer of C type '{written}' has no C# mapping");
                        return;
                    }
                    bool isUnsigned = LibClang.clang_EvalResult_isUnsignedInt(result) != 0;
                    long signedValue = LibClang.clang_EvalResult_getAsLongLong(result);
                    ulong unsignedValue = isUnsigned ? LibClang.clang_EvalResult_getAsUnsigned(result) : unchecked((ulong)signedValue);
                    bool negative = !isUnsigned && signedValue < 0;
                    _model.Constants.Add(new CConstant(name, CConstantKind.Integer, written, IntegerConstantType.Natural(negative, signedValue, unsignedValue),
                        signedValue, unsignedValue, 0, string.Empty, hex, doc, role)
                    {
                        Negative = negative,
                    });
                    return;
                }
                case CXEvalResultKind.Float:
                {
                    string csharp = canonical == "float" ? "float" : "double";
                    _model.Constants.Add(new CConstant(name, CConstantKind.Floating, written, csharp, 0, 0, LibClang.clang_EvalResult_getAsDouble(result), string.Empty, false, doc, role));
                    return;
                }
                case CXEvalResultKind.StrLiteral:
                {
                    string value = Marshal.PtrToStringUTF8(LibClang.clang_EvalResult_getAsStr(result)) ?? string.Empty;
                    _model.Constants.Add(new CConstant(name, CConstantKind.String, written, "ReadOnlySpan<byte>", 0, 0, 0, value, false, doc, role));
                    return;
                }
                default:
                    _model.Skipped.Add(new CSkipped("macro", name, $"clang evaluates it to a {kind} value, which has no constant form: {body}"));
                    return;
            }
        }
        finally
        {
            LibClang.clang_EvalResult_dispose(result);
        }
    }

    private static string StripConst(string spelling) =>
        spelling.StartsWith("const ", StringComparison.Ordinal) ? spelling["const ".Length..] : spelling;

    private static string? IntegerCSharpType(string canonical) => canonical switch
    {
        "int" => "int",
        "unsigned int" => "uint",
        "long" => "long",
        "unsigned long" => "ulong",
        "long long" => "long",
        "unsigned long long" => "ulong",
        "char" or "signed char" => "sbyte",
        "unsigned char" or "_Bool" => "byte",
        "short" => "short",
        "unsigned short" => "ushort",
        _ => null,
    };
}
