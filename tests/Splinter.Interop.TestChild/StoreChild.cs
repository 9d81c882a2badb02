using System;
using System.Globalization;

namespace Splinter.Interop.TestChild;

/// <summary>Store modes run in a child process, where the test controls the environment (mounts, library variables).</summary>
internal static class StoreChild
{
    /// <summary>
    /// store-create STORE VARIANT SLOTS MAX_VALUE_SIZE: creates the store and prints "created", or "refused TYPE ERRNO MESSAGE";
    /// then "exists True|False" for the object afterwards. Exit code 0 either way.
    /// </summary>
    internal static int Create(string storeName, SplinterVariant variant, uint slots, uint maxValueSize)
    {
        try
        {
            using SplinterStore store = SplinterStore.Create(storeName, slots, maxValueSize, new SplinterStoreOptions { Variant = variant });
            Console.WriteLine("created");
        }
        catch (SplinterException exception)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refused {exception.GetType().Name} {exception.Errno} {exception.Message.ReplaceLineEndings(" ")}"));
        }

        Console.WriteLine($"exists {SplinterStore.Exists(storeName, variant)}");
        Console.Out.Flush();
        return 0;
    }
}
