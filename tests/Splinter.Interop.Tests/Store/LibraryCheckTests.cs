using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// A library that does not match the bindings is one SplinterLibraryMismatchException naming the file and what differs,
/// raised before the library is used: libraries built here from our sources with one change each, loaded by a child
/// process through SPLINTER_LIBRARY / SPLINTER_LIBRARY_P / SPLINTER_SHIM_LIBRARY. A store of the other flavour than a
/// user's library is a SplinterStoreFormatException naming both flavours.
/// </summary>
[TestFixture]
[Category("Store")]
public sealed class LibraryCheckTests
{
    private LibraryBuilder? _builder;

    private LibraryBuilder Builder => _builder ??= new LibraryBuilder();

    /// <summary>Removes the libraries built here.</summary>
    [OneTimeTearDown]
    public void RemoveLibraries() => _builder?.Dispose();

    [Test]
    public void ALibraryWithoutABoundFunction_IsOneMismatchNamingTheFunction()
    {
        string library = Builder.Build("splinter_nopurge", SplinterVariant.SharedMemory, hidden: ["splinter_purge", "splinter_poll"]);
        string output = OpenInChild(SplinterVariant.SharedMemory, ("SPLINTER_LIBRARY", library));
        Assert.That(output, Does.Contain("refused SplinterLibraryMismatchException"));
        Assert.That(output, Does.Contain(library), "names the library");
        Assert.That(output, Does.Contain("does not export splinter_poll, splinter_purge"), "names every missing function at once");
    }

