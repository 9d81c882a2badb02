using System.Diagnostics;
using Splinter.Interop.Native;

namespace Splinter.Interop.Store;

/// <summary>What one result of a libsplinter call means under its function's <see cref="ResultConvention"/>.</summary>
internal enum NativeOutcome
{
    /// <summary>The call did its work (a result of 0 or more).</summary>
    Done,

    /// <summary>The slot was busy: call again within the contention budget.</summary>
    Busy,

    /// <summary>The key (or, for shards, the record) does not exist.</summary>
    Missing,

    /// <summary>Anything else: thrown through <see cref="StoreErrors.Throw"/>.</summary>
    Failed,
}

/// <summary>
/// How a libsplinter function tells "busy" and "missing" apart (each function's contract is in native/include/splinter.h).
/// In every convention a result of 0 or more is <see cref="NativeOutcome.Done"/> and a result below -1 (-2: a caller
/// error or no store) is <see cref="NativeOutcome.Failed"/>; they differ only in what a -1 means.
/// </summary>
internal enum ResultConvention
{
    /// <summary>
    /// Called through its errno wrapper (SplinterApi.*_errno clears errno first): -1 with EAGAIN is busy, -1 with errno
    /// untouched (0) is missing, -1 with any other errno failed. unset, append, set_named_type, set_slot_time,
    /// integer_op, get_embedding.
    /// </summary>
    ErrnoDecides,

    /// <summary>
    /// -1 without errno is either missing or busy, so the key's epoch decides: 0 is missing, anything else busy (odd: a
    /// writer is inside; even: the call lost the race for the slot). bump_slot, set_embedding.
    /// </summary>
    EpochDecides,

    /// <summary>
    /// -1 is missing; the function has no busy answer and sets no errno. set_label, unset_label, pulse_keygroup,
    /// retrain_slot, set_as_system, watch_register (its errno only names bad arguments), watch_unregister, shard_rebid,
    /// shard_release, get_slot_snapshot.
    /// </summary>
    MinusOneIsMissing,

    /// <summary>
    /// Any negative result failed: the function has neither a busy nor a missing answer (a -1 carries its reason in
    /// errno, where there is one). shard_claim[_ex], set_mop, madvise (after its own "not won in time"), get_mop,
    /// shard_is_sovereign, shard_table_snapshot, get_header_snapshot, list, watch_label_register.
    /// </summary>
    NegativeFails,
}

