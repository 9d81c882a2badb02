// Managed conveniences over the raw libclang entry points: strings, child lists, locations, tokens.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Splinter.Interop.Generator.Clang;

/// <summary>Where a cursor or diagnostic sits in a file.</summary>
internal readonly record struct SourcePosition(string File, uint Line, uint Column, uint Offset);

/// <summary>Helpers that turn libclang handles into managed values.</summary>
internal static unsafe class ClangHelpers
{
    /// <summary>Copies a CXString into a managed string and disposes it.</summary>
    public static string Take(CXString text)
    {
        try
        {
            nint chars = LibClang.clang_getCString(text);
            return chars == 0 ? string.Empty : Marshal.PtrToStringUTF8(chars) ?? string.Empty;
        }
        finally
        {
            LibClang.clang_disposeString(text);
        }
    }

    /// <summary>The spelling (name) of a cursor.</summary>
    public static string Spelling(this CXCursor cursor) => Take(LibClang.clang_getCursorSpelling(cursor));

    /// <summary>The unified symbol resolution of a cursor: a stable identity for declarations.</summary>
    public static string Usr(this CXCursor cursor) => Take(LibClang.clang_getCursorUSR(cursor));

    /// <summary>The C spelling of a type.</summary>
    public static string Spelling(this CXType type) => Take(LibClang.clang_getTypeSpelling(type));

    /// <summary>The raw doc comment attached to a declaration, or an empty string.</summary>
    public static string RawComment(this CXCursor cursor) => Take(LibClang.clang_Cursor_getRawCommentText(cursor));

    /// <summary>The direct children of a cursor, in source order.</summary>
    public static List<CXCursor> Children(this CXCursor parent)
    {
        var children = new List<CXCursor>();
        GCHandle handle = GCHandle.Alloc(children);
        try
        {
            LibClang.clang_visitChildren(parent, &CollectChild, GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return children;
    }

    [UnmanagedCallersOnly]
    private static int CollectChild(CXCursor cursor, CXCursor parent, nint clientData)
    {
        var children = (List<CXCursor>)GCHandle.FromIntPtr(clientData).Target!;
        children.Add(cursor);
        return 1; // CXChildVisit_Continue: siblings only, no recursion.
    }

    /// <summary>The file position of a cursor (the spelling location).</summary>
    public static SourcePosition Position(this CXCursor cursor) => Position(LibClang.clang_getCursorLocation(cursor));

    /// <summary>The file position of a source location.</summary>
    public static SourcePosition Position(CXSourceLocation location)
    {
        nint file;
        uint line, column, offset;
        LibClang.clang_getFileLocation(location, &file, &line, &column, &offset);
        string name = file == 0 ? string.Empty : Take(LibClang.clang_getFileName(file));
        return new SourcePosition(name, line, column, offset);
    }

    /// <summary>The spellings of the tokens a cursor covers (for a macro: its name, then its body).</summary>
    public static List<string> Tokens(nint translationUnit, CXCursor cursor) =>
        Tokens(translationUnit, LibClang.clang_getCursorExtent(cursor), identifiersOnly: false);

    /// <summary>The spellings of the tokens in a source range, or only its identifiers.</summary>
    public static List<string> Tokens(nint translationUnit, CXSourceRange range, bool identifiersOnly)
    {
        CXToken* tokens;
        uint count;
        LibClang.clang_tokenize(translationUnit, range, &tokens, &count);
        var spellings = new List<string>((int)count);
        try
        {
            for (uint i = 0; i < count; i++)
            {
                if (!identifiersOnly || LibClang.clang_getTokenKind(tokens[i]) == CXTokenKind.Identifier)
                {
                    spellings.Add(Take(LibClang.clang_getTokenSpelling(translationUnit, tokens[i])));
                }
            }
        }
        finally
        {
            if (tokens != null)
            {
                LibClang.clang_disposeTokens(translationUnit, tokens, count);
            }
        }
        return spellings;
    }

    /// <summary>Whether two types are the same handle (used to stop at a fixed point).</summary>
    public static bool SameKindAndData(CXType a, CXType b) => a.kind == b.kind && a.data0 == b.data0 && a.data1 == b.data1;
}
