using System;

namespace Splinter.Interop;

/// <summary>Reads a value in place: <paramref name="value"/> points into the shared store and is valid only during the call.</summary>
/// <remarks>The reader may run more than once for one read (a concurrent write tore the first pass); only the result of the consistent pass is returned.</remarks>
/// <typeparam name="TState">Caller state handed through without a closure.</typeparam>
/// <typeparam name="TResult">What the reader computes from the bytes.</typeparam>
/// <param name="value">The value bytes inside the store.</param>
/// <param name="state">The caller's state.</param>
/// <returns>The reader's result.</returns>
public delegate TResult SplinterValueReader<in TState, out TResult>(ReadOnlySpan<byte> value, TState state);
