using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Splinter.Interop.Benchmarks;

/// <summary>What one store costs to open in a fresh process: time and resident memory (see <see cref="OpenCost"/>).</summary>
internal sealed record OpenCostResult(
    double FirstMs, double SecondMs, double LaterMedianMs, double ReopenMedianUs, double PooledMedianUs,
    double RssFirstKb, double RssSecondKb, double RssPerLaterKb, double ShmemPerLaterKb, double AnonPerLaterKb, int Stores);

/// <summary>
/// The cost of an extra store. The parent creates 16 stores of the benchmark's geometry (shm, 1024 x 256 B) and
/// closes them; a fresh child process ("open-cost" mode) then opens them one by one, reading its clock and VmRSS
/// (with RssAnon and RssShmem, /proc/self/status) around each open: the first (library check, first library copy,
/// JIT of the open path), the second, the 14 later ones (each loads a new library copy); then an Open + Dispose of
/// a store it holds open (a second handle), and after closing everything an Open + Dispose of a store whose library
/// copy is back in the pool. Nothing touches the stores' values, so memory is what opening costs.
/// </summary>
internal static class OpenCost
{
    private const int Stores = 16;

    /// <summary>Parent side: makes the stores, runs the child, removes the stores.</summary>
    public static OpenCostResult? Run()
    {
        var names = new List<string>();
        try
        {
            for (int i = 0; i < Stores; i++)
            {
                string name = Workload.UniqueStoreName("opencost");
                SplinterStore.Delete(name);
                SplinterStore.Create(name, Workload.Slots, Workload.MaxValue).Dispose();
                names.Add(name);
            }

            string app = typeof(OpenCost).Assembly.Location;
            ProcessStartInfo start = new("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(app);
            start.ArgumentList.Add("open-cost");
            names.ForEach(start.ArgumentList.Add);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start the open-cost child");
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"open-cost: child failed with exit code {process.ExitCode}");
                return null;
            }

            Console.Error.Write(output);
            string json = output.Split('\n').Last(line => line.TrimStart().StartsWith('{'));
            return JsonSerializer.Deserialize<OpenCostResult>(json);
        }
        finally
        {
            names.ForEach(name => SplinterStore.Delete(name));
        }
    }

    /// <summary>Child side ("open-cost NAME..."): prints one JSON object.</summary>
    public static int Measure(string[] names)
    {
        var open = new List<SplinterStore>();
        var stopwatch = new Stopwatch();
        (double rss, _, _) = Rss();

        double Timed(Action action)
        {
            stopwatch.Restart();
            action();
            return stopwatch.Elapsed.TotalMilliseconds;
        }

        double first = Timed(() => open.Add(SplinterStore.Open(names[0])));
        (double rss1, _, _) = Rss();
        double second = Timed(() => open.Add(SplinterStore.Open(names[1])));
        (double rss2, double anon2, double shmem2) = Rss();
        var later = new List<double>();
        foreach (string name in names.Skip(2))
        {
            later.Add(Timed(() => open.Add(SplinterStore.Open(name))));
        }

        (double rssAll, double anonAll, double shmemAll) = Rss();
        var reopen = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            reopen.Add(Timed(() => SplinterStore.Open(names[0]).Dispose()) * 1000);
        }

        open.ForEach(store => store.Dispose());
        var pooled = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            pooled.Add(Timed(() => SplinterStore.Open(names[1]).Dispose()) * 1000);
        }

        int laterCount = names.Length - 2;
        var result = new OpenCostResult(
            first, second, Median(later), Median(reopen), Median(pooled),
            rss1 - rss, rss2 - rss1, (rssAll - rss2) / laterCount, (shmemAll - shmem2) / laterCount, (anonAll - anon2) / laterCount, names.Length);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>VmRSS, RssAnon and RssShmem of this process in kB.</summary>
    private static (double Rss, double Anon, double Shmem) Rss()
    {
        double rss = 0, anon = 0, shmem = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            string[] parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                continue;
            }

            switch (parts[0])
            {
                case "VmRSS:": rss = value; break;
                case "RssAnon:": anon = value; break;
                case "RssShmem:": shmem = value; break;
            }
        }

        return (rss, anon, shmem);
    }
}
