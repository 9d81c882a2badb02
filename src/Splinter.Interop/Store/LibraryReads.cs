using System;
using System.Buffers;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>
/// The reads of SplinterStore.MappingReads.cs done through the library's own functions, for bindings whose format the
/// mapping reads do not know: the same answers (false for a missing key, <see cref="SplinterContentionException"/>
/// for a slot that stays busy, a <see cref="SplinterException"/> for a damaged slot), at the cost of three library
/// calls and a copy per read.
/// </summary>
internal static unsafe class LibraryReads
{
    /// <summary>
    /// A stable read: one splinter_get of the whole value into a scratch buffer between two splinter_get_epoch calls
    /// (equal and even: a stable pass), then the consumer on the copy.
    /// </summary>
    public static bool ReadStable<TConsumer, TResult>(SplinterStore store, byte* key, ref TConsumer consumer, out TResult result)
        where TConsumer : IValueConsumer<TResult>, allows ref struct
    {
        using (store.Lease())
        {
            int capacity = (int)Math.Min(store.MaxValueSize, (uint)int.MaxValue);
            byte[] scratch = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
            try
            {
                ContentionRetry retry = default;
                fixed (byte* buffer = scratch)
                {
                    while (true)
                    {
                        ulong before = store.Api.splinter_get_epoch((sbyte*)key);
                        if (before == 0)
                        {
                            result = default!;
                            return false;
                        }

                        nuint size = 0;
                        int error = 0;
                        int outcome = (before & 1) != 0 ? -1 : store.Api.splinter_get_errno((sbyte*)key, buffer, (nuint)scratch.Length, &size, &error);
                        if ((before & 1) != 0)
                        {
                            error = Errno.EAGAIN;
                        }

                        if (outcome == 0 && store.Api.splinter_get_epoch((sbyte*)key) == before)
                        {
                            result = consumer.Consume(new ReadOnlySpan<byte>(buffer, (int)size), before);
                            return true;
                        }

                        if (outcome == -1 && (error == Errno.EFAULT || error == Errno.EMSGSIZE))
                        {
                            // The library found a value outside the slot's region, or longer than the store's limit.
                            StoreErrors.ThrowDamaged(key, $"is described as {size} bytes or outside its region (the library said {Errno.Name(error)})");
                        }

                        if (outcome == -2 || (outcome == -1 && error != Errno.EAGAIN && error != 0))
                        {
                            StoreErrors.Throw("Get", outcome, error, key);
                        }

                        // Busy, torn (the epoch moved) or gone meanwhile: look again within the budget.
                        if (!retry.Wait(store.ContentionBudget))
                        {
                            StoreErrors.ThrowContention(key, before);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>A key's slot epoch (splinter_get_epoch): odd while a writer is inside, 0 when the key is missing.</summary>
    public static ulong ReadEpoch(SplinterStore store, byte* key)
    {
        using (store.Lease())
        {
            return store.Api.splinter_get_epoch((sbyte*)key);
        }
    }
}
