using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Reliability;

/// <content>
/// Cross-process stress: 2 worker processes x 2 threads of mixed readers and writers on
/// self-checking values (tests/Splinter.Interop.TestChild/ReliabilityStress.cs), 1M operations in
/// total here; tests/Splinter.Interop.Stress runs the same protocol for 10M.
/// </content>
public sealed partial class ReliabilityTests
{
    private const int StressWorkers = 2;
    private const int StressThreads = 2;
    private const long StressOperations = 1_000_000;

    [Test]
    [Order(20)]
    public void Stress_TwoProcessesTimesTwoThreads_NoTornValueAndExactCounter()
    {
        SplinterStore store = _shm.Create(64, 256, "stress");
        PrepareStressStore(store);
        long perThread = StressOperations / (StressWorkers * StressThreads);

        var workers = new List<ChildProcess>();
        for (int w = 0; w < StressWorkers; w++)
        {
            workers.Add(StartChild("rel-stress", store.Name, (w + 1).ToString(CultureInfo.InvariantCulture), perThread.ToString(CultureInfo.InvariantCulture), StressThreads.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (ChildProcess worker in workers)
        {
            worker.WaitReady();
        }

        Stopwatch clock = Stopwatch.StartNew();
        store.Set("stress.go", "1"u8);
        long ops = 0, increments = 0, torn = 0, missing = 0, contention = 0, failures = 0;
        foreach (ChildProcess worker in workers)
        {
            List<string> report = worker.Finish(TimeSpan.FromMinutes(5));
            ops += ChildProcess.Stat(report, "ops");
            increments += ChildProcess.Stat(report, "increments");
            torn += ChildProcess.Stat(report, "torn");
            missing += ChildProcess.Stat(report, "missing");
            contention += ChildProcess.Stat(report, "contention");
            failures += ChildProcess.Stat(report, "failures");
            TestContext.Progress.WriteLine($"stress worker {worker.Id}: {string.Join(", ", report)}");
        }

        Assert.That(store.Integers.TryGet("stress.counter", out ulong counter), Is.True);
        int intactAtEnd = CountIntactStressKeys(store);
        TestContext.Progress.WriteLine(
            $"stress: {ops:N0} operations in {clock.ElapsedMilliseconds} ms by {StressWorkers} processes x {StressThreads} threads; " +
            $"torn {torn}, missing {missing}, contention timeouts {contention}, failures {failures}; counter {counter:N0} = increments {increments:N0}; " +
            $"{store.GetKeys().Count} slots in use for 18 distinct keys (copies come from sets that met a busy slot)");
        Assert.Multiple(() =>
        {
            Assert.That(ops, Is.EqualTo(perThread * StressWorkers * StressThreads), "every operation ran");
            Assert.That(torn, Is.Zero, "torn values returned to a caller");
            Assert.That(missing, Is.Zero, "keys that vanished although nobody removes them");
            Assert.That(failures, Is.Zero, "unexpected exceptions (see the workers' stderr)");
            Assert.That(counter, Is.EqualTo((ulong)increments), "the BIGUINT counter lost or invented increments");
            Assert.That(intactAtEnd, Is.EqualTo(16), "every key holds an intact value at the end");
        });
    }

    /// <summary>The checker can fail: a value with one flipped byte, or cut short, is not intact.</summary>
    [Test]
    [Order(21)]
    public void Stress_TheSelfCheckRejectsDamagedValues()
    {
        SplinterStore store = _shm.Create(64, 256, "stresscheck");
        PrepareStressStore(store);
        byte[] value = store.Get("stress.3")!;
        Assert.That(IsIntactStressValue(value), Is.True);
        value[value.Length / 2] ^= 0x40;
        Assert.That(IsIntactStressValue(value), Is.False, "a flipped byte");
        value[value.Length / 2] ^= 0x40;
        Assert.That(IsIntactStressValue(value.AsSpan(0, value.Length - 1)), Is.False, "a shorter value");
        store.Set("stress.3", value.AsSpan(0, value.Length - 8));
        Assert.That(CountIntactStressKeys(store), Is.EqualTo(15));
    }

    /// <summary>Writes the stress store's initial content the way the protocol does (checked by the workers too).</summary>
    private static void PrepareStressStore(SplinterStore store)
    {
        // Same layout as StressProtocol.Fill: length, writer, sequence, payload, FNV-1a of the rest.
        var random = new Random(1);
        for (int i = 0; i < 16; i++)
        {
            int length = random.Next(24, 257);
            byte[] value = new byte[length];
            BitConverter.TryWriteBytes(value.AsSpan(0), length);
            BitConverter.TryWriteBytes(value.AsSpan(8), (ulong)i);
            random.NextBytes(value.AsSpan(16, length - 24));
            BitConverter.TryWriteBytes(value.AsSpan(length - 8), SlotEditor.Fnv1a(value.AsSpan(0, length - 8)));
            store.Set("stress." + i.ToString(CultureInfo.InvariantCulture), value);
        }

        store.Set("stress.counter", new byte[8]);
        store.Slots.SetType("stress.counter", SplinterSlotTypes.BigUInt);
    }

    private static bool IsIntactStressValue(ReadOnlySpan<byte> value) =>
        value.Length >= 24 && BitConverter.ToInt32(value) == value.Length &&
        BitConverter.ToUInt64(value[(value.Length - 8)..]) == SlotEditor.Fnv1a(value[..(value.Length - 8)]);

    private static int CountIntactStressKeys(SplinterStore store)
    {
        int intact = 0;
        for (int i = 0; i < 16; i++)
        {
            byte[]? value = store.Get("stress." + i.ToString(CultureInfo.InvariantCulture));
            if (value is not null && IsIntactStressValue(value))
            {
                intact++;
            }
        }

        return intact;
    }
}
