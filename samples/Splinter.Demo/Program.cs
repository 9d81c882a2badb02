using System;
using System.Globalization;
using System.Threading.Tasks;
using Splinter.Interop;

namespace Splinter.Demo;

/// <summary>
/// Splinter.Interop demo. Without arguments it is the writer: it creates a store, arms the event bus,
/// starts itself again as a watcher child process, writes a burst of keys and prints the watcher's
/// report. <c>watch STORE COUNT</c> is the child: it subscribes and prints every change it sees with
/// its latency (the writer puts its timestamp in each value).
/// </summary>
internal static class Program
{
    /// <summary>How many keys the writer sets in its burst.</summary>
    internal const int DefaultKeyCount = 50;

    /// <summary>Prefix of the keys of the burst.</summary>
    internal const string KeyPrefix = "demo.key.";

    /// <summary>Written once before the burst, so neither process measures its first-call costs.</summary>
    internal const string WarmUpKey = "demo.warmup";

    /// <summary>Pause between two writes of the burst, so each change is seen on its own.</summary>
    internal static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(1);

    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                [] => await Writer.RunAsync(DefaultKeyCount).ConfigureAwait(false),
                ["watch", string store, string count] => await Watcher.RunAsync(store, int.Parse(count, CultureInfo.InvariantCulture)).ConfigureAwait(false),
                _ => Usage(),
            };
        }
        catch (Exception exception) when (exception is SplinterException or InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"demo: {exception.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Splinter.Demo            (writer: creates a store and starts the watcher)\n       Splinter.Demo watch STORE COUNT");
        return 2;
    }
}
