using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Text;
using Splinter.Interop.Native;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>A mapping of a store's object made by the test, to change slot fields the way a foreign or broken writer could.</summary>
public sealed unsafe class SlotEditor : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    /// <summary>Maps the object behind <paramref name="store"/> read-write.</summary>
    public SlotEditor(SplinterStore store)
    {
        _file = MemoryMappedFile.CreateFromFile(store.BackingPath, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor();
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
        SlotCount = Header->slots;
    }

    /// <summary>The header in the test's mapping.</summary>
    public splinter_header* Header => (splinter_header*)_base;

    /// <summary>Number of slots.</summary>
    public uint SlotCount { get; }

    /// <summary>Slot <paramref name="index"/> (slots of the bound flavour's size).</summary>
    public splinter_slot* Slot(uint index) => (splinter_slot*)(_base + sizeof(splinter_header)) + index;

    /// <summary>The slot whose hash is the key's FNV-1a hash; throws when none is.</summary>
    public splinter_slot* Find(string key)
    {
        ulong hash = Fnv1a(Encoding.UTF8.GetBytes(key));
        for (uint i = 0; i < SlotCount; i++)
        {
            if (Slot(i)->hash == hash)
            {
                return Slot(i);
            }
        }

        throw new InvalidOperationException($"no slot holds '{key}'");
    }

    /// <summary>
    /// The format's key hash (FNV-1a 64), written out independently of the library under test and of the C# layer's
    /// own: the tests' one reference for it (the stress tests also use it as their values' checksum).
    /// </summary>
    public static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }

        return hash;
    }

    /// <summary>Unmaps the test's view.</summary>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
