using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>What the build bound (header, library folder, defines), read from splinter-native-tools/build-info.txt.</summary>
public static class NativeBuildInfo
{
    private static readonly Lazy<Dictionary<string, string>> s_values = new(Load);

    /// <summary>Folder of the native helper programs and build-info.txt in the test output.</summary>
    public static string ToolsDirectory => Path.Combine(AppContext.BaseDirectory, "splinter-native-tools");

    /// <summary>Repository root of the build.</summary>
    public static string RepoRoot => Value("repo-root");

    /// <summary>The library header the bindings were generated from.</summary>
    public static string Header => Value("header");

    /// <summary>The shim header.</summary>
    public static string ShimHeader => Value("shim-header");

    /// <summary>Where libsplinter*.so came from.</summary>
    public static string NativeDirectory => Value("native-dir");

    /// <summary>The folder of the generated files (C# and native/*.g.c).</summary>
    public static string GeneratedDirectory => Value("generated-dir");

    /// <summary>The generator configuration file.</summary>
    public static string GeneratorConfig => Value("generator-config");

    /// <summary>Preprocessor defines passed to the generator and the shim (e.g. SPLINTER_EMBEDDINGS).</summary>
    public static IReadOnlyList<string> Defines => Value("defines").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>default, embeddings, prefix or prefix_embeddings.</summary>
    public static string Configuration => Value("configuration");

    /// <summary>The file of a native library in the test output (runtimes/linux-x64/native).</summary>
    public static string RuntimeLibrary(string fileName) => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", fileName);

    private static string Value(string key) =>
        s_values.Value.TryGetValue(key, out string? value) ? value : throw new InvalidOperationException($"build-info.txt has no '{key}'");

    private static Dictionary<string, string> Load()
    {
        string path = Path.Combine(ToolsDirectory, "build-info.txt");
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: the Splinter.Interop build did not run its native targets.");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(path))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }
        return values;
    }
}
