using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// Platform rules: Linux only (PlatformNotSupportedException elsewhere, before anything native loads), and the runtime
/// folder that fits the process (processor and C library). Another operating system is simulated through
/// <see cref="LinuxOnly.IsLinux"/>; the tests only run on Linux.
/// </summary>
[NonParallelizable]
[Category("Platform")]
public sealed class PlatformTests
{
    private StoreTestNames _names = null!;

    [SetUp]
    public void CreateNames() => _names = new StoreTestNames(SplinterVariant.SharedMemory);

    [TearDown]
    public void CleanUp()
    {
        LinuxOnly.IsLinux = null!;
        _names.Dispose();
    }

    [Test]
    public void TheAssembly_DeclaresLinuxAsItsOnlyPlatform()
    {
        string[] platforms = typeof(SplinterStore).Assembly.GetCustomAttributes<SupportedOSPlatformAttribute>()
            .Select(attribute => attribute.PlatformName).ToArray();
        Assert.That(platforms, Is.EqualTo(new[] { "linux" }));
    }

    [Test]
    public void OnLinux_TheCheckPasses()
    {
        Assert.That(LinuxOnly.IsLinux(), Is.True, "these tests run on Linux");
        Assert.DoesNotThrow(LinuxOnly.ThrowIfNotLinux);
    }

    [Test]
    public void OnAnotherSystem_OpeningAStore_SaysLinuxIsRequired()
    {
        string name = _names.NewName("platform");
        LinuxOnly.IsLinux = () => false;
        var error = Assert.Throws<PlatformNotSupportedException>(() => SplinterStore.OpenOrCreate(name, 16, 64));
        Assert.That(error!.Message, Does.Contain("requires Linux").And.Contain(RuntimeInformation.OSDescription));
        LinuxOnly.IsLinux = null!;
        Assert.That(SplinterStore.Exists(name), Is.False, "nothing was created");
    }

    [Test]
    public void OnAnotherSystem_LoadingALibrary_SaysLinuxIsRequired_EvenWhenAlreadyLoaded()
    {
        // Loaded for real first: the check comes before the cache, so the answer does not depend on history.
        Assert.That(SplinterLibrary.GetHandle(SplinterVariant.SharedMemory), Is.Not.EqualTo(IntPtr.Zero));
        LinuxOnly.IsLinux = () => false;
        Assert.Throws<PlatformNotSupportedException>(() => SplinterLibrary.GetHandle(SplinterVariant.SharedMemory));
        Assert.Throws<PlatformNotSupportedException>(() => SplinterLibrary.GetHandle(SplinterVariant.Persistent));
        Assert.Throws<PlatformNotSupportedException>(() => SplinterLibrary.GetShimHandle());
        Assert.Throws<PlatformNotSupportedException>(() => SplinterLibrary.GetApi(SplinterVariant.SharedMemory));
    }

    [Test]
    public void OnAnotherSystem_AnEventFd_SaysLinuxIsRequired()
    {
        LinuxOnly.IsLinux = () => false;
        var error = Assert.Throws<PlatformNotSupportedException>(() => new EventFd());
        Assert.That(error!.Message, Does.Contain("requires Linux"));
        LinuxOnly.IsLinux = null!;
        using var eventFd = new EventFd();
        Assert.That(eventFd.SafeHandle.IsInvalid, Is.False);
    }

    [TestCase(Architecture.X64, false, "linux-x64")]
    [TestCase(Architecture.Arm64, false, "linux-arm64")]
    [TestCase(Architecture.X64, true, "linux-musl-x64")]
    [TestCase(Architecture.Arm64, true, "linux-musl-arm64")]
    [TestCase(Architecture.X86, false, null)]
    [TestCase(Architecture.Arm, false, null)]
    [TestCase(Architecture.RiscV64, false, null)]
    [TestCase(Architecture.Arm, true, null)]
    public void RuntimeFolder_FitsProcessorAndCLibrary(Architecture architecture, bool musl, string? expected) =>
        Assert.That(NativeRuntimeFolder.For(architecture, musl), Is.EqualTo(expected));

    [TestCase("linux-x64", false)]
    [TestCase("linux-arm64", false)]
    [TestCase("linux-musl-x64", true)]
    [TestCase("linux-musl-arm64", true)]
    [TestCase("alpine.3.20-x64", true)]
    public void Musl_IsToldByAPortableOrAlpineRuntimeIdentifier_WithoutReadingTheMappings(string runtimeIdentifier, bool expected) =>
        Assert.That(NativeRuntimeFolder.IsMusl(runtimeIdentifier, () => throw new AssertionException("the mappings were read")), Is.EqualTo(expected));

    [Test]
    public void Musl_ForAnotherDistributionsRuntime_IsToldByTheMappedLoader()
    {
        Assert.That(NativeRuntimeFolder.IsMusl("debian.12-x64", () => ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib64/ld-linux-x86-64.so.2"]), Is.False);
        Assert.That(NativeRuntimeFolder.IsMusl("fedora.41-x64", () => ["/lib/ld-musl-x86_64.so.1", "/usr/lib/libstdc++.so.6"]), Is.True);
        Assert.That(NativeRuntimeFolder.IsMusl("ubuntu.24.04-arm64", () => []), Is.False);
    }

    [Test]
    public void ThisProcess_GetsTheGlibcFolderOfItsProcessor()
    {
        // The tests run on glibc (Debian), on x64 or arm64.
        string expected = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        Assert.That(NativeRuntimeFolder.Current, Is.EqualTo(expected));
        Assert.That(
            NativeRuntimeFolder.Candidates("/app", "libsplinter.so"),
            Is.EqualTo(new[] { Path.Combine("/app", "runtimes", expected, "native", "libsplinter.so"), "/app/libsplinter.so" }));
    }
}
