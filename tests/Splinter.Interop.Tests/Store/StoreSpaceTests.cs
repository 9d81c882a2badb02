using System;
using System.IO;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Store;

/// <summary>
/// A create on a full file system is a SplinterException that says the file system is full, how big the store needs
/// to be and where. A child process runs in a private mount namespace (unshare, as root) with a 1 MiB tmpfs over
/// /dev/shm (shared-memory variant) or over a temporary folder (persistent variant), so nothing outside it changes.
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Store")]
public sealed class StoreSpaceTests(SplinterVariant variant)
{
    private const uint Slots = 10_000; // header and slots alone are 1.2 MiB: more than the file system holds
    private const uint MaxValueSize = 64;

    [Test]
    public void CreateOnAFullFileSystem_SaysItIsFull_HowBigTheStoreIs_AndWhere_AndLeavesNothing()
    {
        if (!File.Exists("/usr/bin/unshare"))
        {
            Assert.Ignore("no unshare (util-linux) to make a private mount namespace");
        }

        string folder = Directory.CreateTempSubdirectory($"splinter-full-{Environment.ProcessId}-").FullName;
        try
        {
            string mountPoint = variant == SplinterVariant.SharedMemory ? "/dev/shm" : folder;
            string name = variant == SplinterVariant.SharedMemory ? $"splinter-full-{Environment.ProcessId}" : Path.Combine(folder, "full.spl");
            string script = $"mount -t tmpfs -o size=1m tmpfs '{mountPoint}' || exit 77; exec \"$0\" \"$@\"";
            ProcessRun.Result result = ProcessRun.Run("/usr/bin/unshare", null,
                "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script,
                ProcessRun.DotnetHost, Events.ChildProcess.ChildAssemblyPath, "store-create", name, variant.ToString(),
                Slots.ToString(System.Globalization.CultureInfo.InvariantCulture), MaxValueSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (result.ExitCode == 77 || (result.ExitCode != 0 && result.Stderr.Contains("unshare", StringComparison.Ordinal)))
            {
                Assert.Ignore($"a private mount namespace with a tmpfs is refused here (not root, or a sandbox): {result.Stderr.Trim()}");
            }

            TestContext.Out.WriteLine(result.Stdout);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            int slotSize = System.Runtime.CompilerServices.Unsafe.SizeOf<Splinter.Interop.Native.splinter_slot>();
            ulong needed = 5440 + ((ulong)Slots * (ulong)slotSize) + ((ulong)Slots * MaxValueSize);
            Assert.That(result.Stdout, Does.Contain($"refused SplinterException {Errno.ENOSPC} "));
            Assert.That(result.Stdout, Does.Contain("the file system is full (ENOSPC)"));
            Assert.That(result.Stdout, Does.Contain($"The store needs {needed} bytes"));
            Assert.That(result.Stdout, Does.Contain($"on the tmpfs file system mounted at {mountPoint}"));
            Assert.That(result.Stdout, Does.Contain("exists False"), "the failed create left nothing behind");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
