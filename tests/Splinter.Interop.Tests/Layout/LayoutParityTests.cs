using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Layout;

/// <summary>The generated mirrors against the C compilers' own sizeof/offsetof, for the header this build used.</summary>
[TestFixture]
[Category("Layout")]
public sealed class LayoutParityTests
{
    [Test]
    public void EveryStructAndFieldMatchesClang()
    {
        List<LayoutRow> table = LayoutTable.FromShim();
        Assert.That(table, Is.Not.Empty, "the shim's layout table is empty");
        List<string> problems = LayoutParity.Compare(table);
        Assert.That(problems, Is.Empty, "C# mirrors differ from clang's layout:\n" + string.Join("\n", problems));
    }

    [Test]
    public void GccAgreesWithClang()
    {
        List<LayoutRow> gcc = LayoutTable.FromProgram(Path.Combine(NativeBuildInfo.ToolsDirectory, "splinter_layout_gcc"));
        List<LayoutRow> clang = LayoutTable.FromShim();
        Assert.That(gcc, Is.EqualTo(clang), "gcc lays the header out differently from clang");
    }

    [Test]
    public void ClangProgramAgreesWithTheShim()
    {
        List<LayoutRow> program = LayoutTable.FromProgram(Path.Combine(NativeBuildInfo.ToolsDirectory, "splinter_layout_clang"));
        Assert.That(program, Is.EqualTo(LayoutTable.FromShim()));
    }

    [Test]
    public void EveryMirrorIsCheckedAndEveryCheckedStructIsMirrored()
    {
        var tableStructs = LayoutTable.FromShim().Where(r => r.Field is null).Select(r => r.Struct).Order().ToList();
        var mirrors = LayoutParity.Mirrors().Keys.Order().ToList();
        Assert.That(mirrors, Is.EqualTo(tableStructs), "the mirrors found by reflection and the structs of the C table differ");
        Assert.That(mirrors, Does.Contain("splinter_header").And.Contain("splinter_slot"));
    }

    [Test]
    public void FormatSizesOfThisConfiguration()
    {
        // Upstream's measured sizes (native/FORMAT.md); the slot and slot snapshot grow with SPLINTER_EMBEDDINGS.
        bool embeddings = NativeBuildInfo.Defines.Contains("SPLINTER_EMBEDDINGS");
        var sizes = LayoutTable.FromShim().Where(r => r.Field is null).ToDictionary(r => r.Struct, r => r.Size);
        Assert.Multiple(() =>
        {
            Assert.That(sizes["splinter_header"], Is.EqualTo(5440));
            Assert.That(sizes["splinter_slot"], Is.EqualTo(embeddings ? 3200 : 128));
            Assert.That(sizes["splinter_slot_snapshot"], Is.EqualTo(embeddings ? 3192 : 120));
            Assert.That(sizes["splinter_header_snapshot"], Is.EqualTo(48));
            Assert.That(sizes["splinter_shard_bid"], Is.EqualTo(32));
            Assert.That(sizes["splinter_shard_bid_snapshot"], Is.EqualTo(40));
        });
    }

    [Test]
    public void ShimRejectsRowsOutOfRange()
    {
        unsafe
        {
            SplinterShim_layout_entry entry;
            Assert.That(LibSplinterShim.SplinterShim_layout_get(LibSplinterShim.SplinterShim_layout_count(), &entry), Is.EqualTo(-1));
            Assert.That(LibSplinterShim.SplinterShim_layout_get(0, null), Is.EqualTo(-1));
        }
    }
}
