using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Security;

/// <summary>
/// Hostile or broken objects at a store's name, and permissions. Private stores are 0600 whatever
/// the umask or SPLINTER_DEFAULT_UMASK say; create never follows a symlink planted at the name; truncated,
/// foreign-magic, other-version and directory objects are refused with a clear exception and never
/// mapped into a SIGBUS, with our library and, because the C# pre-open check runs before any
/// native open, with any library: a child process loads a "trap" library whose open functions
/// raise SIGBUS (what upstream 1.2.0 does on a truncated store) and is refused cleanly.
/// </summary>
[TestFixture(SplinterVariant.SharedMemory)]
[TestFixture(SplinterVariant.Persistent)]
[Category("Security")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[NonParallelizable] // Not in parallel: private creates change the process-wide umask for a moment; children run as other users.
public sealed partial class SecurityTests(SplinterVariant variant) : StoreFixtureBase(variant)
{
    private const int HeaderSize = 5440;
    private const uint Umask022 = 0x12; // octal 022
    private const string UmaskVariable = "SPLINTER_DEFAULT_UMASK";
    private static readonly int SlotSize = System.Runtime.CompilerServices.Unsafe.SizeOf<Splinter.Interop.Native.splinter_slot>();

    private readonly List<string> _cleanup = new();

    /// <summary>Directories made in place of a store and symlink targets (StoreTestNames only deletes what it named).</summary>
    [TearDown]
    public void RemoveDirectories()
    {
        foreach (string path in _cleanup)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }

        _cleanup.Clear();
    }

    // ---- permissions ------------------------------------------------------------------------------

    [Test]
    public void PrivateOption_CreatesMode0600UnderUmask022()
    {
        uint previous = Umask(Umask022);
        string? variable = Environment.GetEnvironmentVariable(UmaskVariable);
        try
        {
            // A SPLINTER_DEFAULT_UMASK from the caller's environment would decide the default mode.
            Assert.That(UnsetEnv(UmaskVariable), Is.Zero);
            string open = Names.NewName("perm");
            SplinterStore.Create(open, 4, 32, Options).Dispose();
            string closed = Names.NewName("priv");
            SplinterStore.Create(closed, 4, 32, Options with { PrivatePermissions = true }).Dispose();
            Assert.Multiple(() =>
            {
                Assert.That(File.GetUnixFileMode(Names.PathOf(open)), Is.EqualTo(Mode(0x1A4)), "default: 0666 & ~022 = 0644 (the check can tell)");
                Assert.That(File.GetUnixFileMode(Names.PathOf(closed)), Is.EqualTo(Mode(0x180)), "private: 0600");
            });
        }
        finally
        {
            RestoreVariable(variable);
            Umask(previous);
        }
    }

    [Test]
    public void PrivateOption_Wins_OverSplinterDefaultUmask()
    {
        // The library applies SPLINTER_DEFAULT_UMASK itself on create: 0 would mean 0666.
        uint previous = Umask(Umask022);
        string? variable = Environment.GetEnvironmentVariable(UmaskVariable);
        try
        {
            Assert.That(SetEnv(UmaskVariable, "0", 1), Is.Zero);
            string open = Names.NewName("perm0");
            SplinterStore.Create(open, 4, 32, Options).Dispose();
            string closed = Names.NewName("priv0");
            SplinterStore.Create(closed, 4, 32, Options with { PrivatePermissions = true }).Dispose();
            uint after = Umask(Umask022);
            Assert.Multiple(() =>
            {
                Assert.That(after, Is.EqualTo(Umask022), "the library and the private option change the umask only around the create call");
                Assert.That(File.GetUnixFileMode(Names.PathOf(open)), Is.EqualTo(Mode(0x1B6)), "the variable is honoured (0666)");
                Assert.That(File.GetUnixFileMode(Names.PathOf(closed)), Is.EqualTo(Mode(0x180)), "private stays 0600");
            });
        }
        finally
        {
            RestoreVariable(variable);
            Umask(previous);
        }
    }

    // ---- symlinks ---------------------------------------------------------------------------------

    /// <summary>
    /// A symlink planted at the name (in world-writable /dev/shm, or at a persistent path) is never
    /// followed by create: O_EXCL refuses any existing final component, dangling links included (as upstream).
    /// </summary>
    [Test]
    public void Create_RefusesASymlinkAtThePath([Values] bool dangling)
    {
        string link = Names.NewName("link");
        string target = Path.Combine(Path.GetTempPath(), $"splinter-symlink-target-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _cleanup.Add(target);
        if (!dangling)
        {
            File.WriteAllText(target, "precious");
        }

        File.CreateSymbolicLink(Names.PathOf(link), target);
        SplinterException error = Assert.Throws<SplinterException>(() => SplinterStore.Create(link, 4, 32, Options))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Errno, Is.EqualTo(Errno.EEXIST), error.Message);
            Assert.That(new FileInfo(Names.PathOf(link)).LinkTarget, Is.EqualTo(target), "the link is left alone");
            Assert.That(dangling ? !File.Exists(target) : File.ReadAllText(target) == "precious", Is.True, "the target is neither created nor overwritten");
        });
    }

    // ---- bad objects with our library -------------------------------------------------------------

    public static IEnumerable<string> BadObjects => ["truncated", "magic", "version", "directory", "empty", "header-only"];

    [Test]
    [TestCaseSource(nameof(BadObjects))]
    public void BadObject_IsRefusedWithAClearException(string kind)
    {
        string name = Names.NewName("bad-" + kind);
        MakeBadObject(name, kind);
        SplinterStoreFormatException error = Assert.Throws<SplinterStoreFormatException>(() => SplinterStore.Open(name, Options))!;
        Assert.That(error.Path, Is.EqualTo(Names.PathOf(name)));
        Assert.That(error.Reason, Does.Contain(ExpectedReason(kind)));
        Assert.Throws<SplinterStoreFormatException>(() => SplinterStore.OpenOrCreate(name, 4, 32, Options));

        // Nothing stayed installed: the variant opens a real store right away.
        using SplinterStore good = Names.Create(4, 32, "after");
        good.Set("k", "v"u8);
        Assert.That(good.GetString("k"), Is.EqualTo("v"));
    }

    // ---- bad objects with any library: the check runs before the native open ----------------------

    [Test]
    [TestCaseSource(nameof(BadObjects))]
    public void BadObject_IsRefusedBeforeTheNativeOpen_EvenWithALibraryThatWouldCrash(string kind)
    {
        string name = Names.NewName("trap-" + kind);
        MakeBadObject(name, kind);
        ProcessRun.Result result = RunOpenChildWithTrapLibrary(name);
        Assert.Multiple(() =>
        {
            Assert.That(result.Stderr, Does.Not.Contain("trap: native"), "the native open was reached");
            Assert.That(result.ExitCode, Is.Zero, $"the child died (SIGBUS is 135); stderr: {result.Stderr}");
            Assert.That(result.Stdout, Does.Contain("refused SplinterStoreFormatException").And.Contain(ExpectedReason(kind)));
            Assert.That(result.Stdout, Does.Contain("library " + TrapVariable), "the trap library was the one loaded");
        });
    }

    /// <summary>Control: with a valid store the same child does reach the trap's open and dies of SIGBUS, so the test above can fail.</summary>
    [Test]
    public void TrapLibraryControl_AValidStoreReachesTheNativeOpenAndCrashes()
    {
        string name = Names.NewName("trap-valid");
        SplinterStore.Create(name, 4, 32, Options).Dispose();
        ProcessRun.Result result = RunOpenChildWithTrapLibrary(name);
        Assert.That(result.Stderr, Does.Contain("trap: native splinter_open"));
        Assert.That(result.ExitCode, Is.EqualTo(128 + 7), "killed by SIGBUS (7)");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static string ExpectedReason(string kind) => kind switch
    {
        "truncated" => "truncated",
        "magic" => "wrong magic",
        "version" => "format version 3",
        "directory" => "directory",
        _ => "shorter than a store header",
    };

    private void MakeBadObject(string name, string kind)
    {
        string path = Names.PathOf(name);
        switch (kind)
        {
            case "truncated":
                SplinterStore.Create(name, 64, 256, Options).Dispose();
                using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
                {
                    file.SetLength(HeaderSize + SlotSize + 10);
                }

                break;
            case "magic":
            case "version":
                SplinterStore.Create(name, 4, 32, Options).Dispose();
                byte[] image = File.ReadAllBytes(path);
                if (kind == "magic")
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(image, 0x4C4C5546);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), 3);
                }

                File.WriteAllBytes(path, image);
                break;
            case "directory":
                Directory.CreateDirectory(path);
                _cleanup.Add(path);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            default:
                File.WriteAllBytes(path, new byte[HeaderSize - 1]);
                break;
        }
    }

    /// <summary>Puts the caller's SPLINTER_DEFAULT_UMASK back into the native environment (the library reads it with getenv).</summary>
    private static void RestoreVariable(string? value)
    {
        if (value is null)
        {
            UnsetEnv(UmaskVariable);
        }
        else
        {
            SetEnv(UmaskVariable, value, 1);
        }
    }

    private static UnixFileMode Mode(int bits) => (UnixFileMode)bits;

    [LibraryImport("libc.so.6", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnv(string name);
}
