using System.Collections.Generic;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The stores this process has open, by the device and inode of their object: "a" and "/a", or a symlink and its
/// target, are one store. Opening a store that is open already adds a handle to it instead of a second library copy.
/// Opens and final closes run under one lock, so two threads opening one object never make two copies hold it.
/// </summary>
internal static class StoreRegistry
{
    private static readonly Dictionary<FileIdentity, OpenStore> s_open = [];

    /// <summary>Held while a store is opened and while the last handle of one closes it.</summary>
    public static object Lock { get; } = new();

    /// <summary>Number of distinct stores open (measurements and tests).</summary>
    public static int OpenCount
    {
        get
        {
            lock (Lock)
            {
                return s_open.Count;
            }
        }
    }

    /// <summary>Adds a handle to the open store of <paramref name="identity"/>, if there is one. Caller holds <see cref="Lock"/>.</summary>
    public static bool TryShare(FileIdentity identity, out OpenStore? store)
    {
        if (s_open.TryGetValue(identity, out store))
        {
            store.Handles++;
            return true;
        }

        return false;
    }

    /// <summary>Registers a store just opened, with its first handle. Caller holds <see cref="Lock"/>.</summary>
    public static OpenStore Add(OpenStore store)
    {
        store.Handles = 1;
        s_open.Add(store.Identity, store);
        return store;
    }

    /// <summary>Drops one handle; the last one closes the store, releases the C# mapping and gives the library copy back.</summary>
    public static unsafe void ReleaseHandle(OpenStore store)
    {
        lock (Lock)
        {
            if (--store.Handles > 0)
            {
                return;
            }

            s_open.Remove(store.Identity);
            store.Api.splinter_close();
            MappingRanges.Release(store.Mapping);
            SplinterLibrary.ReturnStoreInstance(store.Library);
        }
    }
}
