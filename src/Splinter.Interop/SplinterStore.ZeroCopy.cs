using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Zero-copy reads over the shared bytes, verified against the slot's seqlock.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>
    /// Reads a value without copying it: <paramref name="reader"/> receives a span over the value's bytes in the shared
    /// mapping — live memory that another process may be rewriting while the reader runs — and only then is the pass
    /// checked (the slot's epoch did not move, the slot still holds the key). A torn pass is retried within the
    /// contention budget, so the reader may run more than once and may see bytes that were never a whole value: only
    /// the result of a stable pass is returned. If the reader throws on a torn pass, the exception is discarded and the
    /// pass retried; an exception from a stable pass reaches the caller. The span is valid only inside the reader.
    /// If the store is disposed while the reader runs, the span's bytes may turn to zeros under it, and the call then
    /// throws <see cref="ObjectDisposedException"/> instead of returning the result.
    /// </summary>
    /// <typeparam name="TState">State handed to the reader (no closure needed).</typeparam>
    /// <typeparam name="TResult">What the reader returns.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="state">State handed to the reader.</param>
    /// <param name="reader">Reads the bytes.</param>
    /// <param name="result">The reader's result from the consistent pass.</param>
    /// <returns>True with the reader's result, false when the key does not exist.</returns>
    /// <exception cref="SplinterContentionException">Writers kept the slot busy past the contention budget.</exception>
    [SkipLocalsInit]
    public bool TryRead<TState, TResult>(string key, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryReadCore(padded, hash, state, reader, out result);
    }

    /// <summary>Reads the value of a UTF-8 key in place; see <see cref="TryRead{TState, TResult}(string, TState, SplinterValueReader{TState, TResult}, out TResult)"/>.</summary>
    /// <typeparam name="TState">State handed to the reader.</typeparam>
    /// <typeparam name="TResult">What the reader returns.</typeparam>
    /// <param name="key">The key as UTF-8 bytes.</param>
    /// <param name="state">State handed to the reader.</param>
    /// <param name="reader">Reads the bytes.</param>
    /// <param name="result">The reader's result.</param>
    /// <returns>True with the reader's result, false when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        KeyBuffer buffer;
        byte* padded = KeyBytes.ForLookup(key, &buffer, out ulong hash);
        return TryReadCore(padded, hash, state, reader, out result);
    }

    /// <summary>Reads the value of a pre-encoded key in place; see <see cref="TryRead{TState, TResult}(string, TState, SplinterValueReader{TState, TResult}, out TResult)"/>.</summary>
    /// <typeparam name="TState">State handed to the reader.</typeparam>
    /// <typeparam name="TResult">What the reader returns.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="state">State handed to the reader.</param>
    /// <param name="reader">Reads the bytes.</param>
    /// <param name="result">The reader's result.</param>
    /// <returns>True with the reader's result, false when the key does not exist.</returns>
    public bool TryRead<TState, TResult>(SplinterKey key, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        byte* padded = key.Pointer;
        bool answer = TryReadCore(padded, SplinterKey.HashAt(padded), state, reader, out result);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the read
        return answer;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadCore<TState, TResult>(byte* paddedKey, ulong hash, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        ArgumentNullException.ThrowIfNull(reader);

        // The common case inline: one pass, the reader called directly. An exception from the reader is the caller's
        // only when the pass was stable (the filter asks); from a torn pass it is dropped and the slow path reads again.
        if (StoreFormat.MappingReadsSupported &&
            _mapped.TryBeginValueFast(paddedKey, hash, out splinter_slot* slot, out ulong epoch, out ReadOnlySpan<byte> value))
        {
            TResult candidate = default!;
            bool torn = false;
            try
            {
                candidate = reader(value, state);
            }
            catch when (!_mapped.EndValueFast(slot, hash, epoch))
            {
                torn = true; // once torn, always torn: a later look must not call this pass stable
            }

            if (!torn && _mapped.EndValueFast(slot, hash, epoch))
            {
                result = candidate;
                return true;
            }
        }

        return TryReadSlow(paddedKey, hash, state, reader, out result);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadSlow<TState, TResult>(byte* paddedKey, ulong hash, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        var call = new CallReader<TState, TResult>(reader, state);
        return ReadStable<CallReader<TState, TResult>, TResult>(paddedKey, hash, ref call, out result);
    }

    /// <summary>TryRead's consumer: the caller's reader over the shared bytes (no copy).</summary>
    private readonly struct CallReader<TState, TResult>(SplinterValueReader<TState, TResult> reader, TState state) : IValueConsumer<TResult>
    {
        public TResult Consume(ReadOnlySpan<byte> value, ulong epoch) => reader(value, state);
    }
}
