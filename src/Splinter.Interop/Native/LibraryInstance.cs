using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Splinter.Interop.Native;

/// <summary>
/// One private copy of a library file, loaded with its own process globals, so that it can hold one open store while
/// other copies hold others. Copies are never unloaded: a copy whose store closed goes back to its pool and serves the
/// next store of that library (<see cref="LibraryPool"/>).
/// </summary>
/// <remarks>
/// How a copy is made: the file's bytes (without DT_SONAME, see <see cref="ElfImage"/>) go into an anonymous memory
/// file (memfd_create, close-on-exec) that is loaded as /proc/self/fd/N. A new inode is a new object for the dynamic
/// loader (glibc and musl both recognise an already-loaded file by device and inode, and glibc also by the name it was
/// loaded under); the copies share libc and everything else the library depends on. The memory file stays open as
/// long as the process lives, so its /proc/self/fd/N name, under which glibc remembers the copy, is never reused by
/// another file. Where memfd_create or loading from it is refused (a sandbox, a seccomp filter, a noexec policy) or
/// SPLINTER_INTEROP_NO_MEMFD=1 is set, the copy is written to a file with a unique name in a private temporary
/// folder (mode 0700), loaded from there and deleted at once; names are never reused within the process.
/// </remarks>
internal sealed unsafe class LibraryInstance
{
    /// <summary>Set to "1", copies skip memfd_create and use the temporary-file fallback (sandboxes, tests of that path).</summary>
    internal const string NoMemfdVariable = "SPLINTER_INTEROP_NO_MEMFD";

    private static readonly object s_folderLock = new();
    private static int s_copies;
    private static string? s_folder;

    private LibraryInstance(LibraryPool pool, int number, nint handle, string loadedAs, string how)
    {
        Pool = pool;
        Number = number;
        Handle = handle;
        LoadedAs = loadedAs;
        How = how;
        var missing = new List<string>();
        var foreign = new List<string>();
        foreach (string name in SplinterBindings.RequiredFunctions)
        {
            if (!NativeLibrary.TryGetExport(handle, name, out nint address))
            {
                missing.Add(name);
            }
            else if (ObjectNameOf(address) is { } owner && owner != loadedAs)
            {
                // Found through the copy's dependencies: shared by every copy, so it cannot give each its own store.
                foreign.Add($"{name} (in {owner})");
            }
        }

        MissingFunctions = missing;
        ForeignFunctions = foreign;
        Api = missing.Count == 0 ? SplinterApi.Load(handle) : null;
    }

    /// <summary>The pool (library file) this copy belongs to.</summary>
    public LibraryPool Pool { get; }

    /// <summary>1 for the first copy of its file, 2 for the second...</summary>
    public int Number { get; }

    /// <summary>The dynamic loader's handle of this copy.</summary>
    public nint Handle { get; }

    /// <summary>The name the copy was loaded under (/proc/self/fd/N, or the temporary file's path).</summary>
    public string LoadedAs { get; }

    /// <summary>"memfd" or "temporary file".</summary>
    public string How { get; }

    /// <summary>The copy's function table; null when a required function is missing (the check reports it).</summary>
    public SplinterApi? Api { get; }

    /// <summary>Required functions the library does not export.</summary>
    public IReadOnlyList<string> MissingFunctions { get; }

    /// <summary>Required functions that resolve to another object (a dependency), shared by every copy.</summary>
    public IReadOnlyList<string> ForeignFunctions { get; }

    /// <summary>True when every bound function lives in this copy, so its globals are its own.</summary>
    public bool IsIsolated => ForeignFunctions.Count == 0;

    /// <summary>Loads copy number <paramref name="number"/> of <paramref name="image"/>; throws SplinterException when neither way works.</summary>
    public static LibraryInstance Load(LibraryPool pool, int number, byte[] image) =>
        Load(pool, number, image, tryMemfd: Environment.GetEnvironmentVariable(NoMemfdVariable) != "1");

