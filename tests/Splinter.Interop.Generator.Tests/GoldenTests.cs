using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;

namespace Splinter.Interop.Generator.Tests;

/// <summary>
/// Golden outputs for small headers. After an intended change of the generator, regenerate them with
/// SPLINTER_UPDATE_GOLDEN=1 dotnet test tests/Splinter.Interop.Generator.Tests and review the diff.
/// </summary>
[TestFixture]
[Category("Generator")]
public sealed class GoldenTests : TemporaryDirectories
{
    public static readonly string[] Cases = ["functions", "structs", "macros_enums", "upstream_style", "ours_style"];

    [TestCaseSource(nameof(Cases))]
    public void OutputMatchesTheGoldenFiles(string caseName)
    {
        string output = Temporary("golden");
        GeneratorRunner.GenerateCase(caseName, output);
        string expectedDirectory = Path.Combine(GeneratorRunner.TestData, caseName, "expected");
        SortedDictionary<string, byte[]> actual = GeneratorRunner.ReadTree(output);

        if (Environment.GetEnvironmentVariable("SPLINTER_UPDATE_GOLDEN") == "1")
        {
            if (Directory.Exists(expectedDirectory))
            {
                Directory.Delete(expectedDirectory, recursive: true);
            }
            foreach ((string name, byte[] content) in actual)
            {
                string path = Path.Combine(expectedDirectory, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, content);
            }
            Assert.Ignore($"golden files of {caseName} rewritten; review the diff");
        }

        Assert.That(Directory.Exists(expectedDirectory), $"{expectedDirectory} is missing (SPLINTER_UPDATE_GOLDEN=1 creates it)");
        SortedDictionary<string, byte[]> expected = GeneratorRunner.ReadTree(expectedDirectory);
        Assert.That(actual.Keys, Is.EqualTo(expected.Keys), "generated file set");
        Assert.Multiple(() =>
        {
            foreach ((string name, byte[] content) in expected)
            {
                Assert.That(Encoding.UTF8.GetString(actual[name]), Is.EqualTo(Encoding.UTF8.GetString(content)), name);
            }
        });
    }

    [Test]
    public void OutputForTheRealHeaderIsByteIdenticalAcrossRuns()
    {
        string first = Temporary("first");
        string second = Temporary("second");
        string[] common = ["--config", Path.Combine(GeneratorRunner.RepoRoot, "generator", "splinter.generator.json"), "--repo-root", GeneratorRunner.RepoRoot];
        Assert.That(GeneratorRunner.Run([.. common, "--out", first]).ExitCode, Is.Zero);
        Assert.That(GeneratorRunner.Run([.. common, "--out", second]).ExitCode, Is.Zero);
        SortedDictionary<string, byte[]> a = GeneratorRunner.ReadTree(first);
        SortedDictionary<string, byte[]> b = GeneratorRunner.ReadTree(second);
        Assert.That(a.Keys, Is.EqualTo(b.Keys));
        Assert.That(a.Keys.Where(name => !a[name].AsSpan().SequenceEqual(b[name])), Is.Empty, "files that differ between two runs");
        Assert.That(a.Values.Any(content => Encoding.UTF8.GetString(content).Contains(first, StringComparison.Ordinal)), Is.False, "output names its temporary folder");
    }

    [Test]
    public void TheFileListNamesEveryFileWrittenAndARerunRemovesWhatItNoLongerMakes()
    {
        string output = Temporary("list");
        GeneratorRunner.GenerateCase("functions", output);
        string list = Path.Combine(output, GeneratorCommand.FileListName);
        List<string> listed = File.ReadAllLines(list).ToList();
        Assert.That(listed, Is.EqualTo(GeneratorRunner.ReadTree(output).Keys.Where(name => name != GeneratorCommand.FileListName).ToList()));
        Assert.That(listed, Does.Contain("LibSplinter.g.cs").And.Contain("native/splinter_layout.g.c"));

        // A file an earlier generator made (listed) and one the user put there (not listed).
        File.WriteAllText(Path.Combine(output, "Retired.g.cs"), "// made by an older generator\n");
        File.AppendAllLines(list, ["Retired.g.cs"]);
        File.WriteAllText(Path.Combine(output, "mine.txt"), "not the generator's\n");
        GeneratorRunner.GenerateCase("functions", output);
        Assert.That(File.Exists(Path.Combine(output, "Retired.g.cs")), Is.False, "a listed file the run no longer makes is removed");
        Assert.That(File.Exists(Path.Combine(output, "mine.txt")), Is.True, "files the generator never listed stay");
        Assert.That(File.ReadAllLines(list), Is.EqualTo(listed));
    }

