using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>How the private library copies are made: without DT_SONAME, from a memfd or a temporary file, never shared.</summary>
[TestFixture]
[Category("Store")]
public sealed unsafe class LibraryCopyTests
{
    [Test]
    public void ACopysImage_HasNoSoname_TheFileItCameFromHasOne()
    {
        using var names = new StoreTestNames(SplinterVariant.SharedMemory);
        SplinterStore store = names.Create();
        LibraryPool pool = store.Shared.Library.Pool;
        byte[] original = File.ReadAllBytes(pool.File.Path);
        byte[] edited = original.AsSpan().ToArray();
        Assert.That(ElfImage.RemoveSoname(edited), Is.True, "the shipped file has a DT_SONAME to remove");
        Assert.That(ElfImage.RemoveSoname(edited), Is.False, "and none is left after");
        Assert.That(pool.Image.SequenceEqual(edited), Is.True, "the copies are made of the edited bytes");
    }

    [Test]
    public void TheTemporaryFileFallback_LoadsAWorkingCopyWithItsOwnGlobals()
    {
        using var names = new StoreTestNames(SplinterVariant.SharedMemory);
        SplinterStore store = names.Create();
        store.Set("in-the-store", "1");
        LibraryPool pool = store.Shared.Library.Pool;

        LibraryInstance copy = LibraryInstance.Load(pool, 1000 + Environment.ProcessId % 1000, pool.Image.ToArray(), tryMemfd: false);
        Assert.That(copy.How, Is.EqualTo("temporary file"));
        Assert.That(File.Exists(copy.LoadedAs), Is.False, "the file is deleted once loaded; the name is never used again");
        Assert.That(copy.Handle, Is.Not.EqualTo(store.Shared.Library.Handle));
        Assert.That(copy.IsIsolated, Is.True);

        // Its globals are its own: no store is open in it although one is open in the store's copy.
        splinter_header_snapshot snapshot;
        Assert.That(copy.Api!.splinter_get_header_snapshot(&snapshot), Is.Not.Zero, "the fresh copy has no store");
        Assert.That(store.GetString("in-the-store"), Is.EqualTo("1"));
    }

    [Test]
    public void OpeningAStore_NeverLoadsOpenSsl()
    {
        // The library check names its probe store with random bytes. .NET's RandomNumberGenerator loads OpenSSL on Linux,
        // and a process where libssl is missing (a minimal container; this machine's arm64 sysroot under qemu) aborts
        // with "No usable version of libssl was found". A fresh child opens a store and lists what it has mapped.
        using var names = new StoreTestNames(SplinterVariant.SharedMemory);
        SplinterStore store = names.Create();
        store.Dispose();
        ProcessRun.Result result = ProcessRun.Child(new Dictionary<string, string>(), "store-loaded-objects", store.Name);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("value read back"));
        Assert.That(result.Stdout, Does.Contain("object /proc/self/fd/").Or.Contain("memfd:splinter"), "the listing saw the store's library copy");
        Assert.That(result.Stdout, Does.Not.Contain("Cryptography.Native.OpenSsl").And.Not.Contain("libssl").And.Not.Contain("libcrypto"));
    }

    [Test]
    public void AfterACopyIsLoaded_ABareDlopenOfTheLibraryNeverReturnsTheCopy()
    {
        // A fresh child: its store's copy is the first libsplinter object in the process; then it asks the system
        // loader for "libsplinter.so" (found through LD_LIBRARY_PATH). glibc matches loaded objects by DT_SONAME,
        // so a copy that kept it would be handed out and its store shared with whoever asked.
        using var names = new StoreTestNames(SplinterVariant.SharedMemory);
        SplinterStore store = names.Create();
        store.Dispose();
        string folder = Path.GetDirectoryName(NativeBuildInfo.RuntimeLibrary("libsplinter.so"))!;
        ProcessRun.Result result = ProcessRun.Child(new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = folder }, "store-bare-dlopen", store.Name);
        TestContext.Out.WriteLine(result.ToString());
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("store copy /proc/self/fd/"), "the store's copy came from a memfd");
        Assert.That(result.Stdout, Does.Contain($"bare {Path.Combine(folder, "libsplinter.so")}"), "the bare name loads the file itself, not the copy");
    }
}
