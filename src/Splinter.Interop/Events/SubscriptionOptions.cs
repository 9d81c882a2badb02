using System;
using System.Text;

namespace Splinter.Interop;

/// <summary>What an <see cref="EventSubscription"/> watches and how (see <see cref="EventBus.Subscribe(SubscriptionOptions?)"/>).</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The defaults: any writer, the bus when one is reachable and polling otherwise, every key.</summary>
    public static SubscriptionOptions Default { get; } = new();

    /// <summary>
    /// Require the event bus: <see cref="EventBus.Subscribe(SubscriptionOptions?)"/> throws
    /// <see cref="EventBusUnavailableException"/> when it cannot be reached, and the owner's exit ends the subscription's
    /// waits with that exception (OwnerGone), instead of falling back to polling. Off by default.
    /// </summary>
    public bool RequireBus { get; init; }

    /// <summary>The longest sleep between two looks at the store's global epoch while polling (default 5 ms; 1 ms to 1 s).</summary>
    public TimeSpan PollingInterval
    {
        get => _pollingInterval;
        init
        {
            if (value < TimeSpan.FromMilliseconds(1) || value > TimeSpan.FromSeconds(1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The polling interval must be between 1 ms and 1 s.");
            }

            _pollingInterval = value;
        }
    }

    /// <summary>Only report keys that start with this text (compared as UTF-8 bytes); null or empty: every key.</summary>
    public string? KeyPrefix
    {
        get => _keyPrefix;
        init
        {
            if (value is not null && Encoding.UTF8.GetByteCount(value) > SplinterKey.MaxByteCount)
            {
                throw new ArgumentException($"A key prefix longer than {SplinterKey.MaxByteCount} UTF-8 bytes matches no key.", nameof(value));
            }

            _keyPrefix = value;
        }
    }

    /// <summary>Only report slots whose labels include all of these bits (before or after the change); 0: every slot.</summary>
    public ulong Labels { get; init; }

    private readonly TimeSpan _pollingInterval = TimeSpan.FromMilliseconds(5);
    private readonly string? _keyPrefix;
}
