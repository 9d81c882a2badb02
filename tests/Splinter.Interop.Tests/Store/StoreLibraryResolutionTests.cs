using System;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>The store binds each variant to its own library, found by the documented order.</summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreLibraryResolutionTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    [Test]
    public void OpeningAStore_LoadsTheVariantsOwnLibrary_FromADocumentedSource()
    {
        using SplinterStore store = Names.Create();
        string? source = SplinterLibrary.GetLoadedSource(Variant);
        string variable = Variant == SplinterVariant.SharedMemory ? "SPLINTER_LIBRARY" : "SPLINTER_LIBRARY_P";
        string fileName = Variant == SplinterVariant.SharedMemory ? "libsplinter.so" : "libsplinter_p.so";
        Assert.That(source, Is.Not.Null);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            Assert.That(source, Is.EqualTo(variable), "the environment variable wins over the shipped copy");
        }
        else
        {
            Assert.That(source, Is.EqualTo("beside the application").Or.EqualTo("path set in code").Or.EqualTo("system loader"));
            Assert.That(
                File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", fileName)),
                Is.True,
                "the package's copy ships in runtimes/linux-x64/native");
        }

        Assert.That(SplinterLibrary.LibraryName(Variant), Is.EqualTo(Variant == SplinterVariant.SharedMemory ? "splinter" : "splinter_p"));
    }

    [Test]
    public void ChangingTheLibraryAfterItLoaded_IsRefused()
    {
        using SplinterStore store = Names.Create();
        var error = Assert.Throws<InvalidOperationException>(() => SplinterLibrary.SetLibraryPath(Variant, "/nonexistent/libother.so"));
        Assert.That(error!.Message, Does.Contain("already loaded"));
        store.Set("still", "works");
        Assert.That(store.GetString("still"), Is.EqualTo("works"));
    }

    [Test]
    public void EachVariant_HasItsOwnFunctionTable()
    {
        Assert.That(
            SplinterLibrary.GetApi(SplinterVariant.SharedMemory),
            Is.Not.SameAs(SplinterLibrary.GetApi(SplinterVariant.Persistent)),
            "one process uses both variants, each with its own process-global store");
        Assert.That(SplinterLibrary.GetHandle(SplinterVariant.SharedMemory), Is.Not.EqualTo(SplinterLibrary.GetHandle(SplinterVariant.Persistent)));
    }
}
