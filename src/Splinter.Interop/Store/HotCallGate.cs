using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The Dispose protocol of the hot write (Set), which takes no lease (a SafeHandle reference is two interlocked
/// operations, about 10 ns). Invariant: once <see cref="Close"/> has returned, no thread is inside a gated call and
/// every later one answers SPLINTER_SHIM_GATE_CLOSED without touching the store.
/// </summary>
/// <remarks>
/// <para>How: Set calls the shim's SplinterShim_gated_set, which reads the library function from this gate in native code
/// and tail-calls it. That import is SuppressGCTransition, so the thread stays in cooperative mode from the managed call
/// site until it is back and a runtime suspension cannot complete while it is inside. Close swaps the gate's entry for a
/// stub that answers "closed", then forces such a suspension (a blocking generation-0 GC). The entry is read in native
/// code on purpose: a managed read could be followed by a GC poll before the call, where the thread could be held across
/// the whole Dispose and then enter a closed store.</para>
/// <para>SuppressGCTransition asks for short calls: a gated set copies at most the store's largest value, so only stores
/// whose values are at most <see cref="MaxGatedValueSize"/> bytes use the gate; larger ones lease for every set. The
/// forced collection ends a GC.TryStartNoGCRegion region the caller may be in, as any induced GC does.</para>
/// <para>A mutable struct inside its store (never copied), so the hot path loads <see cref="Pointer"/> and
/// <see cref="SetLimit"/> straight from the store object.</para>
/// </remarks>
internal unsafe struct HotCallGate
{
    /// <summary>The largest value size for which sets are gated calls (their copy stays in the microseconds).</summary>
    public const uint MaxGatedValueSize = 64 * 1024;

    // Pinned: the shim reads it, and it lives as long as the gate (which its store holds).
    private readonly byte[] _memory;
    private readonly uint _maxValueSize;

    public HotCallGate(SplinterApi api, uint maxValueSize)
    {
        _memory = GC.AllocateArray<byte>(sizeof(SplinterShim_gate), pinned: true);
        Pointer = (SplinterShim_gate*)Unsafe.AsPointer(ref _memory[0]);
        Pointer->set = (nuint)api.splinter_set;
        Pointer->set_hashed = (nuint)HashedSetOf(api);
        _maxValueSize = maxValueSize;
        SignalLocalWrites(signal: false);
    }

    /// <summary>The name of our library's one function beyond upstream's (native/exports-extensions.txt).</summary>
    internal const string HashedSetFunction = "splinter_set_hashed";

    /// <summary>
    /// The library copy's splinter_set_hashed, or 0 when it has none (upstream's library, a user's build): then every
    /// set hashes its key in the library again. Taken only from the copy itself, like every function of the copy.
    /// </summary>
    internal static nint HashedSetOf(SplinterApi api) =>
        NativeLibrary.TryGetExport(api.LibraryHandle, HashedSetFunction, out nint address) &&
        LibraryInstance.ObjectNameOf(address) is { } owner && owner == LibraryInstance.ObjectNameOf((nint)api.splinter_set)
            ? address
            : 0;

    /// <summary>True when sets pass the key's hash to the library (<see cref="HashedSetOf"/> found the extension).</summary>
    public readonly bool PassesHashes => Pointer->set_hashed != 0;

    /// <summary>The gate the shim reads.</summary>
    public readonly SplinterShim_gate* Pointer { get; }

    /// <summary>
    /// Values of 1..SetLimit bytes take the gated path (compared with <c>(uint)length - 1</c>, so a length of 0 never
    /// does); 0 while the gate is off: values too large for it, or local writes signalled (<see cref="SignalLocalWrites"/>).
    /// </summary>
    public uint SetLimit { readonly get; private set; }

    /// <summary>
    /// EventBus.SignalLocalWrites changed. The gated path signals nothing (a call per write would be its whole cost), so
    /// while local writes are signalled every Set takes the leased path, which does. A Set running while the switch
    /// flips may go either way.
    /// </summary>
    public void SignalLocalWrites(bool signal) => SetLimit = signal || _maxValueSize > MaxGatedValueSize ? 0 : _maxValueSize;

    /// <summary>Closes the gate and returns once no thread is inside a gated call any more.</summary>
    public readonly void Close()
    {
        LibSplinterShim.SplinterShim_gate_close(Pointer);

        // Gated calls run in cooperative mode: a blocking collection suspends every managed thread at a safe point, and a
        // thread inside a gated call reaches one only after it returned. Threads that enter later jump to the closed stubs.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }
}
