using System.Runtime.CompilerServices;

namespace Splinter.Interop.Store;

/// <summary>
/// The Dispose protocol of the mapping reads (<see cref="MappedStore"/>), which take no lease on the store. Invariant:
/// Dispose raises the flag before anything of the store is closed or released, and every mapping read checks it after
/// it has read, and throws ObjectDisposedException instead of answering when it is raised. A read that overlaps
/// Dispose may therefore still touch the mapping after the store closed, which is safe because a mapping's address
/// range is never unmapped (<see cref="MappingRanges"/>). Lives inside <see cref="MappedStore"/>, so a read loads it
/// from the store object like the geometry.
/// </summary>
internal struct CloseFlag
{
    private volatile bool _raised;

    /// <summary>True once the store's Dispose began.</summary>
    public readonly bool IsRaised => _raised;

    /// <summary>Dispose's first step.</summary>
    public void Raise() => _raised = true;

    /// <summary>Throws ObjectDisposedException once the flag is raised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void ThrowIfRaised(string storeName)
    {
        if (_raised)
        {
            StoreErrors.ThrowDisposed(storeName);
        }
    }
}
