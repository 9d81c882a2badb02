using System;

namespace Splinter.Interop;

/// <summary>Reads a value in place: <paramref name="value"/> is live shared memory inside the store, valid only during the call.</summary>
/// <remarks>
/// Another process may be writing the bytes while the reader runs: the reader may run more than once for one read and
/// may see bytes that were never a whole value (a torn pass). Only the result, or the exception, of a stable pass
/// reaches the caller; exceptions thrown on a torn pass are discarded.
/// </remarks>
/// <typeparam name="TState">Caller state handed through without a closure.</typeparam>
/// <typeparam name="TResult">What the reader computes from the bytes.</typeparam>
/// <param name="value">The value bytes inside the store.</param>
/// <param name="state">The caller's state.</param>
/// <returns>The reader's result.</returns>
public delegate TResult SplinterValueReader<in TState, out TResult>(ReadOnlySpan<byte> value, TState state);