    /// <summary>Loads a copy, from a memfd first unless <paramref name="tryMemfd"/> is false.</summary>
    internal static LibraryInstance Load(LibraryPool pool, int number, byte[] image, bool tryMemfd)
    {
        string label = $"{Path.GetFileName(pool.File.Path)}#{number}";
        string memfdOutcome;
        if (!tryMemfd)
        {
            memfdOutcome = $"memfd not tried ({NoMemfdVariable}=1)";
        }
        else if (TryLoadFromMemfd(label, image, out nint handle, out string loadedAs, out memfdOutcome))
        {
            return new LibraryInstance(pool, number, handle, loadedAs, "memfd");
        }

        if (TryLoadFromTemporaryFile(label, image, out nint copy, out string path, out string fileOutcome))
        {
            return new LibraryInstance(pool, number, copy, path, "temporary file");
        }

        throw new SplinterException(
            $"Cannot load a private instance of the library '{pool.File.Path}' (one is needed per open store): {memfdOutcome}; {fileOutcome}.");
    }

    private static bool TryLoadFromMemfd(string label, byte[] image, out nint handle, out string loadedAs, out string outcome)
    {
        handle = 0;
        loadedAs = string.Empty;
        int fd;
        fixed (byte* name = Store.StoreNames.ToUtf8z("splinter:" + label))
        {
            fd = LibC.memfd_create(name, LibC.MFD_CLOEXEC);
        }

        if (fd < 0)
        {
            outcome = $"memfd_create failed ({Errno.Name(Marshal.GetLastPInvokeError())})";
            return false;
        }

        if (!WriteAll(fd, image, out int error))
        {
            LibC.close(fd);
            outcome = $"writing the memfd failed ({Errno.Name(error)})";
            return false;
        }

        loadedAs = "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            handle = NativeLibrary.Load(loadedAs);
        }
        catch (DllNotFoundException exception)
        {
            // Not loaded, so the loader does not remember the name: the descriptor can go.
            LibC.close(fd);
            outcome = $"loading it from {loadedAs} failed ({exception.Message})";
            return false;
        }

        // The descriptor stays open for the life of the process: see the class remarks.
        outcome = "loaded";
        return true;
    }

    private static bool TryLoadFromTemporaryFile(string label, byte[] image, out nint handle, out string path, out string outcome)
    {
        handle = 0;
        path = string.Empty;
        try
        {
            string folder = PrivateFolder();
            int unique = Interlocked.Increment(ref s_copies);
            path = Path.Combine(folder, $"{unique}-{label.Replace('#', '-')}");
            File.WriteAllBytes(path, image);
            try
            {
                handle = NativeLibrary.Load(path);
            }
            finally
            {
                File.Delete(path); // the loaded copy keeps its inode; its name is never used again
            }

            outcome = "loaded";
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or DllNotFoundException)
        {
            outcome = $"the temporary-file fallback failed ({exception.Message})";
            return false;
        }
    }

    /// <summary>A folder only this process writes to, for the fallback copies; removed when the process exits.</summary>
    private static string PrivateFolder()
    {
        lock (s_folderLock)
        {
            if (s_folder is null)
            {
                // mkdtemp underneath: mode 0700 and a name no other process holds.
                string folder = Directory.CreateTempSubdirectory($"splinter-libraries-{Environment.ProcessId}-").FullName;
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    catch (IOException)
                    {
                        // Left for the temp cleaner; it holds no file, every copy was deleted once loaded.
                    }
                };
                s_folder = folder;
            }

            return s_folder;
        }
    }

    private static bool WriteAll(int fd, byte[] image, out int error)
    {
        error = 0;
        fixed (byte* start = image)
        {
            nuint done = 0;
            while (done < (nuint)image.Length)
            {
                nint written = LibC.write(fd, start + done, (nuint)image.Length - done);
                if (written < 0)
                {
                    error = Marshal.GetLastPInvokeError();
                    if (error == Errno.EINTR)
                    {
                        continue;
                    }

                    return false;
                }

                done += (nuint)written;
            }
        }

        return true;
    }

    /// <summary>The name of the loaded object that contains <paramref name="address"/> (dladdr), or null.</summary>
    internal static string? ObjectNameOf(nint address)
    {
        LibC.DlInfo info;
        if (LibC.dladdr((void*)address, &info) == 0 || info.FileName == null)
        {
            return null;
        }

        return Marshal.PtrToStringUTF8((nint)info.FileName);
    }
}
