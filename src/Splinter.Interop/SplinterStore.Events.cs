using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop;

public sealed partial class SplinterStore
{
    private EventBus? _events;

    /// <summary>The store's event bus: arm it in the writing process, subscribe anywhere to watch changes.</summary>
    public EventBus Events
    {
        get
        {
            EventBus? events = Volatile.Read(ref _events);
            return events ?? Interlocked.CompareExchange(ref _events, new EventBus(this), null) ?? _events!;
        }
    }

    /// <summary>EventBus.SignalLocalWrites changed: gated sets never call <see cref="OnLocalWrite"/> (<see cref="HotCallGate.SignalLocalWrites"/>).</summary>
    internal void OnSignalLocalWritesChanged(bool signal) => _gate.SignalLocalWrites(signal);

    /// <summary>Tells the event layer about a successful mutating call (slot index, or -1 when unknown).</summary>
    internal void OnLocalWrite(int slotIndexOrMinus1) => Volatile.Read(ref _events)?.OnLocalWrite(slotIndexOrMinus1);

    partial void OnDisposing() => Volatile.Read(ref _events)?.OnStoreDisposing();
}
