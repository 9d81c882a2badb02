using System.Threading;

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

    /// <summary>
    /// EventBus.SignalLocalWrites changed. Set's gated path never calls <see cref="OnLocalWrite"/> (it costs a call per
    /// write), so while local writes are signalled every Set takes the slow path, which does. A Set running while the
    /// switch flips may go either way.
    /// </summary>
    internal void OnSignalLocalWritesChanged(bool signal) => _gatedSetLimit = signal || !_gate.Enabled ? 0 : MaxValueSize;

    partial void OnLocalWrite(int slotIndexOrMinus1) => Volatile.Read(ref _events)?.OnLocalWrite(slotIndexOrMinus1);

    partial void OnDisposing() => Volatile.Read(ref _events)?.OnStoreDisposing();
}
