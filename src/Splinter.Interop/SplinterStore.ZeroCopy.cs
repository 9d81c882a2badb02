using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Zero-copy reads over the shared bytes, verified against the slot's seqlock.</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>
    /// Reads a value without copying it: <paramref name="reader"/> receives a span over the shared
    /// bytes, then the slot epoch is checked; if a writer moved it, the read is retried (bounded).
    /// The span is valid only inside the reader; the reader may run more than once.
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
        return TryReadCore(KeyBytes.FromString(key, &buffer), state, reader, out result);
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
        return TryReadCore(KeyBytes.FromUtf8(key, &buffer), state, reader, out result);
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
        bool answer = TryReadCore(key.Pointer, state, reader, out result);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    private bool TryReadCore<TState, TResult>(byte* key, TState state, SplinterValueReader<TState, TResult> reader, out TResult result)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using (Lease())
        {
            ulong hash = SlotProbe.Hash(key, out int keyLength);
            byte* arena = (byte*)_slots + ((nuint)_slotCount * (nuint)sizeof(splinter_slot));
            ulong arenaSize = (ulong)_slotCount * _maxValueSize;
            ContentionRetry retry = default;
            while (true)
            {
                long index = SlotProbe.Find(_slots, _slotCount, key, keyLength, hash);
                if (index < 0)
                {
                    result = default!;
                    return false;
                }

                splinter_slot* slot = _slots + index;
                ulong epoch = Volatile.Read(ref slot->epoch);
                if ((epoch & 1) == 0)
                {
                    uint length = Volatile.Read(ref slot->val_len);
                    uint offset = slot->val_off;
                    if ((ulong)offset + length > arenaSize || length > _maxValueSize)
                    {
                        // Only a damaged store (or upstream's relocating BIGUINT promotion) gets here.
                        // Re-check before blaming the store: a torn pass can pair odd fields.
                        Interlocked.MemoryBarrier();
                        if (Volatile.Read(ref slot->epoch) == epoch)
                        {
                            throw new SplinterException(
                                $"The slot of '{KeyBytes.Decode(key)}' describes {length} bytes at arena offset {offset}, outside the value arena; the store is damaged.");
                        }
                    }
                    else
                    {
                        TResult candidate = reader(new ReadOnlySpan<byte>(arena + offset, (int)length), state);

                        // Order the value loads before the epoch re-read. x86/x64 never reorders loads with
                        // older loads (and the reader is an opaque call to the JIT); weaker CPUs need the fence.
                        if (!X86Base.IsSupported)
                        {
                            Interlocked.MemoryBarrier();
                        }
                        if (Volatile.Read(ref slot->epoch) == epoch && Volatile.Read(ref slot->hash) == hash)
                        {
                            result = candidate;
                            return true;
                        }
                    }
                }

                if (!retry.Wait(_contentionBudget))
                {
                    StoreErrors.ThrowContention(key, epoch);
                }
            }
        }
    }
}
