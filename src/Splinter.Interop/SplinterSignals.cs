using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Signal groups of one store (<see cref="SplinterStore.Signals"/>): 64 counters in the header that libsplinter pulses
/// when a registered key, or a key carrying a mapped label, is written. Not to be confused with the change feed of
/// <see cref="SplinterStore.Events"/>, which reports every change by key.
/// </summary>
public sealed unsafe class SplinterSignals
{
    /// <summary>Number of signal groups (valid group ids 0..63).</summary>
    public const int GroupCount = 64;

    private readonly SplinterStore _store;

    internal SplinterSignals(SplinterStore store) => _store = store;

    /// <summary>Makes writes to the key pulse signal group <paramref name="group"/> (0..63) (splinter_watch_register).</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Register(string key, int group)
    {
        KeyBuffer buffer;
        RegisterCore(KeyBytes.FromString(key, &buffer), group, register: true);
    }

    /// <summary>Makes writes to a UTF-8 key pulse a signal group.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="group">The signal group, 0..63.</param>
    [SkipLocalsInit]
    public void Register(ReadOnlySpan<byte> key, int group)
    {
        KeyBuffer buffer;
        RegisterCore(KeyBytes.FromUtf8(key, &buffer), group, register: true);
    }

    /// <summary>Makes writes to a pre-encoded key pulse a signal group.</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void Register(SplinterKey key, int group)
    {
        RegisterCore(key.Pointer, group, register: true);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Stops writes to the key from pulsing signal group <paramref name="group"/> (splinter_watch_unregister).</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Unregister(string key, int group)
    {
        KeyBuffer buffer;
        RegisterCore(KeyBytes.FromString(key, &buffer), group, register: false);
    }

    /// <summary>Stops writes to a UTF-8 key from pulsing a signal group.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="group">The signal group, 0..63.</param>
    [SkipLocalsInit]
    public void Unregister(ReadOnlySpan<byte> key, int group)
    {
        KeyBuffer buffer;
        RegisterCore(KeyBytes.FromUtf8(key, &buffer), group, register: false);
    }

    /// <summary>Stops writes to a pre-encoded key from pulsing a signal group.</summary>
    /// <param name="key">The key.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void Unregister(SplinterKey key, int group)
    {
        RegisterCore(key.Pointer, group, register: false);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Maps every label bit in <paramref name="labels"/> to signal group <paramref name="group"/>, so that writes to keys
    /// carrying one of them pulse it (splinter_watch_label_register; a label bit maps to one group and cannot be unmapped).
    /// </summary>
    /// <param name="labels">Label bits to map.</param>
    /// <param name="group">The signal group, 0..63.</param>
    public void MapLabels(ulong labels, int group)
    {
        ValidateGroup(group);
        using (_store.Lease())
        {
            int result = _store.Api.splinter_watch_label_register(labels, (byte)group);
            NativeCall.Check(_store, "Signals.MapLabels", null, ResultConvention.NegativeFails, result);
        }
    }

    /// <summary>Reads signal group <paramref name="group"/>'s pulse counter (only ever increases).</summary>
    /// <param name="group">The signal group, 0..63.</param>
    /// <returns>The counter.</returns>
    public ulong GetCount(int group)
    {
        ValidateGroup(group);
        using (_store.Lease())
        {
            return _store.Api.splinter_get_signal_count((byte)group);
        }
    }

    /// <summary>Pulses the key's signal groups (registered keys and mapped labels) without changing it (splinter_pulse_keygroup).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Pulse(string key)
    {
        KeyBuffer buffer;
        PulseCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Pulses a UTF-8 key's signal groups.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void Pulse(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        PulseCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Pulses a pre-encoded key's signal groups.</summary>
    /// <param name="key">The key.</param>
    public void Pulse(SplinterKey key)
    {
        PulseCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Pulses the signal groups of the slot at <paramref name="slotIndex"/> (splinter_pulse_watchers
    /// on that slot of the store's mapping). An empty slot has no registrations, so nothing happens.
    /// </summary>
    /// <param name="slotIndex">The slot index, 0..SlotCount-1 (see <see cref="SplinterSlots.IndexOf(string)"/>).</param>
    public void PulseSlot(int slotIndex)
    {
        uint slots = _store.SlotCount;
        if ((uint)slotIndex >= slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slotIndex), slotIndex, $"Slot indices are 0..{slots - 1}.");
        }

        using (_store.Lease())
        {
            _store.Api.splinter_pulse_watchers(_store.Mapped.Slot((uint)slotIndex));
        }
    }

    /// <summary>Advances the key's slot epoch by 2 and pulses its signal groups, without changing the value (no store epoch change, no bus notification; splinter_bump_slot).</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void Bump(string key)
    {
        KeyBuffer buffer;
        BumpCore(KeyBytes.FromString(key, &buffer));
    }

    /// <summary>Bumps a UTF-8 key's slot epoch.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    [SkipLocalsInit]
    public void Bump(ReadOnlySpan<byte> key)
    {
        KeyBuffer buffer;
        BumpCore(KeyBytes.FromUtf8(key, &buffer));
    }

    /// <summary>Bumps a pre-encoded key's slot epoch.</summary>
    /// <param name="key">The key.</param>
    public void Bump(SplinterKey key)
    {
        BumpCore(key.Pointer);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    private static void ValidateGroup(int group)
    {
        if ((uint)group >= GroupCount)
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, $"Signal groups are 0..{GroupCount - 1}.");
        }
    }

    private void RegisterCore(byte* key, int group, bool register)
    {
        ValidateGroup(group);
        using (_store.Lease())
        {
            int error = 0;
            int result = register
                ? _store.Api.splinter_watch_register_errno((sbyte*)key, (byte)group, &error)
                : _store.Api.splinter_watch_unregister((sbyte*)key, (byte)group);
            NativeCall.Ensure(_store, register ? "Signals.Register" : "Signals.Unregister", key, ResultConvention.MinusOneIsMissing, result, error);
        }
    }

    private void PulseCore(byte* key)
    {
        using (_store.Lease())
        {
            int result = _store.Api.splinter_pulse_keygroup((sbyte*)key);
            NativeCall.Ensure(_store, "Signals.Pulse", key, ResultConvention.MinusOneIsMissing, result);
        }
    }

    private void BumpCore(byte* key)
    {
        using (_store.Lease())
        {
            var call = new NativeCall(_store, "Signals.Bump", key, ResultConvention.EpochDecides);
            while (call.Again(_store.Api.splinter_bump_slot((sbyte*)key)))
            {
                // Busy: waited within the contention budget; call again.
            }

            call.ThrowIfMissing();
            _store.OnLocalWrite(-1);
        }
    }
}
