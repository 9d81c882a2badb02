using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Splinter.Interop.Store;

namespace Splinter.Interop.Native;

/// <summary>What the check found out about a library that matches the bindings.</summary>
/// <param name="File">The library file.</param>
/// <param name="Variant">The variant it was checked as (its probe store was a shm object or a file).</param>
/// <param name="SlotSize">The slot size of the stores it makes: its flavour.</param>
internal sealed record LibraryVerdict(LibraryFile File, SplinterVariant Variant, int SlotSize);

/// <summary>
/// Checks a library against the bindings before its first use, once per file and variant: every bound function is
/// exported (by the library itself or a dependency), the shim's layout table equals the struct mirrors (once per
/// process), and the stores it makes have this format's magic, version and header, a slot layout the mirrors
/// describe, and one of the two flavours' slot sizes. The last part is a probe: a copy of the library creates a
/// one-slot store under a unique name, writes one key, and the check reads the object's bytes through the mirrors;
/// the probe store is removed afterwards. Any difference is one <see cref="SplinterLibraryMismatchException"/>.
/// Callers hold <see cref="SplinterLibrary"/>'s lock.
/// </summary>
internal static unsafe class LibraryCheck
{
    private const uint ProbeValueSize = 64;
    private const string ProbeKey = "splinter-library-probe";
    private const int ProbeValueLength = 16;

    private static int s_probes;
    private static bool s_shimChecked;

    /// <summary>Runs the check on one copy from <paramref name="pool"/>; throws SplinterLibraryMismatchException, or SplinterException when the probe cannot run.</summary>
    public static LibraryVerdict Run(LibraryPool pool, SplinterVariant variant, string shimPath)
    {
        if (!s_shimChecked)
        {
            CheckShimLayout(shimPath);
            s_shimChecked = true;
        }

        LibraryInstance instance = pool.Rent();
        try
        {
            if (instance.MissingFunctions.Count > 0)
            {
                throw new SplinterLibraryMismatchException(
                    pool.File.Path, [$"it does not export {string.Join(", ", instance.MissingFunctions)}"]);
            }

            var differences = new List<string>();
            int slotSize = Probe(instance.Api!, pool.File, variant, differences);
            if (differences.Count > 0)
            {
                throw new SplinterLibraryMismatchException(pool.File.Path, differences);
            }

            return new LibraryVerdict(pool.File, variant, slotSize);
        }
        finally
        {
            pool.Return(instance);
        }
    }

    /// <summary>Compares every row of the shim's layout table with the mirrors as this runtime lays them out.</summary>
    private static void CheckShimLayout(string shimPath)
    {
        var mirrors = new Dictionary<(string, string?), MirrorLayoutRow>();
        foreach (MirrorLayoutRow row in SplinterBindings.MirrorLayout())
        {
            mirrors[(row.Struct, row.Field)] = row;
        }

        var differences = new List<string>();
        nuint count = LibSplinterShim.SplinterShim_layout_count();
        for (nuint i = 0; i < count; i++)
        {
            SplinterShim_layout_entry entry;
            if (LibSplinterShim.SplinterShim_layout_get(i, &entry) != 0)
            {
                differences.Add($"its layout table has no row {i} of {count}");
                break;
            }

            string structName = Marshal.PtrToStringUTF8((nint)entry.struct_name) ?? "?";
            string? fieldName = entry.field_name == null ? null : Marshal.PtrToStringUTF8((nint)entry.field_name);
            string what = fieldName is null ? structName : $"{structName}.{fieldName}";
            if (!mirrors.Remove((structName, fieldName), out MirrorLayoutRow mirror))
            {
                differences.Add($"{what} is in its layout table but has no C# mirror");
            }
            else if (mirror.Offset != entry.offset || mirror.Size != entry.size)
            {
                differences.Add(fieldName is null
                    ? $"sizeof {what} is {entry.size} in C, {mirror.Size} in the C# mirror"
                    : $"{what} is at offset {entry.offset} size {entry.size} in C, offset {mirror.Offset} size {mirror.Size} in the C# mirror");
            }
        }

        foreach (MirrorLayoutRow missing in mirrors.Values)
        {
            differences.Add($"{(missing.Field is null ? missing.Struct : missing.Struct + "." + missing.Field)} is mirrored in C# but not in its layout table");
        }

        if (differences.Count > 0)
        {
            throw new SplinterLibraryMismatchException(shimPath, differences);
        }
    }

