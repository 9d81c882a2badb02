using System;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[NonParallelizable] // a private create sets the process-wide umask to 077 for a moment: files other tests create meanwhile would be 0600
[Category("Store")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StoreLifecycleTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    [Test]
    public void Create_ReportsGeometryNameAndVariant()
    {
        string name = Names.NewName();
        using SplinterStore store = Names.Track(SplinterStore.Create(name, 8, 100, Options));

        Assert.Multiple(() =>
        {
            Assert.That(store.Name, Is.EqualTo(name));
            Assert.That(store.Variant, Is.EqualTo(Variant));
            Assert.That(store.SlotCount, Is.EqualTo(8u));
            Assert.That(store.MaxValueSize, Is.EqualTo(100u));
            Assert.That(store.BackingPath, Is.EqualTo(Names.PathOf(name)));
            int slotSize = System.Runtime.CompilerServices.Unsafe.SizeOf<Splinter.Interop.Native.splinter_slot>();
            Assert.That(new FileInfo(store.BackingPath).Length, Is.EqualTo(5440 + (8 * slotSize) + (8 * 100)), "header + 8 slots + 8 x 100");
            Assert.That(store.IsDisposed, Is.False);
            Assert.That(store.ToString(), Does.Contain(name).And.Contain("8 slots"));
        });
    }

    [Test]
    public void Create_Existing_ThrowsEExistAndKeepsContent()
    {
        string name = Names.NewName();
        using (SplinterStore store = SplinterStore.Create(name, 8, 64, Options))
        {
            store.Set("kept", "value");
        }

        var error = Assert.Throws<SplinterException>(() => SplinterStore.Create(name, 8, 64, Options));
        Assert.That(error!.Errno, Is.EqualTo(Errno.EEXIST));
        Assert.That(error.Message, Does.Contain("already exists"));

        using SplinterStore reopened = Names.Track(SplinterStore.Open(name, Options));
        Assert.That(reopened.GetString("kept"), Is.EqualTo("value"));
    }

    [Test]
    public void Open_AfterDispose_SeesPreviousWrites()
    {
        string name = Names.NewName();
        using (SplinterStore store = SplinterStore.Create(name, 8, 64, Options))
        {
            store.Set("k", "v1");
        }

        using SplinterStore again = Names.Track(SplinterStore.Open(name, Options));
        Assert.Multiple(() =>
        {
            Assert.That(again.GetString("k"), Is.EqualTo("v1"));
            Assert.That(again.SlotCount, Is.EqualTo(8u));
            Assert.That(again.MaxValueSize, Is.EqualTo(64u));
        });
    }

    [Test]
    public void Open_Missing_ThrowsNotFound()
    {
        string name = Names.NewName();
        var error = Assert.Throws<SplinterStoreNotFoundException>(() => SplinterStore.Open(name, Options));
        Assert.That(error!.Errno, Is.EqualTo(Errno.ENOENT));
        Assert.That(error.NameOrPath, Is.EqualTo(name));
        Assert.That(error.Variant, Is.EqualTo(Variant));
    }

    [Test]
    public void OpenOrCreate_CreatesThenOpensWithExistingGeometry()
    {
        string name = Names.NewName();
        using (SplinterStore created = SplinterStore.OpenOrCreate(name, 4, 32, Options))
        {
            Assert.That(created.SlotCount, Is.EqualTo(4u));
            created.Set("a", "1");
        }

        using SplinterStore opened = Names.Track(SplinterStore.OpenOrCreate(name, 16, 256, Options));
        Assert.Multiple(() =>
        {
            Assert.That(opened.SlotCount, Is.EqualTo(4u), "an existing store keeps its geometry");
            Assert.That(opened.MaxValueSize, Is.EqualTo(32u));
            Assert.That(opened.GetString("a"), Is.EqualTo("1"));
        });
    }

    [Test]
    public void OpeningAnOpenStoreAgain_GivesASecondHandle_EachDisposedOnItsOwn()
    {
        SplinterStore first = Names.Create();
        SplinterStore second = Names.Track(SplinterStore.Open(first.Name, Options));
        Assert.That(second.Shared, Is.SameAs(first.Shared), "one open store (one library copy, one mapping)");

        first.Set("from-first", "1");
        second.Set("from-second", "2");
        Assert.Multiple(() =>
        {
            Assert.That(second.GetString("from-first"), Is.EqualTo("1"));
            Assert.That(first.GetString("from-second"), Is.EqualTo("2"));
            Assert.That(second.TryGet("from-first", new byte[8], out _), Is.True, "the mapping reads see it too");
        });

        first.Dispose();
        Assert.That(first.IsDisposed, Is.True);
        Assert.That(second.IsDisposed, Is.False);
        Assert.That(() => first.Set("k", "v"), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => first.TryGet("from-first", new byte[8], out _), Throws.TypeOf<ObjectDisposedException>());
        second.Set("after", "first disposed");
        Assert.That(second.GetString("after"), Is.EqualTo("first disposed"));
        Assert.That(second.GetString("from-first"), Is.EqualTo("1"));
    }

    [Test]
    public void OpenOrCreate_OfAnOpenStore_IsAnotherHandle_AndCreateStillFailsWithEExist()
    {
        SplinterStore first = Names.Create();
        first.Set("k", "v");
        using SplinterStore again = Names.Track(SplinterStore.OpenOrCreate(first.Name, 8, 64, Options));
        Assert.That(again.Shared, Is.SameAs(first.Shared));
        Assert.That(again.GetString("k"), Is.EqualTo("v"));

        var error = Assert.Throws<SplinterException>(() => SplinterStore.Create(first.Name, 16, 128, Options));
        Assert.That(error!.Errno, Is.EqualTo(Errno.EEXIST));
        Assert.That(first.GetString("k"), Is.EqualTo("v"), "the refused create changed nothing");
    }

    [Test]
    public void TwoNamesOfOneObject_AreOneOpenStore()
    {
        SplinterStore first = Names.Create();
        string otherName;
        if (Variant == SplinterVariant.SharedMemory)
        {
            otherName = "/" + first.Name; // "a" and "/a" are one shm object
        }
        else
        {
            otherName = Names.NewName("link");
            File.CreateSymbolicLink(otherName, first.Name);
        }

        SplinterStore second = Names.Track(SplinterStore.Open(otherName, Options));
        Assert.That(second.Shared, Is.SameAs(first.Shared), "device and inode decide, not the name");
        second.Set("via", otherName);
        Assert.That(first.GetString("via"), Is.EqualTo(otherName));
    }

    [Test]
    public void AfterDispose_SameVariantCanOpenAgain()
    {
        SplinterStore first = Names.Create();
        first.Dispose();
        using SplinterStore second = Names.Create();
        second.Set("k", "v");
        Assert.That(second.GetString("k"), Is.EqualTo("v"));
    }

    [Test]
    public void Delete_RemovesTheObject_AndReportsMissing()
    {
        string name = Names.NewName();
        SplinterStore.Create(name, 4, 16, Options).Dispose();
        Assert.That(SplinterStore.Exists(name, Variant), Is.True);

        Assert.That(SplinterStore.Delete(name, Variant), Is.True);
        Assert.That(SplinterStore.Exists(name, Variant), Is.False);
        Names.AssertGone(name);
        Assert.That(SplinterStore.Delete(name, Variant), Is.False, "second delete finds nothing");
    }

    [Test]
    public void PrivatePermissions_CreatesMode0600()
    {
        string name = Names.NewName();
        using SplinterStore store = Names.Track(SplinterStore.Create(name, 4, 16, Options with { PrivatePermissions = true }));
        Assert.That(File.GetUnixFileMode(store.BackingPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void DefaultPermissions_AreNot0600UnderTheUsualUmask()
    {
        string name = Names.NewName();
        using SplinterStore store = Names.Track(SplinterStore.Create(name, 4, 16, Options));
        UnixFileMode mode = File.GetUnixFileMode(store.BackingPath);
        Assert.That(mode & UnixFileMode.UserWrite, Is.EqualTo(UnixFileMode.UserWrite));
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0)
        {
            Assert.Ignore($"the process umask already removes group/other read (mode {mode}); nothing to compare with 0600");
        }
    }

    [TestCase(0u, 16u, "slotCount")]
    [TestCase(4u, 0u, "maxValueSize")]
    [TestCase(4u, 0x8000_0000u, "maxValueSize")]
    [TestCase(0x10000u, 0x10001u, "slotCount")]
    public void Create_BadGeometry_ThrowsArgumentOutOfRangeBeforeCreatingAnything(uint slots, uint maxValueSize, string parameter)
    {
        string name = Names.NewName();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SplinterStore.Create(name, slots, maxValueSize, Options));
        Assert.That(error!.ParamName, Is.EqualTo(parameter));
        Assert.That(SplinterStore.Exists(name, Variant), Is.False);
    }

    [Test]
    public void BadNames_ThrowArgumentExceptions()
    {
        Assert.Throws<ArgumentNullException>(() => SplinterStore.Create(null!, 4, 16, Options));
        Assert.Throws<ArgumentException>(() => SplinterStore.Create(string.Empty, 4, 16, Options));
        Assert.Throws<ArgumentException>(() => SplinterStore.Open("a\0b", Options));
        Assert.Throws<ArgumentNullException>(() => SplinterStore.Delete(null!, Variant));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplinterStore.Create("x", 4, 16, Options with { ContentionTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplinterStore.Exists("x", (SplinterVariant)7));
    }

    [Test]
    public void SharedMemoryNames_WithInnerSlash_AreInvalid_LeadingSlashesAreStripped()
    {
        if (Variant != SplinterVariant.SharedMemory)
        {
            Assert.Ignore("shm naming rules only apply to the shared-memory variant");
        }

        Assert.Throws<ArgumentException>(() => SplinterStore.Create("a/b", 4, 16, Options));
        Assert.Throws<ArgumentException>(() => SplinterStore.Create("/", 4, 16, Options));
        Assert.Throws<ArgumentException>(() => SplinterStore.Create("..", 4, 16, Options));
        Assert.Throws<ArgumentException>(() => SplinterStore.Create(new string('n', 256), 4, 16, Options));

        string name = Names.NewName();
        using SplinterStore store = Names.Track(SplinterStore.Create("//" + name, 4, 16, Options));
        Assert.That(store.BackingPath, Is.EqualTo("/dev/shm/" + name));
        Assert.That(SplinterStore.Exists(name, Variant), Is.True, "'//name' and 'name' are the same object");
    }

    [Test]
    public void BothVariants_OpenTogetherInOneProcess()
    {
        SplinterVariant other = Variant == SplinterVariant.SharedMemory ? SplinterVariant.Persistent : SplinterVariant.SharedMemory;
        using var otherNames = new StoreTestNames(other);
        SplinterStore mine = Names.Create();
        SplinterStore theirs = otherNames.Create();

        mine.Set("k", "mine");
        theirs.Set("k", "theirs");
        Assert.Multiple(() =>
        {
            Assert.That(mine.GetString("k"), Is.EqualTo("mine"));
            Assert.That(theirs.GetString("k"), Is.EqualTo("theirs"));
        });
    }

    [Test]
    public void GetTicks_IsNonZeroAndDoesNotGoBackwards()
    {
        ulong first = SplinterShards.GetTicks();
        ulong second = SplinterShards.GetTicks();
        Assert.That(first, Is.Not.Zero);
        Assert.That(second, Is.GreaterThanOrEqualTo(first));
    }

    [Test]
    public void Finalization_WithoutDispose_ClosesTheStore()
    {
        string name = Names.NewName();
        CreateAndDrop(name, Options);
        string path = Names.PathOf(name);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (!MappedAnywhere(path))
            {
                using SplinterStore reopened = Names.Track(SplinterStore.Open(name, Options));
                Assert.That(reopened.GetString("k"), Is.EqualTo("v"));
                return;
            }

            System.Threading.Thread.Sleep(50);
        }

        Assert.Fail("the abandoned store was never finalized and closed: its object is still mapped");
    }

    /// <summary>True while this process maps the object (the C# layer's mapping or the library copy's).</summary>
    private static bool MappedAnywhere(string path)
    {
        var identity = new FileInfo(path);
        Assert.That(identity.Exists, Is.True, path);
        return Splinter.Interop.Store.MappingIdentity.Take().Exists(m => m.Path == path);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CreateAndDrop(string name, SplinterStoreOptions options)
    {
        SplinterStore store = SplinterStore.Create(name, 4, 16, options);
        store.Set("k", "v");
    }
}
