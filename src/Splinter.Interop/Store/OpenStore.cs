using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// One store this process has open: the private library copy that holds it (libsplinter keeps its current store in
/// the copy's globals), the C# layer's mapping of it, and how many SplinterStore objects use it. Every
/// <see cref="SplinterStore"/> opened on the same object (same device and inode) shares it through its own
/// <see cref="StoreHandle"/>; the release of the last one closes the store (<see cref="StoreRegistry.ReleaseHandle"/>).
/// </summary>
internal sealed unsafe class OpenStore
{
    private int _busArmed;

    public OpenStore(FileIdentity identity, LibraryInstance library, byte* mapping, nuint length, int slotSize)
    {
        Identity = identity;
        Library = library;
        Api = library.Api!;
        Mapping = mapping;
        Length = length;
        SlotSize = slotSize;
    }

    /// <summary>Device and inode of the store's object: the registry's key.</summary>
    public FileIdentity Identity { get; }

    /// <summary>The library copy that holds the store.</summary>
    public LibraryInstance Library { get; }

    /// <summary>The copy's function table.</summary>
    public SplinterApi Api { get; }

    /// <summary>Base of the C# layer's read-write mapping (the header).</summary>
    public byte* Mapping { get; }

    /// <summary>Length of the mapping.</summary>
    public nuint Length { get; }

    /// <summary>Bytes per slot: the store's flavour, and the stride of its slot array.</summary>
    public int SlotSize { get; }

    /// <summary>SplinterStore objects using this store (changed under the registry's lock).</summary>
    public int Handles { get; set; }

    /// <summary>Set once the event bus of this store's library copy was armed through any of its SplinterStores.</summary>
    public ref int BusArmed => ref _busArmed;
}
