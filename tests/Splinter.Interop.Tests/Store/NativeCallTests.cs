using System;
using System.Collections.Generic;
using System.Diagnostics;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Store;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// The one judge of native results (Store/NativeCall.cs): each return convention's table of result and errno, the wait
/// within the contention budget and where a failure is thrown. The members that use it are tested where they live
/// (busy slots: ReliabilityTests' crash test; missing keys: the store tests).
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[Category("Store")]
public sealed unsafe class NativeCallTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(30);

    private SplinterStore _store = null!;
    private SplinterKey _present;
    private SplinterKey _absent;

    [SetUp]
    public void OpenStore()
    {
        _store = Names.Track(SplinterStore.Create(Names.NewName("judge"), 8, 16, Options with { ContentionTimeout = Budget }));
        _store.Set("present", "v");
        _present = new SplinterKey("present");
        _absent = new SplinterKey("absent");
    }

    [TearDown]
    public void CloseStore() => _store.Dispose();

    [TestCase((int)ResultConvention.ErrnoDecides, 0, 0, (int)NativeOutcome.Done)]
    [TestCase((int)ResultConvention.ErrnoDecides, 7, 0, (int)NativeOutcome.Done)]
    [TestCase((int)ResultConvention.ErrnoDecides, -1, 0, (int)NativeOutcome.Missing)]
    [TestCase((int)ResultConvention.EpochDecides, 0, 0, (int)NativeOutcome.Done)]
    [TestCase((int)ResultConvention.MinusOneIsMissing, 0, 0, (int)NativeOutcome.Done)]
    [TestCase((int)ResultConvention.MinusOneIsMissing, -1, 0, (int)NativeOutcome.Missing)]
    [TestCase((int)ResultConvention.MinusOneIsMissing, -1, Errno.EINVAL, (int)NativeOutcome.Missing)]
    [TestCase((int)ResultConvention.NegativeFails, 1, 0, (int)NativeOutcome.Done)]
    public void AResultThatIsNotBusyOrFailed_IsClassifiedOnce(int convention, int result, int errno, int expected)
    {
        var call = new NativeCall(_store, "Test", _present.Pointer, (ResultConvention)convention);
        Assert.That(call.Again(result, errno), Is.False, "no second call");
        Assert.That(call.Outcome, Is.EqualTo((NativeOutcome)expected));
        GC.KeepAlive(_present.Owner);
    }

    [TestCase((int)ResultConvention.ErrnoDecides, -1, Errno.EPROTOTYPE, typeof(SplinterException), Errno.EPROTOTYPE)]
    [TestCase((int)ResultConvention.ErrnoDecides, -2, Errno.EINVAL, typeof(SplinterException), Errno.EINVAL)]
    [TestCase((int)ResultConvention.ErrnoDecides, -1, Errno.EMSGSIZE, typeof(ArgumentException), 0)]
    [TestCase((int)ResultConvention.ErrnoDecides, -1, Errno.ETIMEDOUT, typeof(TimeoutException), 0)]
    [TestCase((int)ResultConvention.MinusOneIsMissing, -2, Errno.EINVAL, typeof(SplinterException), Errno.EINVAL)]
    [TestCase((int)ResultConvention.NegativeFails, -1, Errno.ENOSPC, typeof(SplinterException), Errno.ENOSPC)]
    [TestCase((int)ResultConvention.NegativeFails, -1, 0, typeof(SplinterException), 0)]
    [TestCase((int)ResultConvention.EpochDecides, -3, Errno.EINVAL, typeof(SplinterException), Errno.EINVAL)]
    public void AFailure_IsThrownThroughStoreErrors_WithItsErrno(int convention, int result, int errno, Type expected, int expectedErrno)
    {
        Exception? thrown = null;
        try
        {
            new NativeCall(_store, "Test", _present.Pointer, (ResultConvention)convention).Again(result, errno);
        }
        catch (Exception exception)
        {
            thrown = exception;
        }

        GC.KeepAlive(_present.Owner);
        Assert.That(thrown, Is.TypeOf(expected));
        Assert.That(thrown!.Message, Does.StartWith("Test 'present'"), "the operation and the key are named");
        if (thrown is SplinterException splinter)
        {
            Assert.That(splinter.Errno, Is.EqualTo(expectedErrno));
        }
    }

    [Test]
    public void MinusTwoWithoutErrno_SaysTheLibraryHasNoStore()
    {
        var error = Assert.Throws<SplinterException>(() => new NativeCall(_store, "Test", null, ResultConvention.MinusOneIsMissing).Again(-2));
        Assert.That(error!.Message, Does.Contain("no open store"));
    }

    [Test]
    public void EpochDecides_ForMinusOne_MissingWhenTheKeyIsAbsent_BusyWhenPresent()
    {
        var missing = new NativeCall(_store, "Test", _absent.Pointer, ResultConvention.EpochDecides);
        Assert.That(missing.Again(-1), Is.False);
        Assert.That(missing.Outcome, Is.EqualTo(NativeOutcome.Missing));
        Exception? thrown = null;
        try
        {
            missing.ThrowIfMissing();
        }
        catch (KeyNotFoundException exception)
        {
            thrown = exception;
        }

        Assert.That(thrown, Is.Not.Null, "missing throws KeyNotFoundException when asked");

        var busy = new NativeCall(_store, "Test", _present.Pointer, ResultConvention.EpochDecides);
        Assert.That(busy.Again(-1), Is.True, "present: busy, call again");
        Assert.That(busy.Outcome, Is.EqualTo(NativeOutcome.Busy));
        busy.ThrowIfMissing(); // busy is not missing
        GC.KeepAlive(_absent.Owner);
        GC.KeepAlive(_present.Owner);
    }

    [Test]
    public void Busy_IsCalledAgainWithinTheBudget_ThenTheContentionExceptionNamesTheKey()
    {
        var call = new NativeCall(_store, "Test", _present.Pointer, ResultConvention.ErrnoDecides);
        int again = 0;
        Stopwatch clock = Stopwatch.StartNew();
        SplinterContentionException? error = null;
        try
        {
            while (call.Again(-1, Errno.EAGAIN))
            {
                again++;
            }
        }
        catch (SplinterContentionException exception)
        {
            error = exception;
        }

        GC.KeepAlive(_present.Owner);
        Assert.That(error, Is.Not.Null, "the budget ends the retries");
        Assert.That(error!.Key, Is.EqualTo("present"));
        Assert.That(error.EpochSeen, Is.EqualTo(_store.GetEpoch("present")));
        Assert.That(again, Is.GreaterThan(0), "busy was retried before giving up");
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(Budget), "it gave up only once the budget was spent");
    }

    [Test]
    public void CheckAndEnsure_AreTheOneShotForms()
    {
        Assert.That(NativeCall.Check(_store, "Test", _present.Pointer, ResultConvention.MinusOneIsMissing, -1), Is.EqualTo(NativeOutcome.Missing));
        Assert.That(NativeCall.Check(_store, "Test", _present.Pointer, ResultConvention.MinusOneIsMissing, 0), Is.EqualTo(NativeOutcome.Done));
        Assert.DoesNotThrow(() => NativeCall.Ensure(_store, "Test", _present.Pointer, ResultConvention.MinusOneIsMissing, 0));
        var error = Assert.Throws<KeyNotFoundException>(() => NativeCall.Ensure(_store, "Test", _present.Pointer, ResultConvention.MinusOneIsMissing, -1));
        Assert.That(error!.Message, Does.Contain("Test").And.Contain("present"));
        GC.KeepAlive(_present.Owner);
    }
}