    [Test]
    public void GeneratedCSharpOfEveryGoldenHeaderCompilesWithoutDiagnostics()
    {
        string project = Temporary("compile");
        foreach (string caseName in Cases)
        {
            GeneratorRunner.GenerateCase(caseName, Path.Combine(project, caseName));
        }
        // Code that passes the constants of both spellings where the C functions and fields take them.
        File.Copy(Path.Combine(GeneratorRunner.TestData, "ConstantUsage.cs"), Path.Combine(project, "ConstantUsage.cs"));
        File.WriteAllText(Path.Combine(project, "Golden.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <AnalysisLevel>latest</AnalysisLevel>
                <IsTrimmable>true</IsTrimmable>
                <IsAotCompatible>true</IsAotCompatible>
                <WarningsAsErrors>$(WarningsAsErrors);SYSLIB1054</WarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
        (int exitCode, string output) = GeneratorRunner.Tool("dotnet", ["build", "Golden.csproj", "-warnaserror", "-nologo", "-v", "q", "-p:UseSharedCompilation=false"], project);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("0 Warning(s)").And.Contain("0 Error(s)"), output);
    }

    [TestCase("clang-19")]
    [TestCase("gcc")]
    public void GeneratedCOfEveryGoldenHeaderCompilesWithoutWarnings(string compiler)
    {
        string root = Temporary("c");
        foreach (string caseName in Cases)
        {
            string output = Path.Combine(root, caseName);
            GeneratorRunner.GenerateCase(caseName, output);
            foreach (string source in Directory.GetFiles(Path.Combine(output, "native"), "*.g.c"))
            {
                (int exitCode, string messages) = GeneratorRunner.Tool(compiler, ["-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-D_GNU_SOURCE", "-DGOLDEN_DEFINED=1",
                    "-I", Path.Combine(GeneratorRunner.TestData, caseName), "-I", Path.Combine(GeneratorRunner.RepoRoot, "native", "shim"), source]);
                Assert.That(exitCode, Is.Zero, $"{compiler} {source}: {messages}");
            }
        }
    }

    [Test]
    public void SkippedDeclarationsAreListedWithTheirReasons()
    {
        string macros = Temporary("report");
        GeneratorRunner.GenerateCase("macros_enums", macros);
        string report = File.ReadAllText(Path.Combine(macros, "generation-report.txt"));
        Assert.That(report, Does.Contain("macro GM_FUNCTION: function-like macro"));
        Assert.That(report, Does.Contain("macro GM_ATTRIBUTE: expands to a declaration specifier or attribute"));
        Assert.That(report, Does.Contain("macro GM_TYPE: not a constant expression"));
        Assert.That(report, Does.Contain("macro GM_UNDEFINED: not a constant expression"));
        Assert.That(report, Does.Contain("macro GOLDEN_MACROS_ENUMS_H: empty macro"));

        string upstream = Temporary("report-upstream");
        GeneratorRunner.GenerateCase("upstream_style", upstream);
        Assert.That(File.ReadAllText(Path.Combine(upstream, "generation-report.txt")), Does.Contain("function up_now: inline function defined in the header"));
        Assert.That(File.ReadAllText(Path.Combine(upstream, "LibSplinter.g.cs")), Does.Not.Contain("up_now"));
    }

    [Test]
    public void ConstructsWithoutAMappingFailTheRun()
    {
        string directory = Temporary("bad");
        string header = Path.Combine(directory, "bad.h");
        File.WriteAllText(header, """
            #include <stdint.h>
            struct bad_bits { unsigned a : 3; unsigned b : 5; };
            int bad_variadic(const char *format, ...);
            long double bad_long_double(void);
            """);
        (int exitCode, string messages) = GeneratorRunner.Run("--config", GeneratorRunner.EmptyConfig,
            "--repo-root", directory, "--header", header, "--out", Path.Combine(directory, "out"));
        Assert.That(exitCode, Is.EqualTo(1), messages);
        Assert.That(messages, Does.Contain("bad_bits.a: bit-fields cannot be mirrored"));
        Assert.That(messages, Does.Contain("bad_variadic: functions without a prototype or with variadic parameters cannot be bound"));
        Assert.That(messages, Does.Contain("cannot map C type 'long double'"));
        Assert.That(Directory.Exists(Path.Combine(directory, "out")), Is.False, "nothing is written when the run fails");
    }

    [Test]
    public void AHeaderThatDoesNotParseFailsTheRun()
    {
        string directory = Temporary("broken");
        string header = Path.Combine(directory, "broken.h");
        File.WriteAllText(header, "int broken_function(unknown_type value);\n");
        (int exitCode, string messages) = GeneratorRunner.Run("--config", GeneratorRunner.EmptyConfig,
            "--repo-root", directory, "--header", header, "--out", Path.Combine(directory, "out"));
        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(messages, Does.Contain("clang: " + header + ":1:"), messages);
    }
}
