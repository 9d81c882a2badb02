using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop.Benchmarks.Contention;

/// <summary>
/// The C# side of the contention benchmark, the twin of bench/contention/mrsw_stress.c (same keys, same values, same
/// phases, same JSON line): mode <c>contention threads STORE READERS MS</c> (a writer thread and READERS reader threads
/// in this process), <c>contention writer STORE MS</c> or <c>contention reader STORE MS</c> (one role per process, the
/// run starting when key "mrsw:go" exists). The writer uses <see cref="SplinterStore.Set(SplinterKey, ReadOnlySpan{byte})"/>,
/// readers <see cref="SplinterStore.TryGet(SplinterKey, Span{byte}, out int)"/> (the mapping read) and check each value.
/// Retries: the reads' discarded passes as the library counts them per thread (<see cref="ReadDiagnostics"/>: an
/// inline pass that did not answer, plus each further pass of the retry loop); every key exists and every value fits,
/// so nothing else sends a read off its inline pass.
/// </summary>
internal static class MrswStress
{
    public const int KeyCount = 8;
    public const int Words = 8;
    public const ulong Magic = 0x5A17C0DE5A17C0DE;
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
    public const string GoKey = "mrsw:go";

    // 0 before the start, 1 warming up (not counted), 2 counting, 3 stop; as in the C program.
    private static int s_phase;

    public static string KeyText(int index) => $"mrsw:{index:D2}";

    /// <summary>The 64-byte value of sequence number <paramref name="seq"/>: words whose XOR is <see cref="Magic"/>.</summary>
    public static void MakeValue(ulong seq, Span<ulong> words)
    {
        ulong x = 0;
        for (int k = 0; k < Words - 1; k++)
        {
            words[k] = k == 0 ? seq : seq * Multiplier * (ulong)(k + 1);
            x ^= words[k];
        }

        words[Words - 1] = x ^ Magic;
    }

    private static bool Valid(ReadOnlySpan<ulong> words)
    {
        ulong x = 0;
        for (int k = 0; k < Words; k++)
        {
            x ^= words[k];
        }

        return x == Magic;
    }

    /// <summary>A thread's totals, written once at the stop (the loops count in locals: no shared cache line).</summary>
    private sealed class Counts
    {
        public long Reads, Retries, Failures, Writes;
    }

    /// <summary>The counters when a thread first saw the counting phase; the result is the difference at the stop.</summary>
    private struct Mark
    {
        private long _reads, _retries, _failures, _writes;
        private bool _seen;

        public bool Running(long reads, long retries, long failures, long writes)
        {
            int phase = Volatile.Read(ref s_phase);
            if (phase == 2 && !_seen)
            {
                _seen = true;
                _reads = reads;
                _retries = retries;
                _failures = failures;
                _writes = writes;
            }

            return phase != 3;
        }

        public readonly void Finish(Counts counts, long reads, long retries, long failures, long writes)
        {
            if (_seen)
            {
                counts.Reads = reads - _reads;
                counts.Retries = retries - _retries;
                counts.Failures = failures - _failures;
                counts.Writes = writes - _writes;
            }
        }
    }

    public static int Run(string role, string storeName, int readers, int milliseconds)
    {
        bool threads = role == "threads";
        if (!threads && role is not ("writer" or "reader"))
        {
            throw new ArgumentException($"unknown contention role '{role}'", nameof(role));
        }

        using SplinterStore store = SplinterStore.Open(storeName);
        SplinterKey[] keys = new SplinterKey[KeyCount];
        for (int k = 0; k < KeyCount; k++)
        {
            keys[k] = new SplinterKey(KeyText(k));
        }

        bool withWriter = role != "reader";
        int readerThreads = threads ? readers : role == "reader" ? 1 : 0;
        int count = readerThreads + (withWriter ? 1 : 0);
        Counts[] counts = new Counts[count];
        Thread[] workers = new Thread[count];
        for (int t = 0; t < count; t++)
        {
            Counts mine = counts[t] = new Counts();
            workers[t] = withWriter && t == 0
                ? new Thread(() => Writer(store, keys, mine))
                : new Thread(() => Reader(store, keys, mine));
            workers[t].Start();
        }

        if (!threads)
        {
            Console.WriteLine("ready");
            Console.Out.Flush();
            SplinterKey go = new(GoKey);
            while (store.GetEpoch(go) == 0)
            {
                Thread.Sleep(0);
            }
        }

        long warmup = Math.Max(100, milliseconds / 5);
        Volatile.Write(ref s_phase, 1);
        Thread.Sleep(TimeSpan.FromMilliseconds(warmup));
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref s_phase, 2);
        Thread.Sleep(TimeSpan.FromMilliseconds(milliseconds));
        Volatile.Write(ref s_phase, 3);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        long reads = 0, retries = 0, failures = 0, writes = 0;
        for (int t = 0; t < count; t++)
        {
            workers[t].Join();
            Counts c = counts[t];
            reads += c.Reads;
            retries += c.Retries;
            failures += c.Failures;
            writes += c.Writes;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"impl\":\"csharp\",\"role\":\"{role}\",\"readers\":{readerThreads},\"reads\":{reads},\"retries\":{retries},\"failures\":{failures},\"writes\":{writes},\"seconds\":{seconds:F4}}}"));
        return 0;
    }

    private static void Writer(SplinterStore store, SplinterKey[] keys, Counts counts)
    {
        Span<ulong> words = stackalloc ulong[Words];
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(words);
        Mark mark = default;
        long writes = 0;
        while (Volatile.Read(ref s_phase) == 0)
        {
        }

        for (ulong seq = 1; mark.Running(0, 0, 0, writes); seq++)
        {
            MakeValue(seq, words);
            store.Set(keys[(int)(seq & (KeyCount - 1))], bytes);
            writes++;
        }

        mark.Finish(counts, 0, 0, 0, writes);
    }

    private static void Reader(SplinterStore store, SplinterKey[] keys, Counts counts)
    {
        Span<ulong> words = stackalloc ulong[Words];
        Span<byte> bytes = MemoryMarshal.AsBytes(words);
        Mark mark = default;
        long reads = 0, failures = 0, contention = 0;
        long Retries() => ReadDiagnostics.SlowReads + ReadDiagnostics.Retries + contention; // thread-local counts
        while (Volatile.Read(ref s_phase) == 0)
        {
        }

        long startRetries = Retries();
        bool counting = false;
        for (long i = 0; mark.Running(reads, 0, failures, 0); i++)
        {
            if (!counting && Volatile.Read(ref s_phase) >= 2)
            {
                counting = true; // the mark took reads and failures; the retries are read here, not in every step
                startRetries = Retries();
            }

            int length;
            while (true)
            {
                try
                {
                    if (!store.TryGet(keys[(int)(i & (KeyCount - 1))], bytes, out length))
                    {
                        failures++; // every key exists: a miss is a failure
                    }

                    break;
                }
                catch (SplinterContentionException)
                {
                    contention++; // the budget ran out under the writer: read again, as the C reader does
                }
            }

            reads++;
            if (length != bytes.Length || !Valid(words))
            {
                failures++;
            }
        }

        mark.Finish(counts, reads, 0, failures, 0);
        counts.Retries = counting ? Retries() - startRetries : 0;
    }
}
