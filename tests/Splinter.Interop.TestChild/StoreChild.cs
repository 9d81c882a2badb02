using System;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Splinter.Interop.TestChild;

/// <summary>Store modes run in a child process, where the test controls the environment (mounts, library variables).</summary>
internal static unsafe partial class StoreChild
{
    /// <summary>
    /// library-api VARIANT: asks for the raw layer's function table of the variant (the process-global library) and
    /// prints "loaded SOURCE" or "refused TYPE MESSAGE".
    /// </summary>
    internal static int LibraryApi(SplinterVariant variant)
    {
        try
        {
            Native.SplinterApi api = Native.SplinterApi.Load(Native.SplinterLibrary.GetHandle(variant));
            Console.WriteLine($"loaded {Native.SplinterLibrary.GetLoadedSource(variant)} {(api.LibraryHandle != 0 ? "handle" : "no handle")}");
        }
        catch (Exception exception) when (exception is SplinterException or EntryPointNotFoundException or DllNotFoundException)
        {
            Console.WriteLine($"refused {exception.GetType().Name} {exception.Message.ReplaceLineEndings(" ")}");
        }

        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// store-bare-dlopen STORE: opens the store (its library copy is the process's first libsplinter), then loads
    /// "libsplinter.so" by its bare name and prints "store copy NAME" and "bare NAME", the objects dladdr names for
    /// splinter_open in the store's copy and in what the bare name gave ("bare none" when it found nothing).
    /// </summary>
    internal static int BareDlopen(string storeName)
    {
        using SplinterStore store = SplinterStore.Open(storeName);
        store.Set("k", "v");
        foreach (string line in System.IO.File.ReadLines("/proc/self/maps"))
        {
            int at = line.IndexOf("/memfd:splinter:", StringComparison.Ordinal);
            if (at >= 0)
            {
                // The copy is mapped from its memfd; its loader name is the descriptor's /proc/self/fd path.
                Console.WriteLine($"store copy {CopyName()}");
                break;
            }
        }

        Console.WriteLine(NativeLibrary.TryLoad("libsplinter.so", out nint bare) && NativeLibrary.TryGetExport(bare, "splinter_open", out nint function)
            ? $"bare {ObjectOf(function)}"
            : "bare none");
        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// store-loaded-objects STORE: opens the store (checking a library first), writes and reads a value, and prints
    /// "object PATH" for every file this process has mapped from then on (/proc/self/maps), one line each.
    /// </summary>
    internal static int LoadedObjects(string storeName)
    {
        using (SplinterStore store = SplinterStore.Open(storeName))
        {
            store.Set("k", "v");
            Console.WriteLine(store.GetString("k") == "v" ? "value read back" : "value lost");
        }

        var seen = new System.Collections.Generic.SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in System.IO.File.ReadLines("/proc/self/maps"))
        {
            int path = line.IndexOf('/', StringComparison.Ordinal);
            if (path >= 0)
            {
                seen.Add(line[path..]);
            }
        }

        foreach (string path in seen)
        {
            Console.WriteLine($"object {path}");
        }

        Console.Out.Flush();
        return 0;
    }

    /// <summary>The /proc/self/fd/N name of the memfd that holds a libsplinter copy.</summary>
    private static string CopyName()
    {
        foreach (string fd in System.IO.Directory.GetFiles("/proc/self/fd"))
        {
            if (new System.IO.FileInfo(fd).LinkTarget?.StartsWith("/memfd:splinter:", StringComparison.Ordinal) == true)
            {
                return "/proc/self/fd/" + System.IO.Path.GetFileName(fd);
            }
        }

        return "(none)";
    }

    private static string ObjectOf(nint address)
    {
        DlInfo info;
        return Dladdr((void*)address, &info) != 0 && info.FileName != null ? Marshal.PtrToStringUTF8((nint)info.FileName) ?? "?" : "?";
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public byte* FileName;
        public void* FileBase;
        public byte* SymbolName;
        public void* SymbolAddress;
    }

    [LibraryImport("libc.so.6", EntryPoint = "dladdr")]
    private static partial int Dladdr(void* address, DlInfo* info);

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
