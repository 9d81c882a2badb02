using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop.Native;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// A store created through the raw layer for one test: unique name (pid + counter), UTF-8 strings kept alive
/// for the test, and on Dispose the store is closed and its shm object or file removed, also after a failure.
/// </summary>
public sealed unsafe class RawStore : IDisposable
{
    /// <summary>Slots of every raw test store.</summary>
    public const int Slots = 64;

    /// <summary>Value bytes per slot of every raw test store.</summary>
    public const int MaxValueSize = 256;

    private static int s_counter;
    private readonly List<nint> _strings = [];

    /// <summary>Creates a store with the variant's function table.</summary>
    public RawStore(SplinterVariant variant)
    {
        if (variant == SplinterVariant.Persistent && !File.Exists(NativeBuildInfo.RuntimeLibrary("libsplinter_p.so")) && Environment.GetEnvironmentVariable("SPLINTER_LIBRARY_P") is null)
        {
            Assert.Ignore("this library has no persistent variant (no libsplinter_p.so)");
        }
        Variant = variant;
        Api = SplinterLibrary.GetApi(variant);
        int number = Interlocked.Increment(ref s_counter);
        string baseName = $"splinter-raw-{Environment.ProcessId}-{number}";
        Name = variant == SplinterVariant.SharedMemory ? baseName : Path.Combine(Path.GetTempPath(), baseName + ".spl");
        NameZ = Utf8(Name);
        Api.splinter_close(); // a store left open by another test must not be leaked by create
        Remove();
        Assert.That(Api.splinter_create(NameZ, Slots, MaxValueSize), Is.Zero, $"splinter_create({Name})");
    }

    /// <summary>The variant's function table.</summary>
    public SplinterApi Api { get; }

    /// <summary>The variant under test.</summary>
    public SplinterVariant Variant { get; }

    /// <summary>shm object name or file path.</summary>
    public string Name { get; }

    /// <summary>Name as a NUL-terminated UTF-8 string.</summary>
    public sbyte* NameZ { get; }

    /// <summary>A NUL-terminated UTF-8 copy of text that lives until Dispose.</summary>
    public sbyte* Utf8(string text)
    {
        nint memory = Marshal.StringToCoTaskMemUTF8(text);
        _strings.Add(memory);
        return (sbyte*)memory;
    }

    /// <summary>Sets a key to UTF-8 text and asserts success.</summary>
    public void Set(string key, string value)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(value);
        fixed (byte* pointer = bytes)
        {
            Assert.That(Api.splinter_set(Utf8(key), pointer, (nuint)bytes.Length), Is.Zero, $"splinter_set({key})");
        }
    }

    /// <summary>Reads a key's value as UTF-8 text (asserting success).</summary>
    public string Get(string key)
    {
        byte* buffer = stackalloc byte[MaxValueSize];
        nuint length;
        Assert.That(Api.splinter_get(Utf8(key), buffer, MaxValueSize, &length), Is.Zero, $"splinter_get({key})");
        return System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>Removes the backing object; returns 0 or -errno.</summary>
    public int Remove() => Variant == SplinterVariant.SharedMemory
        ? LibSplinterShim.SplinterShim_remove_shm(NameZ)
        : LibSplinterShim.SplinterShim_remove_file(NameZ);

    /// <summary>Closes the store and removes it.</summary>
    public void Dispose()
    {
        Api.splinter_event_bus_close(-1);
        Api.splinter_close();
        Remove();
        foreach (nint memory in _strings)
        {
            Marshal.FreeCoTaskMem(memory);
        }
        _strings.Clear();
    }
}
