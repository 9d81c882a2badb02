using System.Collections.Generic;
using System.IO;
using NUnit.Framework;

namespace Splinter.Interop.Generator.Tests;

/// <summary>The configuration is held to the headers: a name they do not declare fails the run, naming the entry.</summary>
[TestFixture]
[Category("Generator")]
public sealed class ConfigTests : TemporaryDirectories
{
    /// <summary>Runs the generator on TestData/functions/functions.h with a configuration that adds the given settings.</summary>
    private (int ExitCode, string Messages, bool Wrote) RunWith(string settings)
    {
        string directory = Temporary("config");
        string config = Path.Combine(directory, "test.generator.json");
        File.WriteAllText(config, $$"""
            {
              "libraryHeader": "", "shimHeader": "", "namespace": "Golden", "libraryName": "golden", "shimLibraryName": "golden_shim",
              "clangArguments": [ "-std=c11" ], "defines": [ "GOLDEN_DEFINED=1" ],
              {{settings}}
            }
            """);
        string output = Path.Combine(directory, "out");
        (int exitCode, string messages) = GeneratorRunner.Run("--config", config, "--repo-root", directory,
            "--header", Path.Combine(GeneratorRunner.TestData, "functions", "functions.h"), "--out", output);
        return (exitCode, messages, Directory.Exists(output));
    }

    [TestCase("\"suppressGCTransition\": [ \"gf_epoch\", \"gf_gone\" ]", "suppressGCTransition: 'gf_gone'")]
    [TestCase("\"errno\": [ \"gf_get\", \"gf_gone\" ]", "errno: 'gf_gone'")]
    [TestCase("\"optionalFunctions\": [ { \"name\": \"gf_gone\", \"reason\": \"test\" } ]", "optionalFunctions: 'gf_gone'")]
    [TestCase("\"exclusions\": [ { \"name\": \"gf_gone\", \"reason\": \"test\" } ]", "exclusions: 'gf_gone'")]
    [TestCase("\"constantTypes\": [ { \"name\": \"GF_GONE\", \"type\": \"int\", \"reason\": \"test\" } ]", "constantTypes: 'GF_GONE'")]
    public void AnUnknownNameFailsTheRunAndIsNamed(string settings, string expected)
    {
        (int exitCode, string messages, bool wrote) = RunWith(settings);
        Assert.That(exitCode, Is.EqualTo(1), messages);
        Assert.That(messages, Does.Contain("error: ").And.Contain(expected + " is not"), messages);
        Assert.That(messages, Does.Contain("test.generator.json"), "the message names the configuration file");
        Assert.That(wrote, Is.False, "nothing is written when the run fails");
    }

    [Test]
    public void ANameOfAnotherConfigurationsIfBranchIsKnown()
    {
        // gf_elsewhere is declared only under GOLDEN_OTHER_CONFIGURATION, which this run does not define.
        (int exitCode, string messages, bool wrote) = RunWith("\"errno\": [ \"gf_elsewhere\" ]");
        Assert.That(exitCode, Is.Zero, messages);
        Assert.That(wrote, Is.True);
    }

    [Test]
    public void OnlyTheWrongEntryIsNamed()
    {
        (int exitCode, string messages, _) = RunWith("\"errno\": [ \"gf_visit\", \"gf_visitt\" ]");
        Assert.That(exitCode, Is.EqualTo(1), messages);
        Assert.That(messages, Does.Contain("errno: 'gf_visitt' is not a bound library function"));
        Assert.That(messages, Does.Not.Contain("'gf_visit' "));
    }

    [TestCase("\"constantTypes\": [ { \"name\": \"GF_LIMIT\", \"type\": \"byte\", \"reason\": \"test\" } ]", "'GF_LIMIT' is 300, which byte cannot hold")]
    [TestCase("\"constantTypes\": [ { \"name\": \"GF_LIMIT\", \"type\": \"Int32\", \"reason\": \"test\" } ]", "has type 'Int32'; choose one of")]
    [TestCase("\"constantTypes\": [ { \"name\": \"GF_LIMIT\", \"type\": \"int\" } ]", "constantTypes: 'GF_LIMIT' has no reason")]
    [TestCase("\"errno\": [ \"gf_get\", \"gf_get\" ]", "'gf_get' is listed twice")]
    [TestCase("\"supressGCTransition\": [ \"gf_get\" ]", "unknown setting 'supressGCTransition'")]
    [TestCase("\"errno\": [ \"gf_get\" ", "test.generator.json: ")]
    [TestCase("\"shimAccessibility\": { \"value\": \"private\", \"reason\": \"test\" }", "shimAccessibility: 'value' must be one of public, internal; got 'private'")]
    [TestCase("\"shimAccessibility\": { \"value\": \"internal\" }", "shimAccessibility: 'internal' has no reason")]
    public void AnEntryThatCannotApplyFailsTheRun(string settings, string expected)
    {
        (int exitCode, string messages, bool wrote) = RunWith(settings);
        Assert.That(exitCode, Is.EqualTo(1), messages);
        Assert.That(messages, Does.Contain(expected), messages);
        Assert.That(wrote, Is.False);
    }

    [TestCase("native/include/splinter.h", null)]
    [TestCase("native/include/splinter.h", "SPLINTER_EMBEDDINGS")]
    [TestCase("tests/upstream-header/include/splinter.h", null)]
    [TestCase("tests/upstream-header/include/splinter.h", "SPLINTER_EMBEDDINGS")]
    public void TheRealConfigurationNamesOnlyDeclaredNames(string header, string? define)
    {
        string directory = Temporary("config-real");
        List<string> arguments = ["--config", Path.Combine(GeneratorRunner.RepoRoot, "generator", "splinter.generator.json"),
            "--repo-root", GeneratorRunner.RepoRoot, "--header", Path.Combine(GeneratorRunner.RepoRoot, header), "--out", directory];
        if (define is not null)
        {
            arguments.AddRange(["--define", define]);
        }
        (int exitCode, string messages) = GeneratorRunner.Run([.. arguments]);
        Assert.That(exitCode, Is.Zero, messages);
    }
}
