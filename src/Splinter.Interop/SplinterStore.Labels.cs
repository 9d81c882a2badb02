using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Labels (the per-slot bloom mask) and enumeration by label.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Adds label bits to a key (the slot epoch is unchanged; the store epoch advances).</summary>
    /// <param name="key">The key.</param>
    /// <param name="labels">Label bits to add.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void AddLabels(string key, ulong labels)
    {
        KeyBuffer buffer;
        LabelCore(KeyBytes.FromString(key, &buffer), labels, add: true);
    }

    /// <summary>Adds label bits to a UTF-8 key.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="labels">Label bits to add.</param>
    [SkipLocalsInit]
    public void AddLabels(ReadOnlySpan<byte> key, ulong labels)
    {
        KeyBuffer buffer;
        LabelCore(KeyBytes.FromUtf8(key, &buffer), labels, add: true);
    }

    /// <summary>Adds label bits to a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="labels">Label bits to add.</param>
    public void AddLabels(SplinterKey key, ulong labels)
    {
        LabelCore(key.Pointer, labels, add: true);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Removes label bits from a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="labels">Label bits to remove.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    [SkipLocalsInit]
    public void RemoveLabels(string key, ulong labels)
    {
        KeyBuffer buffer;
        LabelCore(KeyBytes.FromString(key, &buffer), labels, add: false);
    }

    /// <summary>Removes label bits from a UTF-8 key.</summary>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="labels">Label bits to remove.</param>
    [SkipLocalsInit]
    public void RemoveLabels(ReadOnlySpan<byte> key, ulong labels)
    {
        KeyBuffer buffer;
        LabelCore(KeyBytes.FromUtf8(key, &buffer), labels, add: false);
    }

    /// <summary>Removes label bits from a pre-encoded key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="labels">Label bits to remove.</param>
    public void RemoveLabels(SplinterKey key, ulong labels)
    {
        LabelCore(key.Pointer, labels, add: false);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>
    /// Lists the occupied slots whose labels include every bit of <paramref name="labels"/>
    /// (0 matches every occupied slot), in slot order, with the slot epoch seen
    /// (splinter_enumerate_matches). Keys are copied out during the enumeration.
    /// </summary>
    /// <param name="labels">Bits every match must carry.</param>
    /// <returns>The matches.</returns>
    public IReadOnlyList<SplinterLabelMatch> FindByLabels(ulong labels)
    {
        using (Lease())
        {
            var state = new MatchCollector();
            GCHandle handle = GCHandle.Alloc(state);
            try
            {
                _api.splinter_enumerate_matches(labels, &CollectMatch, (void*)GCHandle.ToIntPtr(handle));
            }
            finally
            {
                handle.Free();
            }

            if (state.Failure is not null)
            {
                ExceptionDispatchInfo.Throw(state.Failure);
            }

            return state.Matches;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void CollectMatch(sbyte* key, ulong epoch, void* data)
    {
        // An exception must never cross into C: keep it and rethrow after the native call returns.
        var state = (MatchCollector)GCHandle.FromIntPtr((IntPtr)data).Target!;
        if (state.Failure is not null)
        {
            return;
        }

        try
        {
            state.Matches.Add(new SplinterLabelMatch(KeyBytes.Decode((byte*)key), epoch));
        }
        catch (Exception exception)
        {
            state.Failure = exception;
        }
    }

    private void LabelCore(byte* key, ulong labels, bool add)
    {
        using (Lease())
        {
            int result = add ? _api.splinter_set_label((sbyte*)key, labels) : _api.splinter_unset_label((sbyte*)key, labels);
            NativeCall.Ensure(this, add ? "AddLabels" : "RemoveLabels", key, ResultConvention.MinusOneIsMissing, result);
            OnLocalWrite(-1);
        }
    }

    private sealed class MatchCollector
    {
        public List<SplinterLabelMatch> Matches { get; } = new();

        public Exception? Failure { get; set; }
    }
}
