namespace Splinter.Interop.Native;

/// <content>Registers the library resolver before the first call into libsplinter.</content>
/// <remarks>
/// <para>
/// What the raw layer may do next to open <see cref="SplinterStore"/>s (the same text is in the package README). The
/// functions here, and a <see cref="SplinterApi"/> loaded from <see cref="SplinterLibrary.GetHandle"/>, call the raw
/// layer's own library: loaded once per process, checked like every library, and never one of the stores' private
/// copies. Its current store is the one opened through it (splinter_create, splinter_open...), and splinter_close closes
/// only that one, so every function may be called at any time without touching a SplinterStore's library.
/// </para>
/// <para>
/// When the raw layer's store is the same object a SplinterStore of this process has open, the two share its memory as
/// two processes would: reads, writes, labels, types, signal groups, shards and snapshots follow the store's own
/// protocols and are safe. The event bus is the exception: splinter_event_bus_init through the raw layer makes the raw
/// layer's eventfd the bus, so the SplinterStore's writes stop waking subscribers, and a splinter_close of an armed raw
/// store leaves the header naming a descriptor number this process no longer holds: later subscriptions find no bus
/// (polling, or EventBusUnavailableException with RequireBus) or, once the number is reused, an unrelated file. Arm the
/// bus of such a store through <see cref="SplinterStore.Events"/> only.
/// </para>
/// <para>
/// Pointers the raw layer returns (splinter_get_raw_ptr, splinter_list's keys) point into its own mapping and die with
/// its splinter_close; functions taking a header or slot pointer need one into a mapping the caller holds. The shim
/// (libsplinter_shim.so: the hot write's gate, store removal, the errno wrappers behind SplinterApi's *_errno methods) is
/// internal; remove stores with <see cref="SplinterStore.Delete"/>.
/// </para>
/// </remarks>
public static unsafe partial class LibSplinter
{
    static LibSplinter() => SplinterLibrary.EnsureResolver();
}
