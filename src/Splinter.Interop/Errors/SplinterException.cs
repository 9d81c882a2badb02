using System;

namespace Splinter.Interop;

/// <summary>Base of every non-argument error raised by Splinter.Interop; carries the errno the native call reported.</summary>
public class SplinterException : Exception
{
    /// <summary>Creates an exception with a message and the errno value (0 when the native call set none).</summary>
    public SplinterException(string message, int errno = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Errno = errno;
    }

    /// <summary>The errno value reported by the native call, or 0 when it reported none.</summary>
    public int Errno { get; }
}

/// <summary>A slot stayed busy (odd epoch: a writer inside) after the bounded spin-and-retry.</summary>
public sealed class SplinterContentionException : SplinterException
{
    /// <summary>Creates the exception for a key and the last slot epoch seen.</summary>
    public SplinterContentionException(string key, ulong epochSeen)
        : base($"Key '{key}' stayed busy (slot epoch {epochSeen}) after the bounded retry; another writer holds it or died inside it (Retrain recovers a dead writer's slot).", Splinter.Interop.Errno.EAGAIN)
    {
        Key = key;
        EpochSeen = epochSeen;
    }

    /// <summary>The key whose slot was busy.</summary>
    public string Key { get; }

    /// <summary>The last slot epoch observed (odd while a writer holds the slot).</summary>
    public ulong EpochSeen { get; }
}

/// <summary>The store has no free slot for a new key.</summary>
public sealed class SplinterStoreFullException : SplinterException
{
    /// <summary>Creates the exception for the key that could not be inserted.</summary>
    public SplinterStoreFullException(string key, uint slotCount)
        : base($"The store is full: no free slot among {slotCount} for key '{key}'.")
    {
        Key = key;
        SlotCount = slotCount;
    }

    /// <summary>The key that could not be inserted.</summary>
    public string Key { get; }

    /// <summary>The store's slot count.</summary>
    public uint SlotCount { get; }
}
