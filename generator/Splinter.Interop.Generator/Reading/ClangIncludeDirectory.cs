// Finds clang's builtin headers (stddef.h, stdatomic.h) for libclang-19: libclang does not add them by itself
// when it cannot locate its resource directory relative to the host program.
namespace Splinter.Interop.Generator.Reading;

/// <summary>Locates the builtin include directory of clang 19.</summary>
internal static class ClangIncludeDirectory
{
    /// <summary>SPLINTER_CLANG_INCLUDE if set, else the newest /usr/lib/llvm-19/lib/clang/*/include with stddef.h.</summary>
    public static string? Find()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("SPLINTER_CLANG_INCLUDE");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        const string root = "/usr/lib/llvm-19/lib/clang";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(version => Path.Combine(version, "include"))
            .Where(include => File.Exists(Path.Combine(include, "stddef.h")))
            .OrderByDescending(include => include, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
