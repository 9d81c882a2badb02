// Command line: --config <json> --repo-root <dir> [--header <path>] [--shim-header <path>|none] [--define NAME[=V]]...
//               [--clang-include <dir>] [--namespace <name>] --out <dir>
using System.Diagnostics;
using Splinter.Interop.Generator.Emitting;
using Splinter.Interop.Generator.Model;
using Splinter.Interop.Generator.Reading;

namespace Splinter.Interop.Generator;

/// <summary>The generator's command line, callable in-process by the tests.</summary>
internal static class GeneratorCommand
{
    /// <summary>
    /// The list of the files a run wrote (relative paths, '/' separators, one per line, sorted), written last into the
    /// output folder. The build reads it (Splinter.Native.targets) instead of naming the files itself.
    /// </summary>
    public const string FileListName = "generated-files.txt";

    /// <summary>Process entry point.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs one generation; returns the exit code (0 success, 1 failure, 2 usage).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var stopwatch = Stopwatch.StartNew();
        string? configPath = null, repoRoot = null, outputDirectory = null, namespaceOverride = null, clangInclude = null, shimOverride = null;
        var headers = new List<string>();
        var defines = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--config": configPath = Value(); break;
                case "--repo-root": repoRoot = Value(); break;
                case "--header": headers.Add(Value()); break;
                case "--shim-header": shimOverride = Value(); break;
                case "--define": defines.Add(Value()); break;
                case "--clang-include": clangInclude = Value(); break;
                case "--out": outputDirectory = Value(); break;
                case "--namespace": namespaceOverride = Value(); break;
                default:
                    error.WriteLine($"splinter-generator: unknown argument '{args[i]}'");
                    error.WriteLine("usage: --config <json> --repo-root <dir> [--header <path>] [--shim-header <path>|none] [--define NAME[=V]]... [--clang-include <dir>] [--namespace <name>] --out <dir>");
                    return 2;
            }
        }
        if (configPath is null || repoRoot is null || outputDirectory is null)
        {
            error.WriteLine("splinter-generator: --config, --repo-root and --out are required");
            return 2;
        }

        repoRoot = Path.GetFullPath(repoRoot);
        string Display(string path)
        {
            string relative = Path.GetRelativePath(repoRoot, path);
            return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
        }
        GeneratorConfig config;
        try
        {
            config = GeneratorConfig.Load(configPath);
        }
        catch (Exception exception) when (exception is InvalidDataException or System.Text.Json.JsonException or IOException or InvalidOperationException)
        {
            error.WriteLine($"splinter-generator: error: {Display(Path.GetFullPath(configPath))}: {exception.Message}");
            return 1;
        }
        if (namespaceOverride is not null)
        {
            config = config.WithNamespace(namespaceOverride);
        }
        string libraryHeader = Path.GetFullPath(headers.Count > 0 ? headers[0] : Path.Combine(repoRoot, config.LibraryHeader));
        string? shimHeader = shimOverride switch
        {
            "none" => null,
            null => config.ShimHeader.Length == 0 ? null : Path.GetFullPath(Path.Combine(repoRoot, config.ShimHeader)),
            _ => Path.GetFullPath(shimOverride),
        };
        if (headers.Count > 1)
        {
            error.WriteLine("splinter-generator: only one library header is supported (the shim header comes from the config)");
            return 2;
        }
        foreach (string header in new[] { libraryHeader, shimHeader }.OfType<string>())
        {
            if (!File.Exists(header))
            {
                error.WriteLine($"splinter-generator: header not found: {header}");
                return 1;
            }
        }

        clangInclude ??= ClangIncludeDirectory.Find();
        if (clangInclude is null)
        {
            error.WriteLine("splinter-generator: clang's builtin include directory (with stddef.h) was not found; pass --clang-include");
            return 1;
        }

        var clangArguments = new List<string>(config.ClangArguments) { "-isystem", clangInclude };
        clangArguments.AddRange(config.Defines.Concat(defines).Select(d => "-D" + d));
        TimeSpan startup = stopwatch.Elapsed;
        CModel model = HeaderReader.Read(new ReaderInput(libraryHeader, shimHeader, clangArguments, config.Exclusions));
        TimeSpan read = stopwatch.Elapsed - startup;
        ConfigCheck.Apply(model, config, Display(Path.GetFullPath(configPath)));

        var headerNames = new[] { libraryHeader, shimHeader }.OfType<string>().Select(Display).ToList();
        var generator = new Emitting.Generator(model, config, headerNames, Path.GetFileName(libraryHeader));
        SortedDictionary<string, string> files = generator.Generate();

        if (model.Problems.Count > 0)
        {
            foreach (string problem in model.Problems)
            {
                error.WriteLine($"splinter-generator: error: {problem}");
            }
            return 1;
        }

        WriteFiles(outputDirectory, files);
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"splinter-generator: {model.Functions.Count} functions, {model.Structs.Count} structs, {model.Enums.Count} enums, {model.Constants.Count} constants from {string.Join(", ", headerNames)} in {stopwatch.Elapsed.TotalMilliseconds:F1} ms (libclang read {read.TotalMilliseconds:F1} ms, config {startup.TotalMilliseconds:F1} ms, emit and write {(stopwatch.Elapsed - startup - read).TotalMilliseconds:F1} ms)"));
        return 0;
    }

    /// <summary>Writes every file, then the list; removes files an earlier run listed that this run does not make.</summary>
    private static void WriteFiles(string outputDirectory, SortedDictionary<string, string> files)
    {
        string listPath = Path.Combine(outputDirectory, FileListName);
        if (File.Exists(listPath))
        {
            foreach (string earlier in File.ReadAllLines(listPath))
            {
                bool inside = earlier.Length > 0 && !Path.IsPathRooted(earlier) && !earlier.Split('/').Contains("..");
                if (inside && !files.ContainsKey(earlier))
                {
                    File.Delete(Path.Combine(outputDirectory, earlier));
                }
            }
        }
        foreach ((string name, string content) in files)
        {
            string path = Path.Combine(outputDirectory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        File.WriteAllText(listPath, string.Concat(files.Keys.Select(name => name + "\n")));
    }
}
