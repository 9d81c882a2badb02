using System;
using System.Buffers.Binary;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>The pre-open check: foreign, truncated or other-flavour objects are refused with a clear exception, never mapped into a crash.</summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreFormatTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private const int HeaderSize = 5440;

    // The mirror's slot size: 128, or 3200 in the SPLINTER_EMBEDDINGS configuration.
    private static readonly int SlotSize = System.Runtime.CompilerServices.Unsafe.SizeOf<Splinter.Interop.Native.splinter_slot>();
    private static readonly int OtherFlavourSlotSize = SlotSize == 128 ? 3200 : 128;

    private static byte[] ValidImage(uint slots, uint maxValueSize)
    {
        byte[] image = new byte[HeaderSize + (slots * (uint)SlotSize) + (slots * maxValueSize)];
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0), 0x534C4E54);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), slots);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), maxValueSize);
        return image;
    }

    private SplinterStoreFormatException AssertRefused(string name, string reasonFragment)
    {
        var error = Assert.Throws<SplinterStoreFormatException>(() => SplinterStore.Open(name, Options));
        Assert.That(error!.Reason, Does.Contain(reasonFragment));
        Assert.That(error.Path, Is.EqualTo(Names.PathOf(name)));

        // The refusal left nothing installed: the variant opens a real store right away.
        using SplinterStore good = Names.Create();
        good.Set("after", "refusal");
        Assert.That(good.GetString("after"), Is.EqualTo("refusal"));
        return error;
    }

    [Test]
    public void EmptyObject_IsRefused()
    {
        string name = Names.NewName();
        Names.WriteRaw(name, ReadOnlySpan<byte>.Empty);
        AssertRefused(name, "shorter than a store header");
    }

    [Test]
    public void ShorterThanHeader_IsRefused()
    {
        string name = Names.NewName();
        Names.WriteRaw(name, ValidImage(8, 64).AsSpan(0, 100));
        AssertRefused(name, "shorter than a store header");
    }

    [Test]
    public void WrongMagic_IsRefused()
    {
        string name = Names.NewName();
        byte[] image = ValidImage(8, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(image, 0xDEADBEEF);
        Names.WriteRaw(name, image);
        SplinterStoreFormatException error = AssertRefused(name, "wrong magic");
        Assert.That(error.Message, Does.Contain("0xDEADBEEF"));
    }

    [Test]
    public void WrongVersion_IsRefused()
    {
        string name = Names.NewName();
        byte[] image = ValidImage(8, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), 3);
        Names.WriteRaw(name, image);
        AssertRefused(name, "format version 3");
    }

    [Test]
    public void EmptyGeometry_IsRefused()
    {
        string name = Names.NewName();
        byte[] image = ValidImage(8, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), 0);
        Names.WriteRaw(name, image);
        AssertRefused(name, "empty geometry");
    }

    [Test]
    public void TruncatedStore_IsRefused()
    {
        // A real store cut short: the header promises more than the object holds (upstream would SIGBUS).
        string name = Names.NewName();
        SplinterStore.Create(name, 64, 1024, Options).Dispose();
        using (var file = new FileStream(Names.PathOf(name), FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(HeaderSize + 100);
        }

        SplinterStoreFormatException error = AssertRefused(name, "truncated");
        Assert.That(error.Message, Does.Contain("64 slots"));
    }

    [Test]
    public void HugeGeometryInSmallFile_IsRefused()
    {
        string name = Names.NewName();
        byte[] image = ValidImage(8, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(12), uint.MaxValue);
        Names.WriteRaw(name, image);
        AssertRefused(name, "truncated or damaged");
    }

    [Test]
    public void OtherSlotFlavour_OpensWithThatFlavoursLibrary()
    {
        // Same header, sized for the other slot flavour (with or without SPLINTER_EMBEDDINGS): a valid store of it.
        string name = Names.NewName();
        const uint slots = 4;
        const uint maxValueSize = 64;
        byte[] image = new byte[HeaderSize + (slots * (uint)OtherFlavourSlotSize) + (slots * maxValueSize)];
        ValidImage(slots, maxValueSize).AsSpan(0, 16).CopyTo(image);
        for (uint slot = 0; slot < slots; slot++)
        {
            // val_off (offset 16 of a slot) and the default type (SPL_SLOT_TYPE_VOID at offset 24), as create writes them.
            int at = HeaderSize + (int)(slot * (uint)OtherFlavourSlotSize);
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(at + 16), slot * maxValueSize);
            image[at + 24] = 0x01;
        }

        Names.WriteRaw(name, image);
        if (!OtherFlavourLibraryShips())
        {
            AssertRefused(name, "no library of that flavour");
            return;
        }

        using SplinterStore store = Names.Track(SplinterStore.Open(name, Options));
        Assert.That(store.SlotSize, Is.EqualTo(OtherFlavourSlotSize), "the flavour comes from the object's size for its geometry");
        store.Set("k", "other flavour");
        Assert.That(store.GetString("k"), Is.EqualTo("other flavour"), "the library of that flavour reads and writes it");
        Assert.That(store.GetKeys(), Is.EqualTo(new[] { "k" }));
    }

    /// <summary>True when the test output has a library of the other flavour (the default configuration ships both).</summary>
    private bool OtherFlavourLibraryShips()
    {
        string embeddingsName = Variant == SplinterVariant.SharedMemory ? "libsplinter_embeddings.so" : "libsplinter_p_embeddings.so";
        return SlotSize == 128 && File.Exists(NativeBuildInfo.RuntimeLibrary(embeddingsName));
    }

    [Test]
    public void OpenOrCreate_OnForeignObject_IsRefusedAndLeavesItAlone()
    {
        string name = Names.NewName();
        byte[] image = ValidImage(8, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(image, 0x12345678);
        Names.WriteRaw(name, image);

        Assert.Throws<SplinterStoreFormatException>(() => SplinterStore.OpenOrCreate(name, 8, 64, Options));
        Assert.That(File.ReadAllBytes(Names.PathOf(name)), Is.EqualTo(image), "the foreign object was not touched");
    }

    [Test]
    public void Directory_IsRefused()
    {
        if (Variant != SplinterVariant.Persistent)
        {
            Assert.Ignore("only the persistent variant takes arbitrary paths");
        }

        string name = Names.NewName();
        Directory.CreateDirectory(name);
        Assert.Throws<SplinterStoreFormatException>(() => SplinterStore.Open(name, Options));
    }

    [Test]
    public void ValidImageWrittenByHand_Opens()
    {
        // The check accepts exactly the format: a zeroed image with a correct header opens.
        string name = Names.NewName();
        Names.WriteRaw(name, ValidImage(8, 64));
        using SplinterStore store = Names.Track(SplinterStore.Open(name, Options));
        Assert.That(store.SlotCount, Is.EqualTo(8u));
        Assert.That(store.Contains("anything"), Is.False);
    }
}
