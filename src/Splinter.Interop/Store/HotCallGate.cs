using System;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// Keeps the store open under the hot write (Set) at no cost on its path: no SafeHandle reference
/// (DangerousAddRef/Release are two interlocked operations, about 10 ns), no thread-local marker. Set goes through the
/// shim's SplinterShim_gated_set, which reads the library function from this gate in native code and tail-calls it.
/// That import is SuppressGCTransition: the thread stays in cooperative mode from the managed call site until it is
/// back, so a runtime suspension cannot complete while it is inside. <see cref="Close"/> swaps the gate's entry for a
/// stub that answers "closed" and then forces such a suspension (a blocking generation-0 GC). After it, every gated
/// call either has returned or will reach the stub without touching the store. The entry is read in native code on
/// purpose: a managed read could be followed by a GC poll before the call, where the thread could be held across the
/// whole Dispose and then enter a closed store. (The hot reads need no gate: they read the C# layer's own mapping,
/// whose address range stays mapped, and check for Dispose afterwards; see SplinterStore.MappingReads.)
/// </summary>
/// <remarks>
/// SuppressGCTransition asks for short calls. A gated set copies at most the store's largest value, so the store
/// takes the gated path only when that is at most <see cref="MaxGatedValueSize"/> bytes; a store with larger values
/// uses the SafeHandle lease for every set (two interlocked operations next to a copy of tens of kilobytes).
/// The forced collection ends a GC.TryStartNoGCRegion region the caller may be in, as any induced GC does.
/// </remarks>
internal sealed unsafe class HotCallGate
{
    /// <summary>The largest value size for which sets are gated calls (their copy stays in the microseconds).</summary>
    public const uint MaxGatedValueSize = 64 * 1024;

    // Pinned: the shim reads it, and it lives as long as the gate object (which its store references).
    private readonly byte[] _memory;

    public HotCallGate(SplinterApi api, uint maxValueSize)
    {
        _memory = GC.AllocateArray<byte>(sizeof(SplinterShim_gate), pinned: true);
        Pointer = (SplinterShim_gate*)Unsafe.AsPointer(ref _memory[0]);
        Pointer->set = (nuint)api.splinter_set;
        Enabled = maxValueSize <= MaxGatedValueSize;
    }

    /// <summary>The gate the shim reads; valid while this object is reachable.</summary>
    public SplinterShim_gate* Pointer { get; }

    /// <summary>True when sets may take the gated path (values of at most <see cref="MaxGatedValueSize"/>).</summary>
    public bool Enabled { get; }

    /// <summary>Closes the gate and returns once no thread is inside a gated call any more.</summary>
    public void Close()
    {
        LibSplinterShim.SplinterShim_gate_close(Pointer);

        // Gated calls run in cooperative mode: a blocking collection suspends every managed thread at a safe point, and a
        // thread inside a gated call reaches one only after it returned. Threads that enter later jump to the closed stubs.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }
}
