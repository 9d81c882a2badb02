using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace Splinter.Interop.Store;

/// <summary>
/// The one place where native results and errno become exceptions. libsplinter's convention:
/// 0 success; -1 not found (errno untouched), busy (EAGAIN) or a runtime failure (errno);
/// -2 a caller error or no store. Argument errors are caught before the native call, so a -2
/// here means the library lost its store (closed behind our back through the raw layer).
/// </summary>
internal static unsafe class StoreErrors
{
    [DoesNotReturn]
    public static void ThrowDisposed(string name) =>
        throw new ObjectDisposedException(nameof(SplinterStore), $"The store '{name}' has been disposed.");

    [DoesNotReturn]
    public static void ThrowNoStore(string operation) =>
        throw new SplinterException($"{operation}: libsplinter reports no open store (was it closed through the raw layer?).");

    [DoesNotReturn]
    public static void ThrowKeyNotFound(string operation, byte* key) =>
        throw new KeyNotFoundException($"{operation}: the key '{KeyBytes.Decode(key)}' does not exist.");

    [DoesNotReturn]
    public static void ThrowContention(byte* key, ulong epochSeen) =>
        throw new SplinterContentionException(KeyBytes.Decode(key), epochSeen);

    [DoesNotReturn]
    public static void ThrowStoreFull(byte* key, uint slotCount) =>
        throw new SplinterStoreFullException(KeyBytes.Decode(key), slotCount);

    /// <summary>A slot whose value lies outside its own region: the same answer from every read, mapping or native.</summary>
    [DoesNotReturn]
    public static void ThrowDamaged(byte* key, string detail) =>
        throw new SplinterException($"The value of '{KeyBytes.Decode(key)}' {detail}; the store is damaged.");

    [DoesNotReturn]
    public static void ThrowValueLength(int length, uint maxValueSize, string paramName)
    {
        if (length == 0)
        {
            throw new ArgumentException($"The value is empty; libsplinter stores values of 1 to {maxValueSize} bytes.", paramName);
        }

        throw new ArgumentOutOfRangeException(paramName, length, $"The value is {length} bytes; this store holds at most {maxValueSize} bytes per value (its MaxValueSize).");
    }

    /// <summary>A string value refused by its length in characters, before it is encoded (each is at least one UTF-8 byte).</summary>
    [DoesNotReturn]
    public static void ThrowStringValueLength(int characters, uint maxValueSize, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, characters,
            $"The value has {characters} characters, each at least one byte in UTF-8; this store holds at most {maxValueSize} bytes per value (its MaxValueSize).");

    /// <summary>Maps a failed call's result and errno to an exception. <paramref name="key"/> may be null for key-less calls.</summary>
    [DoesNotReturn]
    public static void Throw(string operation, int result, int errno, byte* key)
    {
        string subject = key is null ? operation : $"{operation} '{KeyBytes.Decode(key)}'";
        if (result == -2 && errno == 0)
        {
            ThrowNoStore(operation);
        }

        throw errno switch
        {
            Errno.EMSGSIZE => new ArgumentException($"{subject}: the result would exceed the store's value size limit (EMSGSIZE)."),
            Errno.EPROTOTYPE => new SplinterException($"{subject}: the slot is not of type BigUInt; set the type first (EPROTOTYPE).", errno),
            Errno.ENOSPC => new SplinterException($"{subject}: the table is full (ENOSPC).", errno),
            Errno.ENOMEM => new SplinterException($"{subject}: the store has no room left for the conversion (ENOMEM).", errno),
            Errno.ETIMEDOUT => new TimeoutException($"{subject}: timed out (ETIMEDOUT)."),
            0 => new SplinterException($"{subject} failed (result {result}, no errno)."),
            _ => new SplinterException($"{subject} failed: {Errno.Name(errno)} (result {result}).", errno),
        };
    }
}
