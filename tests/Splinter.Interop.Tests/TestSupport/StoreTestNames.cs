using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Unique store names for tests (pid + counter) and their cleanup. A fixture creates one
/// <see cref="StoreTestNames"/> per test, asks it for names, and disposes it in TearDown: every
/// store still open is disposed and every name handed out is deleted, also when the test failed.
/// </summary>
public sealed class StoreTestNames : IDisposable
{
    private static int s_counter;
    private readonly List<string> _names = new();
    private readonly List<SplinterStore> _stores = new();

    /// <summary>Creates a name source for one variant.</summary>
    public StoreTestNames(SplinterVariant variant) => Variant = variant;

    /// <summary>The variant the names are for.</summary>
    public SplinterVariant Variant { get; }

    /// <summary>Options selecting <see cref="Variant"/>.</summary>
    public SplinterStoreOptions Options => new() { Variant = Variant };

    /// <summary>A fresh unique name (shm object name or a file path under the temp folder), deleted at cleanup.</summary>
    public string NewName(string purpose = "t")
    {
        int number = Interlocked.Increment(ref s_counter);
        string baseName = $"splinter-store-{purpose}-{Environment.ProcessId}-{number}";
        string name = Variant == SplinterVariant.SharedMemory ? baseName : Path.Combine(Path.GetTempPath(), baseName + ".spl");
        _names.Add(name);
        return name;
    }

    /// <summary>The file behind a name.</summary>
    public string PathOf(string name) => Variant == SplinterVariant.SharedMemory ? "/dev/shm/" + name.TrimStart('/') : name;

    /// <summary>Creates a store under a new name; it is disposed and deleted at cleanup.</summary>
    public SplinterStore Create(uint slots = 16, uint maxValueSize = 128, string purpose = "t") =>
        Track(SplinterStore.Create(NewName(purpose), slots, maxValueSize, Options));

    /// <summary>Registers a store to dispose at cleanup.</summary>
    public SplinterStore Track(SplinterStore store)
    {
        _stores.Add(store);
        return store;
    }

    /// <summary>Disposes every tracked store and deletes every name handed out.</summary>
    public void Dispose()
    {
        foreach (SplinterStore store in _stores)
        {
            store.Dispose();
        }

        foreach (string name in _names)
        {
            try
            {
                if (Variant == SplinterVariant.SharedMemory)
                {
                    SplinterStore.Delete(name, Variant);
                }
                else if (Directory.Exists(name))
                {
                    Directory.Delete(name, recursive: true);
                }
                else
                {
                    File.Delete(name);
                }
            }
            catch (Exception exception)
            {
                TestContext.Out.WriteLine($"cleanup of {name} failed: {exception.Message}");
            }
        }
    }

    /// <summary>Writes raw bytes as the object behind <paramref name="name"/> (a foreign or damaged store).</summary>
    public void WriteRaw(string name, ReadOnlySpan<byte> content)
    {
        using FileStream stream = File.Create(PathOf(name));
        stream.Write(content);
    }

    /// <summary>Asserts nothing is left of <paramref name="name"/>.</summary>
    public void AssertGone(string name) => Assert.That(File.Exists(PathOf(name)), Is.False, $"{name} still exists");

    /// <summary>
    /// Paces a writer that rewrites one key in a loop while another thread reads it: a pause of a few microseconds after
    /// every 64th write (<paramref name="writes"/> counts them). A writer that never pauses leaves a reader only the gaps
    /// between its writes; a reader whose code is not optimized yet (tiered compilation) needs more than such a gap and
    /// retries, sleeping between tries, for as long as that lasts (20,000 reads took 100 s once sets passed their hash).
    /// The pauses give every read its window; the bursts keep writes landing inside reads.
    /// </summary>
    public static void PaceWriter(int writes)
    {
        if ((writes & 63) == 0)
        {
            Thread.SpinWait(1000);
        }
    }

    /// <summary>Runs <paramref name="action"/> on <paramref name="threads"/> threads started together; returns the exceptions they threw.</summary>
    public static List<Exception> RunConcurrently(int threads, Action<int> action)
    {
        var failures = new List<Exception>();
        using var start = new ManualResetEventSlim();
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            workers[i] = new Thread(() =>
            {
                start.Wait();
                try
                {
                    action(index);
                }
                catch (Exception exception)
                {
                    lock (failures)
                    {
                        failures.Add(exception);
                    }
                }
            });
            workers[i].Start();
        }

        start.Set();
        foreach (Thread worker in workers)
        {
            // Joined in every build (a Debug.Assert around the Join is compiled out of Release builds, and with it the
            // wait: callers then checked their outcome while the workers were still running).
            if (!worker.Join(TimeSpan.FromMinutes(2)))
            {
                lock (failures)
                {
                    failures.Add(new TimeoutException($"worker {Array.IndexOf(workers, worker)} still running after 2 minutes"));
                }
            }
        }

        lock (failures)
        {
            return [.. failures];
        }
    }
}
