using System;
using System.IO;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Raw;

/// <summary>The hand-written shim functions (the errno wrappers are called through SplinterApi by RawLayerTests).</summary>
[TestFixture]
[Category("Raw")]
[NonParallelizable] // Not in parallel: the raw layer's process-global library holds one store at a time.
public sealed unsafe class ShimTests
{
    [Test]
    public void NowAdvances()
    {
        ulong first = LibSplinterShim.SplinterShim_now();
        ulong second = LibSplinterShim.SplinterShim_now();
        Assert.That(first, Is.Not.Zero);
        Assert.That(second, Is.GreaterThanOrEqualTo(first));
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void RemoveDeletesTheStoreAndReportsMissingOnes(SplinterVariant variant)
    {
        using var store = new RawStore(variant);
        string path = variant == SplinterVariant.SharedMemory ? "/dev/shm/" + store.Name : store.Name;
        Assert.That(File.Exists(path), Is.True, path);
        Assert.That(store.Remove(), Is.Zero);
        Assert.That(File.Exists(path), Is.False);
        Assert.That(store.Remove(), Is.EqualTo(-Errno.ENOENT));
    }

    [Test]
    public void RemoveRejectsNull()
    {
        Assert.That(LibSplinterShim.SplinterShim_remove_shm(null), Is.EqualTo(-Errno.EINVAL));
        Assert.That(LibSplinterShim.SplinterShim_remove_file(null), Is.EqualTo(-Errno.EINVAL));
    }

    [Test]
    public void LayoutTableIsReadable()
    {
        nuint count = LibSplinterShim.SplinterShim_layout_count();
        Assert.That(count, Is.GreaterThan((nuint)0));
        SplinterShim_layout_entry entry;
        Assert.That(LibSplinterShim.SplinterShim_layout_get(0, &entry), Is.Zero);
        Assert.That(entry.struct_name != null, Is.True);
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public void GatedSetForwardsToTheLibraryUntilTheGateCloses(SplinterVariant variant)
    {
        using var store = new RawStore(variant);
        SplinterShim_gate gate = default;
        gate.set = (nuint)store.Api.splinter_set;
        sbyte* key = store.Utf8("gated");
        byte* value = stackalloc byte[] { 1, 2, 3 };

        Assert.That(LibSplinterShim.SplinterShim_gated_set(key, value, 3, &gate), Is.Zero);
        Assert.That(store.Get("gated"), Is.EqualTo("\u0001\u0002\u0003"));
        ulong epoch = store.Api.splinter_get_epoch(key);
        Assert.That(epoch, Is.Not.Zero);

        LibSplinterShim.SplinterShim_gate_close(&gate);
        LibSplinterShim.SplinterShim_gate_close(null);

        Assert.That(LibSplinterShim.SplinterShim_gated_set(key, value, 2, &gate), Is.EqualTo(LibSplinterShim.SPLINTER_SHIM_GATE_CLOSED));

        // The closed stub touched nothing: the value and its epoch are as the last forwarded call left them.
        Assert.That(store.Api.splinter_get_epoch(key), Is.EqualTo(epoch));
        Assert.That(store.Get("gated"), Is.EqualTo("\u0001\u0002\u0003"));
    }

    [Test]
    public void EveryShimImportIsCalledSomewhere()
    {
        // The errno wrappers are reached through SplinterApi.*_errno (RawLayerTests): one wrapper per such method.
        var wrappers = Array.FindAll(typeof(LibSplinterShim).GetMethods(), m => m.Name.StartsWith("SplinterShim_errno_", StringComparison.Ordinal));
        var errnoMethods = Array.FindAll(typeof(SplinterApi).GetMethods(), m => m.Name.EndsWith("_errno", StringComparison.Ordinal));
        Assert.That(Array.ConvertAll(wrappers, m => m.Name["SplinterShim_errno_".Length..] + "_errno"), Is.EquivalentTo(Array.ConvertAll(errnoMethods, m => m.Name)));
    }
}
