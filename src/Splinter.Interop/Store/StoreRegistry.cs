using System;

namespace Splinter.Interop.Store;

/// <summary>
/// Which store each library variant has open in this process. libsplinter keeps the current
/// store in process globals, so a second open of the same variant would silently replace it;
/// the registry turns that into an InvalidOperationException naming the open store.
/// </summary>
internal static class StoreRegistry
{
    private static readonly object s_lock = new();
    private static readonly Entry?[] s_entries = new Entry?[2];

    /// <summary>Reserves <paramref name="variant"/> for a store named <paramref name="name"/>, or throws.</summary>
    public static Entry Reserve(string name, SplinterVariant variant)
    {
        lock (s_lock)
        {
            Entry? open = s_entries[(int)variant];
            if (open is not null)
            {
                string kind = variant == SplinterVariant.SharedMemory ? "shared-memory" : "persistent";
                string state = open.Disposed
                    ? "was disposed but a call into it is still running; it closes when that call returns"
                    : "is still open; dispose it first";
                throw new InvalidOperationException(
                    $"Cannot open '{name}': the {kind} store '{open.Name}' {state}. libsplinter holds one store per process for each library variant.");
            }

            var entry = new Entry(name, variant);
            s_entries[(int)variant] = entry;
            return entry;
        }
    }

    /// <summary>Frees the reservation if <paramref name="entry"/> still holds it.</summary>
    public static void Release(Entry entry)
    {
        lock (s_lock)
        {
            if (ReferenceEquals(s_entries[(int)entry.Variant], entry))
            {
                s_entries[(int)entry.Variant] = null;
            }
        }
    }

    /// <summary>One reservation; owned by the store's handle, released when the native store is closed.</summary>
    internal sealed class Entry(string name, SplinterVariant variant)
    {
        private volatile bool _disposed;

        public string Name { get; } = name;

        public SplinterVariant Variant { get; } = variant;

        /// <summary>Set by Dispose; the handle may still be open while a call is in flight.</summary>
        public bool Disposed
        {
            get => _disposed;
            set => _disposed = value;
        }
    }
}
