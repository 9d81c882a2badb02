#if SPLINTER_EMBEDDINGS
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <summary>
/// Embedding vectors of one store (<see cref="SplinterStore.Embeddings"/>; SPLINTER_EMBEDDINGS builds only): each slot
/// carries <see cref="Dimension"/> floats beside its value.
/// </summary>
public sealed unsafe class SplinterEmbeddings
{
    /// <summary>Floats per embedding vector (SPLINTER_EMBED_DIM).</summary>
    public const int Dimension = LibSplinter.SPLINTER_EMBED_DIM;

    private readonly SplinterStore _store;

    internal SplinterEmbeddings(SplinterStore store) => _store = store;

    /// <summary>True when the loaded library exports the embedding functions.</summary>
    public bool IsSupported => _store.Api.Has_splinter_set_embedding && _store.Api.Has_splinter_get_embedding;

    /// <summary>Replaces the key's embedding vector (splinter_set_embedding).</summary>
    /// <param name="key">The key.</param>
    /// <param name="embedding">Exactly <see cref="Dimension"/> floats.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="NotSupportedException">The loaded library has no embedding functions.</exception>
    [SkipLocalsInit]
    public void Set(string key, ReadOnlySpan<float> embedding)
    {
        KeyBuffer buffer;
        SetCore(KeyBytes.FromString(key, &buffer), embedding);
    }

    /// <summary>Replaces a pre-encoded key's embedding vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="embedding">Exactly <see cref="Dimension"/> floats.</param>
    public void Set(SplinterKey key, ReadOnlySpan<float> embedding)
    {
        SetCore(key.Pointer, embedding);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Copies the key's embedding vector (splinter_get_embedding), retrying torn reads.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Room for at least <see cref="Dimension"/> floats.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGet(string key, Span<float> destination)
    {
        KeyBuffer buffer;
        return TryGetCore(KeyBytes.FromString(key, &buffer), destination);
    }

    /// <summary>Copies a pre-encoded key's embedding vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Room for at least <see cref="Dimension"/> floats.</param>
    /// <returns>False when the key does not exist.</returns>
    public bool TryGet(SplinterKey key, Span<float> destination)
    {
        bool answer = TryGetCore(key.Pointer, destination);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    private void RequireEmbeddings()
    {
        if (!IsSupported)
        {
            throw new NotSupportedException("The loaded libsplinter does not export splinter_set_embedding/splinter_get_embedding.");
        }
    }

    private void SetCore(byte* key, ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimension)
        {
            throw new ArgumentException($"An embedding has exactly {Dimension} floats; got {embedding.Length}.", nameof(embedding));
        }

        using (_store.Lease())
        {
            RequireEmbeddings();
            fixed (float* vector = embedding)
            {
                // set_embedding reports busy without errno: the epoch decides.
                var call = new NativeCall(_store, "Embeddings.Set", key, ResultConvention.EpochDecides);
                int result, error;
                do
                {
                    error = 0;
                    result = _store.Api.splinter_set_embedding_errno((sbyte*)key, vector, &error);
                }
                while (call.Again(result, error));

                call.ThrowIfMissing();
                _store.OnLocalWrite(-1);
            }
        }
    }

    private bool TryGetCore(byte* key, Span<float> destination)
    {
        if (destination.Length < Dimension)
        {
            throw new ArgumentException($"The destination needs room for {Dimension} floats; it has {destination.Length}.", nameof(destination));
        }

        using (_store.Lease())
        {
            RequireEmbeddings();
            fixed (float* vector = destination)
            {
                var call = new NativeCall(_store, "Embeddings.TryGet", key, ResultConvention.ErrnoDecides);
                int result, error;
                do
                {
                    error = 0;
                    result = _store.Api.splinter_get_embedding_errno((sbyte*)key, vector, &error);
                }
                while (call.Again(result, error));

                return call.Outcome == NativeOutcome.Done;
            }
        }
    }
}
#endif