    [Test]
    public void TheRawLayersLibrary_IsCheckedBeforeItsFirstUseToo()
    {
        string library = Builder.Build("splinter_noset", SplinterVariant.SharedMemory, hidden: ["splinter_set"]);
        ProcessRun.Result result = ProcessRun.Child(new Dictionary<string, string> { ["SPLINTER_LIBRARY"] = library }, "library-api", nameof(SplinterVariant.SharedMemory));
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("refused SplinterLibraryMismatchException"), "one clear exception, not EntryPointNotFoundException at the first call");
        Assert.That(result.Stdout, Does.Contain("does not export splinter_set"));
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void ALibraryWithoutTheHashedSet_TakesEveryWrite_ThroughSplinterSet(SplinterVariant variant)
    {
        // Upstream's library, or a user's build, has no splinter_set_hashed (our extension, native/exports-extensions.txt):
        // built from our sources with upstream's export list only, so the function is there but not exported.
        string library = Builder.Build($"splinter_upstream_exports_{variant}", variant, embeddings: Splinter.Interop.Store.StoreFormat.MirrorIsEmbeddings);
        nint handle = NativeLibrary.Load(library);
        try
        {
            Assert.That(NativeLibrary.TryGetExport(handle, "splinter_set_hashed", out _), Is.False, "the precondition: a library without the extension");
        }
        finally
        {
            NativeLibrary.Free(handle);
        }

        string output = OpenInChild(variant, (variant == SplinterVariant.SharedMemory ? "SPLINTER_LIBRARY" : "SPLINTER_LIBRARY_P", library));
        Assert.That(output, Does.Contain("opened"));
        Assert.That(output, Does.Contain("round trip ok"), "every write form lands where the reads find it");
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void ALibraryWithGrownSlots_IsOneMismatchNamingTheSlotSize(SplinterVariant variant)
    {
        // SPLINTER_KEY_MAX 80: the key field grows by 16 bytes, the 64-byte-aligned slot from 128 to 192 bytes.
        string library = Builder.Build($"splinter_key80_{variant}", variant, header => EditDefine(header, "SPLINTER_KEY_MAX", "64", "80"));
        string output = OpenInChild(variant, (variant == SplinterVariant.SharedMemory ? "SPLINTER_LIBRARY" : "SPLINTER_LIBRARY_P", library));
        Assert.That(output, Does.Contain("refused SplinterLibraryMismatchException"));
        Assert.That(output, Does.Contain(library));
        Assert.That(output, Does.Contain("its slots are 192 bytes"));
    }

    [Test]
    public void ALibraryOfAnotherFormatVersion_IsOneMismatchNamingBothVersions()
    {
        string library = Builder.Build("splinter_v5", SplinterVariant.SharedMemory, header => EditDefine(header, "SPLINTER_VER", "4", "5"));
        string output = OpenInChild(SplinterVariant.SharedMemory, ("SPLINTER_LIBRARY", library));
        Assert.That(output, Does.Contain("refused SplinterLibraryMismatchException"));
        Assert.That(output, Does.Contain("its stores have format version 5, the bindings read version 4"));
    }

    [Test]
    public void AShimWithAnotherStructLayout_IsOneMismatchNamingTheShimAndTheStruct()
    {
        string include = Path.Combine(Builder.Folder, "shim-include");
        Directory.CreateDirectory(include);
        File.WriteAllText(Path.Combine(include, "splinter.h"), EditDefine(File.ReadAllText(NativeBuildInfo.Header), "SPLINTER_KEY_MAX", "64", "80"));
        string shim = Path.Combine(Builder.Folder, "libsplinter_shim_key80.so");
        string generated = Path.Combine(NativeBuildInfo.GeneratedDirectory, "native");
        // The shim is compiled as this configuration compiles it: the embeddings flavour's header declares more.
        bool embeddings = Splinter.Interop.Store.StoreFormat.MirrorIsEmbeddings;
        string[] flavour = embeddings ? ["-DSPLINTER_EMBEDDINGS"] : [];
        ProcessRun.Result build = ProcessRun.Run(LibraryBuilder.Compiler, null,
        [
            "-std=c11", "-O0", "-g0", "-fPIC", "-shared", "-fvisibility=hidden", "-D_GNU_SOURCE", "-w", .. flavour, "-I" + include,
            "-I" + Path.GetDirectoryName(NativeBuildInfo.ShimHeader)!, "-o", shim,
            Path.Combine(NativeBuildInfo.RepoRoot, "native", "shim", "splinter_shim.c"),
            Path.Combine(generated, "splinter_shim_errno.g.c"), Path.Combine(generated, "splinter_layout.g.c"),
        ]);
        Assert.That(build.ExitCode, Is.Zero, build.ToString());

        // 16 more key bytes, rounded up to the slot's 64-byte alignment: 128 -> 192, and 3200 -> 3264 with embeddings.
        string output = OpenInChild(SplinterVariant.SharedMemory, ("SPLINTER_SHIM_LIBRARY", shim));
        Assert.That(output, Does.Contain("refused SplinterLibraryMismatchException"));
        Assert.That(output, Does.Contain(shim), "names the shim");
        Assert.That(output, Does.Contain($"sizeof splinter_slot is {(embeddings ? 3264 : 192)} in C"));
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void AUsersLibraryOfTheOtherFlavour_IsAFormatErrorNamingBoth_AndOneOfTheStoresFlavourOpensIt(SplinterVariant variant)
    {
        using var names = new StoreTestNames(variant);
        string name = names.NewName("flavour");
        bool embeddingsStore = !Splinter.Interop.Store.StoreFormat.MirrorIsEmbeddings;
        if (!embeddingsStore)
        {
            // The package (the default configuration) carries both flavours; the embeddings configuration builds only
            // its own, under the default flavour's file names, so no library here makes a default-flavour store.
            Assert.Ignore("the embeddings configuration ships no library of the default flavour");
        }

        string embeddingsLibrary = NativeBuildInfo.RuntimeLibrary(variant == SplinterVariant.SharedMemory ? "libsplinter_embeddings.so" : "libsplinter_p_embeddings.so");
        if (embeddingsStore && !File.Exists(embeddingsLibrary))
        {
            Assert.Ignore($"this configuration ships no {Path.GetFileName(embeddingsLibrary)}");
        }

        // A store of the flavour this build does not mirror (embeddings in the default build), made by the package's library.
        SplinterStore.Create(name, 8, 64, names.Options with { Embeddings = embeddingsStore }).Dispose();
        string variable = variant == SplinterVariant.SharedMemory ? "SPLINTER_LIBRARY" : "SPLINTER_LIBRARY_P";
        string plainLibrary = NativeBuildInfo.RuntimeLibrary(variant == SplinterVariant.SharedMemory ? "libsplinter.so" : "libsplinter_p.so");
        string wrongFlavour = embeddingsStore ? plainLibrary : embeddingsLibrary;
        string rightFlavour = embeddingsStore ? embeddingsLibrary : plainLibrary;
        if (!File.Exists(wrongFlavour))
        {
            Assert.Ignore($"this configuration ships no {Path.GetFileName(wrongFlavour)}");
        }

        string refused = RunOpen(name, variant, (variable, wrongFlavour));
        Assert.That(refused, Does.Contain("refused SplinterStoreFormatException"));
        Assert.That(refused, Does.Contain("the embeddings flavour (3200-byte slots").And.Contain("the default flavour (128-byte slots)"), "names both flavours");
        Assert.That(refused, Does.Contain(wrongFlavour));

        string opened = RunOpen(name, variant, (variable, rightFlavour));
        Assert.That(opened, Does.Contain("opened"));
        Assert.That(opened, Does.Contain("library " + variable));
    }

    /// <summary>Creates a default-flavour store with the package's library and has a child open it with the given environment.</summary>
    private static string OpenInChild(SplinterVariant variant, (string Name, string Value) variable)
    {
        using var names = new StoreTestNames(variant);
        SplinterStore store = names.Create();
        store.Dispose();
        return RunOpen(store.Name, variant, variable);
    }

    private static string RunOpen(string name, SplinterVariant variant, (string Name, string Value) variable)
    {
        ProcessRun.Result result = ProcessRun.Child(new Dictionary<string, string> { [variable.Name] = variable.Value }, "rel-open", name, variant.ToString());
        TestContext.Out.WriteLine($"{variable.Name}={variable.Value}: {result.Stdout}");
        Assert.That(result.ExitCode, Is.Zero, $"the child ended in a crash or an unexpected exception, not a clear refusal: {result}");
        return result.Stdout;
    }

    private static string EditDefine(string header, string name, string from, string to)
    {
        string line = $"#define {name} {from}";
        if (!header.Contains(line, System.StringComparison.Ordinal))
        {
            Assert.Ignore($"the header under test ({NativeBuildInfo.Header}) does not spell '{line}' (another spelling, e.g. an enum), so this test cannot build its altered copy");
        }

        return header.Replace(line, $"#define {name} {to}", System.StringComparison.Ordinal);
    }
}
