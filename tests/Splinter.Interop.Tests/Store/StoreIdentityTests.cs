using System;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Store;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// Both mappings of an open store are one object: when the object is replaced between the C# layer's check and the
/// library's own open (another process deleting it and creating another with the same geometry), the open fails
/// clearly and leaves nothing open, instead of reading one object and writing the other.
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreIdentityTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    [TearDown]
    public void ClearHook() => StoreOpenHooks.BeforeLibraryOpen = null;

    [TestCase(false)]
    [TestCase(true)]
    public void ObjectReplacedBetweenTheCheckAndTheLibrarysOpen_FailsTheOpenClearly(bool openOrCreate)
    {
        string name = Names.NewName("replaced");
        using (SplinterStore original = SplinterStore.Create(name, 8, 64, Options))
        {
            original.Set("which", "original");
        }

        string path = Names.PathOf(name);
        int replacements = 0;
        StoreOpenHooks.BeforeLibraryOpen = checkedPath =>
        {
            // Same bytes (so magic and geometry agree), but another object: a new inode under the same name.
            Assert.That(checkedPath, Is.EqualTo(path));
            byte[] image = File.ReadAllBytes(checkedPath);
            File.Delete(checkedPath);
            File.WriteAllBytes(checkedPath, image);
            replacements++;
        };

        var error = Assert.Throws<SplinterException>(() =>
        {
            using SplinterStore store = openOrCreate ? SplinterStore.OpenOrCreate(name, 8, 64, Options) : SplinterStore.Open(name, Options);
            store.Set("which", "written after the open");
        });
        StoreOpenHooks.BeforeLibraryOpen = null;

        Assert.That(replacements, Is.EqualTo(1), "the hook ran between the check and the library's open");
        Assert.That(error!.Message, Does.Contain("mapped different objects").And.Contain("replaced"));
        Assert.That(MappingIdentity.Take().Exists(m => m.Path.StartsWith(path, StringComparison.Ordinal)), Is.False, "the failed open left nothing mapped");

        // The name now holds the replacement, which opens normally.
        using SplinterStore reopened = Names.Track(SplinterStore.Open(name, Options));
        Assert.That(reopened.GetString("which"), Is.EqualTo("original"));
    }

    [Test]
    public void AnOpenOfAnUnchangedObject_PassesTheProof()
    {
        string name = Names.NewName("same");
        SplinterStore.Create(name, 8, 64, Options).Dispose();
        int calls = 0;
        StoreOpenHooks.BeforeLibraryOpen = _ => calls++;
        using SplinterStore store = Names.Track(SplinterStore.Open(name, Options));
        Assert.That(calls, Is.EqualTo(1));
        store.Set("k", "v");
        Assert.That(store.GetString("k"), Is.EqualTo("v"));
    }
}
