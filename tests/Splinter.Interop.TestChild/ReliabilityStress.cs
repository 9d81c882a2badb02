using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace Splinter.Interop.TestChild;

/// <summary>
/// The cross-process stress protocol shared by the reliability tests (through TestChild's
/// rel-stress mode) and the long-run console tests/Splinter.Interop.Stress (which compiles this
/// file too). The driver creates the store with <see cref="Prepare"/>, starts worker processes,
/// sets <see cref="GoKey"/> once all said "ready", and checks their "stat" lines and the counter.
/// </summary>
/// <remarks>
/// Self-checking values: bytes 0-3 the total length, 4-7 the writer id, 8-15 a sequence number,
/// then pseudo-random payload, and the last 8 bytes the FNV-1a 64 of everything before them. A
/// value returned to a caller that fails this check is a torn read.
/// </remarks>
internal static class StressProtocol
{
    /// <summary>Number of self-checking keys.</summary>
    public const int KeyCount = 16;

    /// <summary>Slots of the stress store (room for duplicates created while slots are busy).</summary>
    public const uint Slots = 64;

    /// <summary>Largest value.</summary>
    public const uint MaxValue = 256;

    /// <summary>The BIGUINT counter every worker increments.</summary>
    public const string CounterKey = "stress.counter";

    /// <summary>Set by the driver when all workers are ready.</summary>
    public const string GoKey = "stress.go";

    private const int MinValue = 24;

    /// <summary>Key i of the self-checking set.</summary>
    public static string Key(int i) => "stress." + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Fills the store: every key with a valid value, the counter at 0 typed BIGUINT.</summary>
    public static void Prepare(SplinterStore store)
    {
        byte[] value = new byte[MaxValue];
        var random = new Random(1);
        for (int i = 0; i < KeyCount; i++)
        {
            int length = Fill(value, random, writer: 0, sequence: (ulong)i);
            store.Set(Key(i), value.AsSpan(0, length));
        }

        store.Set(CounterKey, new byte[8]);
        store.Slots.SetType(CounterKey, SplinterSlotTypes.BigUInt);
    }

    /// <summary>Writes a self-checking value of random length into <paramref name="buffer"/>; returns its length.</summary>
    public static int Fill(Span<byte> buffer, Random random, int writer, ulong sequence)
    {
        int length = random.Next(MinValue, (int)MaxValue + 1);
        BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], writer);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[8..], sequence);
        ulong state = (sequence * 0x9E3779B97F4A7C15UL) ^ (ulong)writer;
        for (int i = 16; i < length - 8; i++)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            buffer[i] = (byte)(state >> 56);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(buffer[(length - 8)..], Checksum(buffer[..(length - 8)]));
        return length;
    }

    /// <summary>True when <paramref name="value"/> is a complete self-checking value.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> value)
    {
        if (value.Length < MinValue || BinaryPrimitives.ReadInt32LittleEndian(value) != value.Length)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(value[(value.Length - 8)..]) == Checksum(value[..(value.Length - 8)]);
    }

    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }

        return hash;
    }

    /// <summary>
    /// One worker process: opens the store, says ready, waits for <see cref="GoKey"/>, runs
    /// <paramref name="threads"/> threads of <paramref name="opsPerThread"/> mixed operations and
    /// prints its totals as "stat NAME VALUE" lines.
    /// </summary>
    public static int RunWorker(string storeName, int worker, long opsPerThread, int threads)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        Console.WriteLine("ready");
        Console.Out.Flush();
        Stopwatch waiting = Stopwatch.StartNew();
        while (!store.Contains(GoKey))
        {
            if (waiting.Elapsed > TimeSpan.FromSeconds(60))
            {
                Console.Error.WriteLine("rel-stress: no go signal within 60 s");
                return 3;
            }

            Thread.Sleep(1);
        }

        var totals = new Totals();
        var workers = new Thread[threads];
        Stopwatch clock = Stopwatch.StartNew();
        for (int t = 0; t < threads; t++)
        {
            int id = (worker * 100) + t + 1;
            workers[t] = new Thread(() => RunThread(store, id, opsPerThread, totals)) { IsBackground = true };
            workers[t].Start();
        }

        foreach (Thread thread in workers)
        {
            thread.Join();
        }

        totals.Print(clock.Elapsed);
        return totals.Failures == 0 ? 0 : 4;
    }

    private static void RunThread(SplinterStore store, int writer, long operations, Totals totals)
    {
        var random = new Random(writer);
        var local = new Totals();
        byte[] buffer = new byte[MaxValue];
        byte[] value = new byte[MaxValue];
        ulong sequence = 0;
        for (long i = 0; i < operations; i++)
        {
            string key = Key(random.Next(KeyCount));
            int roll = random.Next(100);
            try
            {
                if (roll < 40)
                {
                    local.Gets++;
                    if (!store.TryGet(key, buffer, out int length))
                    {
                        local.Missing++;
                    }
                    else if (!IsIntact(buffer.AsSpan(0, length)))
                    {
                        local.Torn++;
                        local.Report($"torn get of {key}: {length} bytes {Convert.ToHexString(buffer, 0, Math.Min(length, 32))}..");
                    }
                }
                else if (roll < 50)
                {
                    local.ZeroCopyReads++;
                    if (!store.TryRead(key, 0, static (span, _) => IsIntact(span), out bool intact))
                    {
                        local.Missing++;
                    }
                    else if (!intact)
                    {
                        local.Torn++;
                        local.Report($"torn zero-copy read of {key}");
                    }
                }
                else if (roll < 85)
                {
                    local.Sets++;
                    int length = Fill(value, random, writer, ++sequence);
                    store.Set(key, value.AsSpan(0, length));
                }
                else
                {
                    store.Integers.Increment(CounterKey);
                    local.Increments++;
                }
            }
            catch (SplinterContentionException)
            {
                // The operation did not happen (the slot stayed busy past the budget): not torn, counted.
                local.Contention++;
            }
            catch (Exception exception)
            {
                local.Failures++;
                local.Report($"{exception.GetType().Name}: {exception.Message}");
            }
        }

        totals.Add(local);
    }

    private sealed class Totals
    {
        public long Gets;
        public long ZeroCopyReads;
        public long Sets;
        public long Increments;
        public long Torn;
        public long Missing;
        public long Contention;
        public long Failures;
        private int _reports;

        public void Report(string message)
        {
            if (Interlocked.Increment(ref _reports) <= 5)
            {
                Console.Error.WriteLine(message);
            }
        }

        public void Add(Totals other)
        {
            lock (this)
            {
                Gets += other.Gets;
                ZeroCopyReads += other.ZeroCopyReads;
                Sets += other.Sets;
                Increments += other.Increments;
                Torn += other.Torn;
                Missing += other.Missing;
                Contention += other.Contention;
                Failures += other.Failures;
            }
        }

        public void Print(TimeSpan elapsed)
        {
            Console.WriteLine($"stat ops {Gets + ZeroCopyReads + Sets + Increments + Contention + Failures}");
            Console.WriteLine($"stat gets {Gets}");
            Console.WriteLine($"stat zerocopy {ZeroCopyReads}");
            Console.WriteLine($"stat sets {Sets}");
            Console.WriteLine($"stat increments {Increments}");
            Console.WriteLine($"stat torn {Torn}");
            Console.WriteLine($"stat missing {Missing}");
            Console.WriteLine($"stat contention {Contention}");
            Console.WriteLine($"stat failures {Failures}");
            Console.WriteLine($"stat ms {(long)elapsed.TotalMilliseconds}");
            Console.Out.Flush();
        }
    }
}
