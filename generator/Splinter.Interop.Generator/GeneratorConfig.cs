// The checked-in configuration (generator/splinter.generator.json), read with JsonDocument.
using System.Text.Json;

namespace Splinter.Interop.Generator;

/// <summary>A configured name with the reason it is listed.</summary>
internal sealed record ReasonedName(string Name, string Reason);

/// <summary>An integer constant with the C# type the configuration chooses for it, and why.</summary>
internal sealed record ConstantType(string Name, string Type, string Reason);

/// <summary>The generator's configuration.</summary>
internal sealed record GeneratorConfig
{
    /// <summary>The library header, relative to the repository root (replaced by --header).</summary>
    public required string LibraryHeader { get; init; }

    /// <summary>The shim header, relative to the repository root (always ours).</summary>
    public required string ShimHeader { get; init; }

    /// <summary>Namespace of every generated C# file.</summary>
    public required string Namespace { get; init; }

    /// <summary>Library name used by [LibraryImport] for the library header's functions.</summary>
    public required string LibraryName { get; init; }

    /// <summary>Library name used by [LibraryImport] for the shim.</summary>
    public required string ShimLibraryName { get; init; }

    /// <summary>Extra clang arguments (language standard and the like).</summary>
    public required IReadOnlyList<string> ClangArguments { get; init; }

    /// <summary>-D defines always passed (the command line adds more).</summary>
    public required IReadOnlyList<string> Defines { get; init; }

    /// <summary>Declarations never bound, each with its reason.</summary>
    public required IReadOnlyList<ReasonedName> Exclusions { get; init; }

    /// <summary>Functions that may be missing from a library: SplinterApi loads them as nullable.</summary>
    public required IReadOnlyList<ReasonedName> OptionalFunctions { get; init; }

    /// <summary>Functions short and non-blocking enough for [SuppressGCTransition].</summary>
    public required IReadOnlyList<string> SuppressGCTransition { get; init; }

    /// <summary>Functions that report failures through errno: each gets a shim wrapper.</summary>
    public required IReadOnlyList<string> Errno { get; init; }

    /// <summary>Integer constants whose C# type is chosen here instead of by IntegerConstantType.Natural.</summary>
    public required IReadOnlyList<ConstantType> ConstantTypes { get; init; }

    /// <summary>The C# accessibility of everything the shim header declares ("public" unless configured), and why.</summary>
    public ReasonedName ShimAccessibility { get; init; } = new("public", "the default");

    /// <summary>A copy with another namespace (golden tests compile several outputs side by side).</summary>
    public GeneratorConfig WithNamespace(string name) => this with { Namespace = name };

    private static readonly string[] s_properties =
    [
        "libraryHeader", "shimHeader", "namespace", "libraryName", "shimLibraryName", "clangArguments", "defines",
        "exclusions", "optionalFunctions", "suppressGCTransition", "errno", "constantTypes", "shimAccessibility",
    ];

    private static readonly string[] s_accessibilities = ["public", "internal"];

    /// <summary>Reads the configuration file.</summary>
    public static GeneratorConfig Load(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        JsonElement root = document.RootElement;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!s_properties.Contains(property.Name))
            {
                throw new InvalidDataException($"unknown setting '{property.Name}' (known: {string.Join(", ", s_properties)})");
            }
        }
        return new GeneratorConfig
        {
            LibraryHeader = Required(root, "libraryHeader"),
            ShimHeader = Required(root, "shimHeader"),
            Namespace = Required(root, "namespace"),
            LibraryName = Required(root, "libraryName"),
            ShimLibraryName = Required(root, "shimLibraryName"),
            ClangArguments = Strings(root, "clangArguments"),
            Defines = Strings(root, "defines"),
            Exclusions = Names(root, "exclusions"),
            OptionalFunctions = Names(root, "optionalFunctions"),
            SuppressGCTransition = Strings(root, "suppressGCTransition"),
            Errno = Strings(root, "errno"),
            ConstantTypes = Reasoned(root, "constantTypes").Select(item => new ConstantType(item.Name, Text(item.Element, "type"), item.Reason)).ToList(),
            ShimAccessibility = Accessibility(root, "shimAccessibility") ?? new ReasonedName("public", "the default"),
        };
    }

    /// <summary>{ "value": "public" | "internal", "reason": "..." }, or null when the setting is absent.</summary>
    private static ReasonedName? Accessibility(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out JsonElement item))
        {
            return null;
        }
        string value = item.ValueKind == JsonValueKind.Object ? Text(item, "value") : string.Empty;
        if (!s_accessibilities.Contains(value))
        {
            throw new InvalidDataException($"{property}: 'value' must be one of {string.Join(", ", s_accessibilities)}; got '{value}'.");
        }
        string reason = Text(item, "reason");
        if (reason.Length == 0)
        {
            throw new InvalidDataException($"{property}: '{value}' has no reason; every entry must say why.");
        }
        return new ReasonedName(value, reason);
    }

    private static string Required(JsonElement root, string property) =>
        root.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"the setting '{property}' (a string) is missing");

    private static List<string> Strings(JsonElement root, string property) =>
        root.TryGetProperty(property, out JsonElement array) ? array.EnumerateArray().Select(item => item.GetString()!).ToList() : [];

    private static List<(string Name, string Reason, JsonElement Element)> Reasoned(JsonElement root, string property)
    {
        var result = new List<(string, string, JsonElement)>();
        if (!root.TryGetProperty(property, out JsonElement array))
        {
            return result;
        }
        foreach (JsonElement item in array.EnumerateArray())
        {
            string name = item.GetProperty("name").GetString()!;
            string reason = Text(item, "reason");
            if (reason.Length == 0)
            {
                throw new InvalidDataException($"{property}: '{name}' has no reason; every entry must say why.");
            }
            result.Add((name, reason, item));
        }
        return result;
    }

    private static List<ReasonedName> Names(JsonElement root, string property) =>
        Reasoned(root, property).Select(item => new ReasonedName(item.Name, item.Reason)).ToList();

    private static string Text(JsonElement item, string property) =>
        item.TryGetProperty(property, out JsonElement value) ? value.GetString() ?? string.Empty : string.Empty;
}
