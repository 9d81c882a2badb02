using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Splinter.Interop.Store;

/// <summary>
/// Keeps the store mapped under the hot calls (TryGet, Set, GetEpoch) without the two
/// interlocked operations of DangerousAddRef/DangerousRelease, which cost about 10 ns per call
/// (half of a native get_epoch). A call publishes "this thread is inside store S" in a
/// per-thread slot with a plain volatile store, then reads S's closing flag. Dispose sets the
/// flag, runs <see cref="Interlocked.MemoryBarrierProcessWide"/> (membarrier: every CPU drains
/// its store buffer), then waits until no slot names S before it releases the SafeHandle. That is
/// the asymmetric form of Dekker's protocol: either the call sees the flag and backs out, or
/// Dispose sees the call and waits for it. Everything else uses the SafeHandle lease.
/// </summary>
internal static class HotCallGate
{
    private static readonly object s_lock = new();
    private static readonly List<WeakReference<Slot>> s_slots = new();
    private static int s_pruneAt = 64;

    /// <summary>
    /// This thread's slot, or null before its first hot call (then call <see cref="Register"/>). A field rather than a
    /// property so that the hot calls read it without a call even where the JIT does not inline (minimally optimized
    /// code, which is what runs under valgrind).
    /// </summary>
    [ThreadStatic]
    internal static Slot? t_slot;

    private static long s_lastStoreId;

    /// <summary>A process-unique id for a store (slots hold ids, not references: no GC write barrier on the hot path).</summary>
    public static nint NewStoreId() => (nint)Interlocked.Increment(ref s_lastStoreId);

    /// <summary>Waits until no thread is inside a hot call of store <paramref name="storeId"/>. Call after setting the store's closing flag.</summary>
    public static void Drain(nint storeId)
    {
        Interlocked.MemoryBarrierProcessWide();
        Slot[] slots;
        lock (s_lock)
        {
            var alive = new List<Slot>(s_slots.Count);
            foreach (WeakReference<Slot> reference in s_slots)
            {
                if (reference.TryGetTarget(out Slot? slot))
                {
                    alive.Add(slot);
                }
            }

            slots = alive.ToArray();
        }

        foreach (Slot slot in slots)
        {
            SpinWait spin = default;
            while (slot.Active == storeId)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>Creates and registers this thread's slot (first hot call of the thread).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static Slot Register()
    {
        var slot = new Slot();
        lock (s_lock)
        {
            if (s_slots.Count >= s_pruneAt)
            {
                // Threads that ended left collectable slots behind: drop them.
                s_slots.RemoveAll(static reference => !reference.TryGetTarget(out _));
                s_pruneAt = Math.Max(64, s_slots.Count * 2);
            }

            s_slots.Add(new WeakReference<Slot>(slot));
        }

        t_slot = slot;
        return slot;
    }

    /// <summary>One thread's marker: the id of the store it is inside a hot call of, or 0.</summary>
    internal sealed class Slot
    {
        /// <summary>
        /// The id of the store whose hot call this thread is running, or 0. A volatile field (volatile read and write
        /// semantics, as before with Volatile.Read/Write) so that no accessor call is left in code the JIT did not inline.
        /// </summary>
        public volatile nint Active;
    }
}
