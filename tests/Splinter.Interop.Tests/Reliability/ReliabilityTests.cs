using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Reliability;

/// <summary>
/// Reliability under faults, load and bad input: model-based fuzzing, cross-process
/// stress, a writer killed inside a slot, event-bus owner death, persistence across SIGKILL,
/// and, last, the descriptor and mapping counts of the whole fixture. One fixture split over
/// several files; every test has an Order so the leak check runs after all the others.
/// </summary>
[TestFixture]
[Category("Reliability")]
[NonParallelizable] // Not in parallel: the leak check compares the whole process's descriptors and mappings with a baseline, and stress timing.
public sealed partial class ReliabilityTests
{
    private readonly List<ChildProcess> _children = new();
    private StoreTestNames _shm = null!;
    private StoreTestNames _persistent = null!;
    private ResourceCounts _baseline;

    /// <summary>Warm-up (one store, one child process), then the baseline counts the last test compares with.</summary>
    [OneTimeSetUp]
    public void MeasureBaseline()
    {
        // The first store, the first child process and the first exception of each kind load
        // code and map files once per process (native libraries, the shim, process-start
        // helpers); the warm-up pays for those so the baseline is the steady state.
        using (var warmUp = new StoreTestNames(SplinterVariant.SharedMemory))
        {
            SplinterStore store = warmUp.Create(8, 64, "warmup");
            store.Set("k", "v"u8);
            Assert.Throws<KeyNotFoundException>(() => store.Append("missing", "x"u8));
            Assert.Throws<ArgumentException>(() => store.Set("k", ReadOnlySpan<byte>.Empty));
        }

        Assert.Throws<SplinterStoreNotFoundException>(() => SplinterStore.Open("splinter-rel-absent-" + Environment.ProcessId));

        using (var warmUp = new StoreTestNames(SplinterVariant.Persistent))
        {
            warmUp.Create(8, 64, "warmup").Set("k", "v"u8);
        }

        using (ChildProcess child = ChildProcess.Start("rel-echo"))
        {
            child.WaitReady();
            child.Finish(TimeSpan.FromSeconds(30));
        }

        _baseline = ResourceCounts.Measure();
        TestContext.Progress.WriteLine($"reliability baseline: {_baseline}");
    }

    [OneTimeTearDown]
    public void ReportCounts() => TestContext.Progress.WriteLine($"reliability end: {ResourceCounts.Measure()} (baseline {_baseline})");

    [SetUp]
    public void CreateNames()
    {
        _shm = new StoreTestNames(SplinterVariant.SharedMemory);
        _persistent = new StoreTestNames(SplinterVariant.Persistent);
    }

    /// <summary>Children are killed and stores removed also when the test failed.</summary>
    [TearDown]
    public void CleanUp()
    {
        foreach (ChildProcess child in _children)
        {
            child.Dispose();
        }

        _children.Clear();
        _shm.Dispose();
        _persistent.Dispose();
    }

    /// <summary>Runs last (highest Order): descriptors and store mappings are back at the baseline.</summary>
    [Test]
    [Order(1000)]
    public void Leaks_DescriptorsAndMappingsAreBackWhereTheyStarted()
    {
        ResourceCounts now = ResourceCounts.Measure();
        TestContext.Progress.WriteLine($"reliability leak check: now {now}, baseline {_baseline}");
        Assert.Multiple(() =>
        {
            Assert.That(now.Descriptors, Is.EqualTo(_baseline.Descriptors), "open descriptors (/proc/self/fd); extra: " + ResourceCounts.Extra(now.DescriptorTargets, _baseline.DescriptorTargets));
            Assert.That(now.StoreDescriptors, Is.EqualTo(_baseline.StoreDescriptors), "descriptors open on store objects");
            Assert.That(now.StoreMappings, Is.EqualTo(_baseline.StoreMappings), "mapped store regions (/proc/self/maps lines of /dev/shm/splinter-* and *.spl)");
            Assert.That(now.FileMappings, Is.EqualTo(_baseline.FileMappings), "file-backed mapped regions; extra: " + ResourceCounts.Extra(now.MappedFiles, _baseline.MappedFiles));
        });
    }

    /// <summary>The leak check can fail: a store left open shows up as store mappings, and disposing it removes them.</summary>
    [Test]
    [Order(999)]
    public void Leaks_TheCountsSeeAStoreLeftOpen()
    {
        ResourceCounts before = ResourceCounts.Measure();
        SplinterStore store = _shm.Create(4, 32, "leakprobe");
        ResourceCounts open = ResourceCounts.Measure();
        store.Dispose();
        ResourceCounts after = ResourceCounts.Measure();
        TestContext.Progress.WriteLine($"leak probe: before {before}; store open {open}; disposed {after}");
        Assert.Multiple(() =>
        {
            Assert.That(open.StoreMappings, Is.GreaterThan(before.StoreMappings), "an open store is mapped");
            Assert.That(after.StoreMappings, Is.EqualTo(before.StoreMappings), "Dispose unmaps it (ours and the library's)");
            Assert.That(after.Descriptors, Is.EqualTo(before.Descriptors));
        });
    }

