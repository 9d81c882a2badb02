using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Splinter.Interop.Generator.Tests;

/// <summary>
/// One ABI in two spellings (TestData/ours_style and TestData/upstream_style; native/include/splinter.h and
/// tests/upstream-header/include/splinter.h): the C# the generator makes must not depend on the spelling.
/// </summary>
[TestFixture]
[Category("Generator")]
public sealed partial class SpellingTests : TemporaryDirectories
{
    private string Generate(string caseName)
    {
        string directory = Temporary("spelling");
        GeneratorRunner.GenerateCase(caseName, directory);
        return directory;
    }

    private string GenerateReal(string header, params string[] extra)
    {
        string directory = Temporary("spelling-real");
        (int exitCode, string messages) = GeneratorRunner.Run([
            "--config", Path.Combine(GeneratorRunner.RepoRoot, "generator", "splinter.generator.json"),
            "--repo-root", GeneratorRunner.RepoRoot,
            "--header", Path.Combine(GeneratorRunner.RepoRoot, header), .. extra,
            "--out", directory]);
        Assert.That(exitCode, Is.Zero, messages);
        return directory;
    }

    [GeneratedRegex(@"public const (?<type>\w+) (?<name>\w+) = (?<value>[^;]+);")]
    private static partial Regex IntegerConstant();

    /// <summary>Name to "type value" of every integer constant in a generated constants file.</summary>
    private static SortedDictionary<string, string> Constants(string directory) => new(
        IntegerConstant().Matches(File.ReadAllText(Path.Combine(directory, "LibSplinter.Constants.g.cs")))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value + " " + m.Groups["value"].Value),
        StringComparer.Ordinal);

    /// <summary>"NAME type value" per constant: a list NUnit reports element by element.</summary>
    private static List<string> Lines(SortedDictionary<string, string> constants) => constants.Select(c => c.Key + " " + c.Value).ToList();

    /// <summary>A generated C# file without comments, [NativeTypeName] attributes and blank lines: the API it declares.</summary>
    private static List<string> Declarations(string directory, string file) => File.ReadAllLines(Path.Combine(directory, file))
        .Select(line => NativeTypeNameAttribute().Replace(line, string.Empty))
        .Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && line.Trim().Length > 0 && !line.StartsWith("namespace ", StringComparison.Ordinal))
        .ToList();

    [GeneratedRegex(@"\[NativeTypeName\(""[^""]*""\)\] ?")]
    private static partial Regex NativeTypeNameAttribute();

    [Test]
    public void BothGoldenSpellingsGiveTheSameConstantTypesAndValues()
    {
        SortedDictionary<string, string> ours = Constants(Generate("ours_style"));
        SortedDictionary<string, string> upstream = Constants(Generate("upstream_style"));
        Assert.That(Lines(upstream), Is.EqualTo(Lines(ours)));
        Assert.Multiple(() =>
        {
            Assert.That(ours["UP_TYPE_JSON"], Is.EqualTo("int 0x8"), "0x08 and (1u << 3)");
            Assert.That(ours["UP_TYPE_HIGH"], Is.EqualTo("uint 0x80000000"), "a value above int.MaxValue: uint");
            Assert.That(ours["UP_MAGIC"], Is.EqualTo("uint 0x534C4E54"), "configured type");
            Assert.That(ours["UP_KEY_MAX"], Is.EqualTo("int 32"), "a macro and an unsigned anonymous-enum member");
            Assert.That(ours["UP_MASK_WORDS"], Is.EqualTo("int 16"));
            Assert.That(ours["UP_NS_PER_MS"], Is.EqualTo("int 1000000"), "ULL does not make a small value long");
            Assert.That(ours["UP_BELOW"], Is.EqualTo("int -2"));
        });
    }

    [TestCase("LibSplinter.Constants.g.cs")]
    [TestCase("LibSplinter.g.cs")]
    [TestCase("SplinterApi.g.cs")]
    [TestCase("Structs.g.cs")]
    [TestCase("Enums.g.cs")]
    public void BothGoldenSpellingsDeclareTheSameCSharp(string file)
    {
        Assert.That(Declarations(Generate("upstream_style"), file), Is.EqualTo(Declarations(Generate("ours_style"), file)));
    }

    [TestCase(null)]
    [TestCase("SPLINTER_EMBEDDINGS")]
    public void OurHeaderAndTheUpstreamSpelledCopyDeclareTheSameCSharp(string? define)
    {
        string[] extra = define is null ? [] : ["--define", define];
        string ours = GenerateReal("native/include/splinter.h", extra);
        string upstream = GenerateReal("tests/upstream-header/include/splinter.h", extra);
        Assert.That(Lines(Constants(upstream)), Is.EqualTo(Lines(Constants(ours))));
        Assert.That(Constants(ours)["SPL_SLOT_TYPE_JSON"], Is.EqualTo("int 0x8"));
        Assert.That(Constants(ours)["SPLINTER_MAGIC"], Is.EqualTo("uint 0x534C4E54"));
        Assert.That(Constants(ours)["NS_PER_MS"], Is.EqualTo("ulong 1000000"));
        foreach (string file in new[] { "LibSplinter.Constants.g.cs", "LibSplinter.g.cs", "SplinterApi.g.cs", "Structs.g.cs", "Enums.g.cs" })
        {
            Assert.That(Declarations(upstream, file), Is.EqualTo(Declarations(ours, file)), file);
        }
    }
}
