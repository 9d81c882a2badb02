using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Exports;

/// <summary>Every generated entry point resolves in the library actually loaded.</summary>
[TestFixture]
[Category("Exports")]
public sealed class ExportTests
{
    private static IEnumerable<string> ImportNames(Type rawClass) => rawClass
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
        .Select(m => m.Name)
        .Order(StringComparer.Ordinal);

    private static nint HandleOrIgnore(SplinterVariant variant)
    {
        if (variant == SplinterVariant.Persistent && !File.Exists(NativeBuildInfo.RuntimeLibrary("libsplinter_p.so")) && Environment.GetEnvironmentVariable("SPLINTER_LIBRARY_P") is null)
        {
            Assert.Ignore($"no libsplinter_p.so in {NativeBuildInfo.NativeDirectory}: this library has no persistent variant.");
        }
        return SplinterLibrary.GetHandle(variant);
    }

    [Test]
    public void EveryLibSplinterImportResolvesInTheSharedMemoryLibrary()
    {
        nint handle = HandleOrIgnore(SplinterVariant.SharedMemory);
        List<string> names = ImportNames(typeof(LibSplinter)).ToList();
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(56));
        Assert.That(names.Where(n => !NativeLibrary.TryGetExport(handle, n, out _)), Is.Empty);
    }

    [Test]
    public void EveryLibSplinterShimImportResolvesInTheShim()
    {
        nint handle = SplinterLibrary.GetShimHandle();
        List<string> names = ImportNames(typeof(LibSplinterShim)).ToList();
        Assert.That(names, Does.Contain("SplinterShim_now").And.Contain("SplinterShim_errno_splinter_get"));
        Assert.That(names.Where(n => !NativeLibrary.TryGetExport(handle, n, out _)), Is.Empty);
    }

    [TestCase(SplinterVariant.SharedMemory)]
    [TestCase(SplinterVariant.Persistent)]
    public unsafe void EverySplinterApiFieldIsLoaded(SplinterVariant variant)
    {
        HandleOrIgnore(variant);
        SplinterApi api = SplinterLibrary.GetApi(variant);
        var fields = typeof(SplinterApi).GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.FieldType.IsFunctionPointer).ToList();
        Assert.That(fields.Select(f => f.Name), Is.EquivalentTo(ImportNames(typeof(LibSplinter))), "SplinterApi and LibSplinter bind different functions");
        var missing = new List<string>();
        foreach (FieldInfo field in fields)
        {
            nint address = field.GetValue(api) switch
            {
                Pointer pointer => (nint)Pointer.Unbox(pointer),
                nint value => value,
                var other => throw new InvalidOperationException($"{field.Name}: unexpected reflection value {other}"),
            };
            PropertyInfo? optional = typeof(SplinterApi).GetProperty("Has_" + field.Name);
            if (address == 0 && optional is null)
            {
                missing.Add(field.Name);
            }
            if (optional is not null)
            {
                Assert.That((bool)optional.GetValue(api)!, Is.EqualTo(address != 0), optional.Name);
            }
        }
        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void TheStaticImportsAndTheFunctionTableUseTheSameLibrary()
    {
        nint handle = HandleOrIgnore(SplinterVariant.SharedMemory);
        Assert.That(SplinterLibrary.GetApi(SplinterVariant.SharedMemory).LibraryHandle, Is.EqualTo(handle));
        unsafe
        {
            // A static import call resolves through the same resolver; with no store open it returns 0.
            Assert.That(LibSplinter.splinter_get_signal_count(0), Is.Zero.Or.Positive);
        }
    }

#if SPLINTER_EMBEDDINGS
    [Test]
    public void TheEmbeddingFunctionsAreBoundInThisConfiguration()
    {
        HandleOrIgnore(SplinterVariant.SharedMemory);
        SplinterApi api = SplinterLibrary.GetApi(SplinterVariant.SharedMemory);
        Assert.That(api.Has_splinter_set_embedding && api.Has_splinter_get_embedding, Is.True);
        Assert.That(LibSplinter.SPLINTER_EMBED_DIM, Is.EqualTo(768));
    }
#endif

    [Test]
    public void TheLoadedLibraryIsTheOneThisBuildBound()
    {
        HandleOrIgnore(SplinterVariant.SharedMemory);
        string? source = SplinterLibrary.GetLoadedSource(SplinterVariant.SharedMemory);
        Assert.That(source, Is.Not.Null);
        string copied = NativeBuildInfo.RuntimeLibrary("libsplinter.so");
        string original = Path.Combine(NativeBuildInfo.NativeDirectory, "libsplinter.so");
        if (Environment.GetEnvironmentVariable("SPLINTER_LIBRARY") is null)
        {
            Assert.That(File.ReadAllBytes(copied), Is.EqualTo(File.ReadAllBytes(original)), "the copy beside the tests is not the library of " + NativeBuildInfo.NativeDirectory);
        }
    }
}