    private SplinterStoreOptions OptionsFor(SplinterVariant variant) => Names(variant).Options;

    private StoreTestNames Names(SplinterVariant variant) => variant == SplinterVariant.SharedMemory ? _shm : _persistent;

    private ChildProcess StartChild(params string[] arguments)
    {
        ChildProcess child = ChildProcess.Start(arguments);
        _children.Add(child);
        return child;
    }

    /// <summary>Descriptor and mapping counts of this process, with what the descriptors and mappings are (for the failure message).</summary>
    internal readonly record struct ResourceCounts(int Descriptors, int StoreDescriptors, int MapRegions, int StoreMappings, int FileMappings, string[] DescriptorTargets, string[] MappedFiles)
    {
        public static ResourceCounts Measure()
        {
            // Settled: the waiter threads of subscriptions that earlier fixtures disposed close their descriptors as
            // they exit, and the one that closes during a check would count as a change (two readings 50 ms apart must
            // agree, for at most two seconds).
            ResourceCounts previous = MeasureOnce();
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(2))
            {
                System.Threading.Thread.Sleep(50);
                ResourceCounts now = MeasureOnce();
                if (now.Descriptors == previous.Descriptors && now.MapRegions == previous.MapRegions)
                {
                    return now;
                }

                previous = now;
            }

            return previous;
        }

        private static ResourceCounts MeasureOnce()
        {
            // Finalizers first: child-process pipes and dropped handles close on the GC's schedule.
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            string[] fds = Directory.GetFiles("/proc/self/fd");
            string[] targets = fds.Select(fd => SafeLinkTarget(fd) ?? "?").Where(target => !IsRuntimeImage(target)).Order(StringComparer.Ordinal).ToArray();
            string[] maps = File.ReadAllLines("/proc/self/maps");

            // Field 6 of a maps line is the backing path (empty for anonymous memory).
            string[] files = maps
                .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
                .Select(fields => fields[5])
                .Where(file => !IsRuntimeImage(file))
                .Order(StringComparer.Ordinal)
                .ToArray();
            return new ResourceCounts(
                targets.Length,
                targets.Count(IsStoreFile),
                maps.Length,
                files.Count(IsStoreFile),
                files.Length,
                targets,
                files);
        }

        /// <summary>Entries of <paramref name="now"/> beyond those of <paramref name="then"/> (multiset difference).</summary>
        public static string Extra(string[] now, string[] then)
        {
            var remaining = then.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var extra = new List<string>();
            foreach (string item in now)
            {
                if (remaining.TryGetValue(item, out int count) && count > 0)
                {
                    remaining[item] = count - 1;
                }
                else
                {
                    extra.Add(item);
                }
            }

            return extra.Count == 0 ? "none" : string.Join(", ", extra);
        }

        public override string ToString() =>
            $"{Descriptors} descriptors ({StoreDescriptors} on stores), {MapRegions} mapped regions ({FileMappings} file-backed, {StoreMappings} of stores; runtime code images not counted)";

        /// <summary>
        /// Code the runtime loads once per process and keeps for its lifetime: assemblies, symbol
        /// files and native libraries it loads lazily (an fd and mappings each), the JIT's
        /// executable double mappings (memfd:doublemapper) that grow as methods compile, and
        /// libsplinter's private copies (memfd:splinter:..., one per store open at the peak). None of
        /// these can be a store or a descriptor Splinter.Interop opens; everything else counts.
        /// </summary>
        private static bool IsRuntimeImage(string path) => IsRuntimeImageFile(path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^" (deleted)".Length] : path);

        private static bool IsRuntimeImageFile(string path) =>
            path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal) || EventStores.IsLibraryCopy(path) ||
            path.EndsWith(".dll", StringComparison.Ordinal) || path.EndsWith(".pdb", StringComparison.Ordinal) ||
            path.EndsWith(".so", StringComparison.Ordinal) || path.Contains(".so.", StringComparison.Ordinal);

        private static bool IsStoreFile(string? text) =>
            text is not null && (text.Contains("/dev/shm/splinter-", StringComparison.Ordinal) || text.EndsWith(".spl", StringComparison.Ordinal) || text.Contains(".spl ", StringComparison.Ordinal));

        private static string? SafeLinkTarget(string path)
        {
            try
            {
                return new FileInfo(path).LinkTarget;
            }
            catch (IOException)
            {
                return null; // closed between listing and reading
            }
        }
    }
}
