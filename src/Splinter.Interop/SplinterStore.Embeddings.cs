#if SPLINTER_EMBEDDINGS
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Splinter.Interop.Native;
using Splinter.Interop.Store;

namespace Splinter.Interop;

/// <content>Embedding vectors (SPLINTER_EMBEDDINGS builds only).</content>
public sealed unsafe partial class SplinterStore
{
    /// <summary>Floats per embedding vector (SPLINTER_EMBED_DIM).</summary>
    public const int EmbeddingDimension = LibSplinter.SPLINTER_EMBED_DIM;

    /// <summary>True when the loaded library exports the embedding functions.</summary>
    public bool SupportsEmbeddings => _api.Has_splinter_set_embedding && _api.Has_splinter_get_embedding;

    /// <summary>Replaces the key's embedding vector (splinter_set_embedding).</summary>
    /// <param name="key">The key.</param>
    /// <param name="embedding">Exactly <see cref="EmbeddingDimension"/> floats.</param>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="NotSupportedException">The loaded library has no embedding functions.</exception>
    [SkipLocalsInit]
    public void SetEmbedding(string key, ReadOnlySpan<float> embedding)
    {
        KeyBuffer buffer;
        SetEmbeddingCore(KeyBytes.FromString(key, &buffer), embedding);
    }

    /// <summary>Replaces a pre-encoded key's embedding vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="embedding">Exactly <see cref="EmbeddingDimension"/> floats.</param>
    public void SetEmbedding(SplinterKey key, ReadOnlySpan<float> embedding)
    {
        SetEmbeddingCore(key.Pointer, embedding);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
    }

    /// <summary>Copies the key's embedding vector (splinter_get_embedding), retrying torn reads.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Room for at least <see cref="EmbeddingDimension"/> floats.</param>
    /// <returns>False when the key does not exist.</returns>
    [SkipLocalsInit]
    public bool TryGetEmbedding(string key, Span<float> destination)
    {
        KeyBuffer buffer;
        return TryGetEmbeddingCore(KeyBytes.FromString(key, &buffer), destination);
    }

    /// <summary>Copies a pre-encoded key's embedding vector.</summary>
    /// <param name="key">The key.</param>
    /// <param name="destination">Room for at least <see cref="EmbeddingDimension"/> floats.</param>
    /// <returns>False when the key does not exist.</returns>
    public bool TryGetEmbedding(SplinterKey key, Span<float> destination)
    {
        bool answer = TryGetEmbeddingCore(key.Pointer, destination);
        GC.KeepAlive(key.Owner); // the key's bytes outlive the native call
        return answer;
    }

    private void RequireEmbeddings()
    {
        if (!SupportsEmbeddings)
        {
            throw new NotSupportedException("The loaded libsplinter does not export splinter_set_embedding/splinter_get_embedding.");
        }
    }

    private void SetEmbeddingCore(byte* key, ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != EmbeddingDimension)
        {
            throw new ArgumentException($"An embedding has exactly {EmbeddingDimension} floats; got {embedding.Length}.", nameof(embedding));
        }

        using (Lease())
        {
            RequireEmbeddings();
            ContentionRetry retry = default;
            fixed (float* vector = embedding)
            {
                while (true)
                {
                    int error = 0;
                    int result = _api.splinter_set_embedding_errno((sbyte*)key, vector, &error);
                    if (result == 0)
                    {
                        OnLocalWrite(-1);
                        return;
                    }

                    if (result != -1)
                    {
                        StoreErrors.Throw("SetEmbedding", result, error, key);
                    }

                    // -1 without errno: missing, or busy.
                    ulong epoch = _api.splinter_get_epoch((sbyte*)key);
                    if (epoch == 0)
                    {
                        StoreErrors.ThrowKeyNotFound("SetEmbedding", key);
                    }

                    if (!retry.Wait(_contentionBudget))
                    {
                        StoreErrors.ThrowContention(key, epoch);
                    }
                }
            }
        }
    }

    private bool TryGetEmbeddingCore(byte* key, Span<float> destination)
    {
        if (destination.Length < EmbeddingDimension)
        {
            throw new ArgumentException($"The destination needs room for {EmbeddingDimension} floats; it has {destination.Length}.", nameof(destination));
        }

        using (Lease())
        {
            RequireEmbeddings();
            ContentionRetry retry = default;
            fixed (float* vector = destination)
            {
                while (true)
                {
                    int error = 0;
                    int result = _api.splinter_get_embedding_errno((sbyte*)key, vector, &error);
                    if (result == 0)
                    {
                        return true;
                    }

                    if (result == -1 && error == Errno.EAGAIN)
                    {
                        WaitOutContention(ref retry, key);

                        continue;
                    }

                    if (result == -1)
                    {
                        return false;
                    }

                    StoreErrors.Throw("GetEmbedding", result, error, key);
                }
            }
        }
    }
}
#endif