/// <summary>
/// The one judge of a store operation's native results (LibGit2Sharp's Ensure, plus the retry): each result is
/// classified under the function's <see cref="ResultConvention"/>; a busy slot is waited out within the store's
/// contention budget and then reported as <see cref="SplinterContentionException"/>; a failure is thrown through
/// <see cref="StoreErrors"/>. The caller calls the function while <see cref="Again"/> says so, then reads
/// <see cref="Outcome"/>: Done or Missing. What "missing" means for the operation (false, or
/// <see cref="System.Collections.Generic.KeyNotFoundException"/> through <see cref="ThrowIfMissing"/>) is the caller's
/// choice, and so is an errno the operation words itself (checked before <see cref="Again"/>).
/// Two loops judge results their own way and stay beside their hot paths: Set's (SplinterStore.Values.cs, SetFailed:
/// a -1 is a full store or a busy slot, whether the key exists tells) and the library reads' seqlock pass
/// (Store/LibraryReads.cs).
/// </summary>
/// <remarks>
/// <code>
/// var call = new NativeCall(store, "Slots.SetTime", key, ResultConvention.ErrnoDecides);
/// int result, error;
/// do
/// {
///     error = 0;
///     result = api.splinter_set_slot_time_errno(key, ..., &amp;error);
/// }
/// while (call.Again(result, error));
/// call.ThrowIfMissing();
/// </code>
/// </remarks>
internal unsafe ref struct NativeCall
{
    private readonly SplinterStore _store;
    private readonly string _operation;
    private readonly byte* _key;
    private readonly ResultConvention _convention;
    private ContentionRetry _retry;

    /// <summary>Starts judging one operation.</summary>
    /// <param name="store">The store (its library copy and contention budget).</param>
    /// <param name="operation">The operation's name, for messages ("Slots.SetType").</param>
    /// <param name="key">The NUL-terminated key, or null for calls without one (never with <see cref="ResultConvention.EpochDecides"/>).</param>
    /// <param name="convention">How the function reports busy and missing.</param>
    public NativeCall(SplinterStore store, string operation, byte* key, ResultConvention convention)
    {
        Debug.Assert(key != null || convention != ResultConvention.EpochDecides, "the epoch of a key decides");
        _store = store;
        _operation = operation;
        _key = key;
        _convention = convention;
        _retry = default;
        Outcome = NativeOutcome.Done;
    }

    /// <summary>The last result's meaning: Done or Missing once <see cref="Again"/> returned false.</summary>
    public NativeOutcome Outcome { get; private set; }

    /// <summary>
    /// Judges one result: true when the slot was busy and the budget lasts (call again); false when the call is done or
    /// the key is missing (<see cref="Outcome"/>). Throws for a failure and when the budget is spent.
    /// </summary>
    /// <param name="result">What the function returned.</param>
    /// <param name="errno">errno right after the call (0 when untouched, or for functions without an errno wrapper).</param>
    /// <returns>True to call again.</returns>
    public bool Again(int result, int errno = 0)
    {
        Outcome = Classify(result, errno);
        switch (Outcome)
        {
            case NativeOutcome.Busy:
                if (!_retry.Wait(_store.ContentionBudget))
                {
                    StoreErrors.ThrowContention(_key, _store.Api.splinter_get_epoch((sbyte*)_key));
                }

                return true;

            case NativeOutcome.Failed:
                StoreErrors.Throw(_operation, result, errno, _key);
                break;
        }

        return false;
    }

    /// <summary>Judges the result of a call made once (a convention without a busy answer): Done or Missing; throws a failure.</summary>
    /// <param name="store">The store.</param>
    /// <param name="operation">The operation's name, for messages.</param>
    /// <param name="key">The key, or null.</param>
    /// <param name="convention">How the function reports missing; never one with a busy answer.</param>
    /// <param name="result">What the function returned.</param>
    /// <param name="errno">errno right after the call, or 0.</param>
    /// <returns>Done or Missing.</returns>
    public static NativeOutcome Check(SplinterStore store, string operation, byte* key, ResultConvention convention, int result, int errno = 0)
    {
        var call = new NativeCall(store, operation, key, convention);
        bool again = call.Again(result, errno);
        Debug.Assert(!again, "Check is for conventions without a busy answer");
        return call.Outcome;
    }

    /// <summary>Like <see cref="Check"/> for an operation whose key must exist: Missing throws KeyNotFoundException.</summary>
    /// <param name="store">The store.</param>
    /// <param name="operation">The operation's name, for messages.</param>
    /// <param name="key">The key.</param>
    /// <param name="convention">How the function reports missing; never one with a busy answer.</param>
    /// <param name="result">What the function returned.</param>
    /// <param name="errno">errno right after the call, or 0.</param>
    public static void Ensure(SplinterStore store, string operation, byte* key, ResultConvention convention, int result, int errno = 0)
    {
        if (Check(store, operation, key, convention, result, errno) == NativeOutcome.Missing)
        {
            StoreErrors.ThrowKeyNotFound(operation, key);
        }
    }

    /// <summary>Throws <see cref="System.Collections.Generic.KeyNotFoundException"/> when the outcome is Missing.</summary>
    public readonly void ThrowIfMissing()
    {
        if (Outcome == NativeOutcome.Missing)
        {
            StoreErrors.ThrowKeyNotFound(_operation, _key);
        }
    }

    private readonly NativeOutcome Classify(int result, int errno)
    {
        if (result >= 0)
        {
            return NativeOutcome.Done;
        }

        if (result != -1)
        {
            return NativeOutcome.Failed;
        }

        return _convention switch
        {
            ResultConvention.ErrnoDecides => errno switch
            {
                Errno.EAGAIN => NativeOutcome.Busy,
                0 => NativeOutcome.Missing,
                _ => NativeOutcome.Failed,
            },
            ResultConvention.EpochDecides => _store.Api.splinter_get_epoch((sbyte*)_key) == 0 ? NativeOutcome.Missing : NativeOutcome.Busy,
            ResultConvention.MinusOneIsMissing => NativeOutcome.Missing,
            _ => NativeOutcome.Failed,
        };
    }
}