    /// <summary>Makes the probe store with <paramref name="api"/> and reads it through the mirrors; returns the slot size.</summary>
    private static int Probe(SplinterApi api, LibraryFile file, SplinterVariant variant, List<string> differences)
    {
        // Unpredictable but not from RandomNumberGenerator, which loads OpenSSL: a process without libssl would abort.
        string unique = $"splinter-probe-{Environment.ProcessId}-{Interlocked.Increment(ref s_probes)}-{Guid.NewGuid().ToString("N")[..8]}";
        string name = variant == SplinterVariant.SharedMemory ? unique : Path.Combine(Path.GetTempPath(), unique + ".spl");
        string objectPath = StoreNames.ObjectPath(name, variant);
        byte[] namez = StoreNames.ToUtf8z(name);
        int error = 0;
        int result;
        fixed (byte* p = namez)
        {
            result = api.splinter_create_errno((sbyte*)p, 1, ProbeValueSize, &error);
        }

        if (result != 0)
        {
            string hint = variant == SplinterVariant.Persistent && error == Errno.EINVAL
                ? " (a shared-memory library refuses paths: is it the shm variant given as the persistent one?)"
                : string.Empty;
            throw new SplinterException(
                $"Cannot check the library '{file.Path}' ({file.Source}): it could not create a probe store at '{objectPath}': {Errno.Name(error)}{hint}.", error);
        }

        try
        {
            byte[] value = new byte[ProbeValueLength];
            for (int i = 0; i < value.Length; i++)
            {
                value[i] = (byte)(0xA0 + i);
            }

            fixed (byte* key = StoreNames.ToUtf8z(ProbeKey))
            fixed (byte* bytes = value)
            {
                result = api.splinter_set((sbyte*)key, bytes, (nuint)value.Length);
            }

            if (result != 0)
            {
                differences.Add($"splinter_set on its fresh one-slot probe store failed (result {result})");
                return 0;
            }

            if (!File.Exists(objectPath))
            {
                differences.Add(variant == SplinterVariant.SharedMemory && File.Exists(name)
                    ? $"it created a file '{name}' in the working folder instead of a shared-memory object: it behaves as the persistent variant"
                    : $"it reported success but created nothing at '{objectPath}'");
                return 0;
            }

            return Inspect(File.ReadAllBytes(objectPath), value, differences);
        }
        finally
        {
            api.splinter_close();
            fixed (byte* p = namez)
            {
                StoreNative.Remove(p, variant);
            }

            if (variant == SplinterVariant.SharedMemory && File.Exists(name) && !Path.IsPathRooted(name))
            {
                File.Delete(name); // the persistent-variant mistake above
            }
        }
    }

    /// <summary>Reads the probe object through the mirrors; returns its slot size (0 after a difference).</summary>
    private static int Inspect(byte[] image, byte[] value, List<string> differences)
    {
        int headerSize = sizeof(splinter_header);
        if (image.Length < headerSize + ProbeValueSize)
        {
            differences.Add($"its one-slot probe store is {image.Length} bytes, shorter than this format's {headerSize}-byte header and the {ProbeValueSize}-byte value");
            return 0;
        }

        fixed (byte* start = image)
        {
            var header = (splinter_header*)start;
            if (header->magic != LibSplinter.SPLINTER_MAGIC)
            {
                differences.Add($"its stores start with magic 0x{header->magic:X8}, the bindings expect 0x{LibSplinter.SPLINTER_MAGIC:X8}");
            }

            if (header->version != LibSplinter.SPLINTER_VER)
            {
                differences.Add($"its stores have format version {header->version}, the bindings read version {LibSplinter.SPLINTER_VER}");
            }

            if (header->slots != 1 || header->max_val_sz != ProbeValueSize)
            {
                differences.Add($"its header's geometry is not where the mirror has it (read {header->slots} slots x {header->max_val_sz} bytes for a store made with 1 x {ProbeValueSize})");
            }

            if (differences.Count > 0)
            {
                return 0;
            }

            long slotSize = image.Length - headerSize - ProbeValueSize;
            if (slotSize > int.MaxValue || !StoreFormat.IsKnown((int)slotSize))
            {
                differences.Add(
                    $"its slots are {slotSize} bytes (one-slot store of {image.Length} bytes with a {headerSize}-byte header); the bindings know "
                    + $"{StoreFormat.PlainSlotSize} (default) and {StoreFormat.EmbeddingsSlotSize} (SPLINTER_EMBEDDINGS), so its slot struct differs (another SPLINTER_KEY_MAX, an added field)");
                return 0;
            }

            var slot = (splinter_slot*)(start + headerSize);
            byte[] expectedKey = StoreNames.ToUtf8z(ProbeKey);
            bool keyMatches = new ReadOnlySpan<byte>((byte*)slot->key, expectedKey.Length).SequenceEqual(expectedKey);
            if (slot->hash != StoreFormat.Hash(expectedKey.AsSpan(0, expectedKey.Length - 1)) || !keyMatches || slot->val_len != (uint)value.Length || slot->val_off != 0)
            {
                differences.Add(
                    $"the slot of its probe key does not read back through the mirror (hash 0x{slot->hash:X16}, key match {keyMatches}, length {slot->val_len}, offset {slot->val_off}): its slot layout or key hash differs");
                return 0;
            }

            byte* arena = start + headerSize + slotSize;
            if (!new ReadOnlySpan<byte>(arena + slot->val_off, value.Length).SequenceEqual(value))
            {
                differences.Add("its probe value is not where the format puts it (the value arena after the slot array)");
                return 0;
            }

            return (int)slotSize;
        }
    }
}
