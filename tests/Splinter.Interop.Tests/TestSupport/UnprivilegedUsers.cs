using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using NUnit.Framework;
using Splinter.Interop.Tests.Events;

namespace Splinter.Interop.Tests.TestSupport;

/// <summary>
/// Runs the real child process (tests/Splinter.Interop.TestChild) as two throwaway unprivileged users, A and B, so that
/// file modes and ptrace rules are tested the way they apply to everyone but root.
/// <para>
/// How the users are made: they are not. <c>setpriv --reuid=N --regid=N --clear-groups</c> (util-linux) switches to
/// numeric ids that have no passwd or group entry and no running process; the kernel needs no entry, and nothing on the
/// machine is created, changed or left behind, so two test runs at once cannot disturb each other either. (runuser and
/// useradd would need a passwd entry, which is a system change to make idempotently and to undo.)
/// </para>
/// <para>
/// The child is copied with its native libraries into a private staging folder under the temp folder that both users can
/// read (the checkout may sit under a folder they cannot traverse, like /root), each user gets a HOME there, and the
/// folder is removed on <see cref="Dispose"/>. Where switching is impossible (not root, no setpriv, a sandbox without
/// CAP_SETUID, a .NET host the users cannot run) <see cref="StartOrIgnore"/> ignores the tests with the exact reason.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed partial class UnprivilegedUsers : IDisposable
{
    /// <summary>Ids are taken from here upward: the top of Debian's range for ordinary users, which adduser fills from the bottom.</summary>
    private const uint FirstCandidateId = 59_900;
    private const uint LastCandidateId = 59_999;

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);
    private static int s_counter;

    private readonly string _setpriv;
    private readonly string _host;
    private readonly string _childAssembly;
    private readonly Dictionary<string, string> _libraryVariables;

    private UnprivilegedUsers(string staging, string setpriv, string host, uint userA, uint userB)
    {
        Staging = staging;
        _setpriv = setpriv;
        _host = host;
        UserA = userA;
        UserB = userB;
        _childAssembly = Path.Combine(staging, "child", Path.GetFileName(ChildProcess.ChildAssemblyPath));
        _libraryVariables = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>The first throwaway user (uid = gid, no supplementary groups).</summary>
    public uint UserA { get; }

    /// <summary>The second throwaway user, different from <see cref="UserA"/>.</summary>
    public uint UserB { get; }

    /// <summary>The staging folder (root-owned, 0755): the child's copy, the users' homes, store folders.</summary>
    public string Staging { get; }

    /// <summary>
    /// The Yama ptrace policy, which decides whether a same-user process that is not the bus owner's descendant may take its
    /// eventfd: 0 (classic rules: same user suffices), 1 (descendants only, unless the owner names a tracer), 2 (admin only),
    /// 3 (nobody); without Yama the classic rules apply.
    /// </summary>
    public static string PtracePolicy =>
        File.Exists("/proc/sys/kernel/yama/ptrace_scope")
            ? "Yama ptrace_scope " + File.ReadAllText("/proc/sys/kernel/yama/ptrace_scope").Trim()
            : "no Yama (classic ptrace rules)";

    /// <summary>
    /// Checks that this process can switch users, stages the child and proves the switch with it (both users run it and
    /// report exactly their own ids, no groups, no capabilities). Calls <see cref="Assert.Ignore(string)"/> with the reason
    /// where switching is impossible; fails where it should work but does not.
    /// </summary>
    public static UnprivilegedUsers StartOrIgnore()
    {
        if (GetEffectiveUserId() != 0)
        {
            Assert.Ignore($"the tests run as uid {GetEffectiveUserId()}, not root: switching to throwaway users needs root (CAP_SETUID and CAP_SETGID).");
        }

        string setpriv = FindOnPath("setpriv")
            ?? IgnoreWith<string>("setpriv (util-linux) is not installed, so the tests cannot switch users; install util-linux.");
        string host = DotnetHost();
        string temp = TraversableTempFolder();
        (uint userA, uint userB) = PickUnusedIds();

        string childSource = Path.GetDirectoryName(ChildProcess.ChildAssemblyPath)!;
        if (!File.Exists(ChildProcess.ChildAssemblyPath))
        {
            Assert.Fail($"TestChild is not built at {ChildProcess.ChildAssemblyPath} (build tests/Splinter.Interop.TestChild or set SPLINTER_TESTCHILD).");
        }

        string staging = Path.Combine(temp, $"splinter-unpriv-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}-{Guid.NewGuid():N}");
        UnprivilegedUsers users = new(staging, setpriv, host, userA, userB);
        try
        {
            users.Stage(childSource);
            users.ProveTheSwitch();
            return users;
        }
        catch
        {
            users.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new folder in the staging folder, owned by <paramref name="ownerUid"/> (and the same gid) with mode 0755: every
    /// user can reach files in it, only its owner (and root) can add or remove them.
    /// </summary>
    public string NewFolder(string purpose, uint ownerUid)
    {
        string path = Path.Combine(Staging, $"{purpose}-{Interlocked.Increment(ref s_counter)}");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Mode0755);
        ChangeOwner(path, ownerUid);
        return path;
    }

    /// <summary>Starts the child as <paramref name="uid"/> (gid the same, no supplementary groups) with extra environment variables and the mode arguments.</summary>
    public UserChild Start(uint uid, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        ProcessStartInfo start = SwitchedStart(uid, [_host, _childAssembly, .. arguments]);
        foreach (KeyValuePair<string, string> entry in environment)
        {
            start.Environment[entry.Key] = entry.Value;
        }

        return UserChild.Start(start, uid, string.Join(' ', arguments));
    }

    /// <summary>Starts any program (e.g. a C writer staged with <see cref="StageFolder"/>) as <paramref name="uid"/>.</summary>
    public UserChild StartProgram(uint uid, string program, params string[] arguments) =>
        UserChild.Start(SwitchedStart(uid, [program, .. arguments]), uid, System.IO.Path.GetFileName(program) + " " + string.Join(' ', arguments));

    /// <summary>Copies a folder (a built C program and its library) into the staging folder where every user can run it; returns the copy.</summary>
    public string StageFolder(string source, string purpose)
    {
        string copy = Path.Combine(Staging, $"{purpose}-{Interlocked.Increment(ref s_counter)}");
        CopyReadable(source, copy);
        return copy;
    }

    /// <summary>Removes the staging folder with everything in it (children must have exited).</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Staging))
            {
                Directory.Delete(Staging, recursive: true);
            }
        }
        catch (Exception exception)
        {
            TestContext.Out.WriteLine($"could not remove the staging folder {Staging}: {exception.Message}");
        }
    }

    private static readonly UnixFileMode Mode0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly UnixFileMode Mode0644 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The copy of the child, the homes and the native libraries named by SPLINTER_LIBRARY* variables.</summary>
    private void Stage(string childSource)
    {
        Directory.CreateDirectory(Staging);
        File.SetUnixFileMode(Staging, Mode0755);
        CopyReadable(childSource, Path.Combine(Staging, "child"));
        foreach (uint uid in new[] { UserA, UserB })
        {
            string home = HomeOf(uid);
            Directory.CreateDirectory(home);
            File.SetUnixFileMode(home, Mode0700);
            ChangeOwner(home, uid);
        }

        // A library chosen by environment variable may live in the checkout as well: copy it beside the child.
        foreach (string variable in new[] { "SPLINTER_LIBRARY", "SPLINTER_LIBRARY_P", "SPLINTER_SHIM_LIBRARY" })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } library && File.Exists(library))
            {
                string folder = Path.Combine(Staging, "library-" + variable.ToLowerInvariant());
                Directory.CreateDirectory(folder);
                File.SetUnixFileMode(folder, Mode0755);
                string copy = Path.Combine(folder, Path.GetFileName(library));
                File.Copy(library, copy);
                File.SetUnixFileMode(copy, Mode0755);
                _libraryVariables[variable] = copy;
            }
        }
    }

    /// <summary>
    /// First a plain switch (a sandbox may refuse setresuid: ignored), then whether the users may run the .NET host at all
    /// (ignored if not: it is installed where they cannot reach it), then the child itself as each user, which must work
    /// and must report exactly the ids asked for.
    /// </summary>
    private void ProveTheSwitch()
    {
        string truePath = FindOnPath("true") ?? "/bin/true";
        ProcessRun.Result plain = ProcessRun.Run(SwitchedStart(UserA, [truePath]), ProbeTimeout);
        if (plain.ExitCode != 0)
        {
            Assert.Ignore($"setpriv could not switch to uid {UserA} (exit {plain.ExitCode}: {plain.Stderr.Trim()}); this environment cannot run processes as another user (a sandbox without CAP_SETUID/CAP_SETGID?).");
        }

        string testPath = FindOnPath("test") ?? "/usr/bin/test";
        ProcessRun.Result host = ProcessRun.Run(SwitchedStart(UserA, [testPath, "-x", _host]), ProbeTimeout);
        if (host.ExitCode != 0)
        {
            Assert.Ignore($"the .NET host {_host} is not executable by uid {UserA} (it is installed under a folder other users cannot reach); install .NET where every user can run it, or point DOTNET_HOST_PATH at such a copy.");
        }

        foreach (uint uid in new[] { UserA, UserB })
        {
            ProcessRun.Result whoami = ProcessRun.Run(SwitchedStart(uid, [_host, _childAssembly, "unpriv-whoami"]), ProbeTimeout);
            Assert.That(whoami.ExitCode, Is.Zero, $"the staged child does not start as uid {uid}: {whoami.Stderr}");
            Dictionary<string, string> status = whoami.Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line.StartsWith("status ", StringComparison.Ordinal))
                .Select(line => line["status ".Length..].Split(':', 2))
                .ToDictionary(parts => parts[0], parts => string.Join(' ', parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparer.Ordinal);
            string id = uid.ToString(CultureInfo.InvariantCulture);
            string four = $"{id} {id} {id} {id}";
            Assert.Multiple(() =>
            {
                Assert.That(status.GetValueOrDefault("Uid"), Is.EqualTo(four), "real, effective, saved and filesystem uid");
                Assert.That(status.GetValueOrDefault("Gid"), Is.EqualTo(four), "real, effective, saved and filesystem gid");
                Assert.That(status.GetValueOrDefault("Groups"), Is.Empty, "no supplementary groups (root's would stay without --clear-groups)");
                Assert.That(status.GetValueOrDefault("CapEff"), Is.EqualTo("0000000000000000"), "no effective capabilities");
                Assert.That(status.GetValueOrDefault("CapPrm"), Is.EqualTo("0000000000000000"), "no permitted capabilities");
            });
        }
    }

    private string HomeOf(uint uid) => Path.Combine(Staging, "home-" + uid.ToString(CultureInfo.InvariantCulture));

    /// <summary>setpriv switching to <paramref name="uid"/>, then <paramref name="command"/>, with a small clean environment.</summary>
    private ProcessStartInfo SwitchedStart(uint uid, string[] command)
    {
        string id = uid.ToString(CultureInfo.InvariantCulture);
        ProcessStartInfo start = new(_setpriv)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = HomeOf(uid),
        };
        foreach (string argument in (string[])[$"--reuid={id}", $"--regid={id}", "--clear-groups", "--", .. command])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = HomeOf(uid);
        start.Environment["DOTNET_CLI_HOME"] = HomeOf(uid);
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1"; // no dependency on ICU being readable
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root)
        {
            start.Environment["DOTNET_ROOT"] = root;
        }

        foreach (KeyValuePair<string, string> entry in _libraryVariables)
        {
            start.Environment[entry.Key] = entry.Value;
        }

        return start;
    }

    /// <summary>Copies a folder tree; folders become 0755, files 0755 if their owner could execute them, else 0644.</summary>
    private static void CopyReadable(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        File.SetUnixFileMode(destination, Mode0755);
        foreach (string file in Directory.GetFiles(source))
        {
            string target = Path.Combine(destination, Path.GetFileName(file));
            File.Copy(file, target);
            bool executable = (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;
            File.SetUnixFileMode(target, executable ? Mode0755 : Mode0644);
        }

        foreach (string folder in Directory.GetDirectories(source))
        {
            CopyReadable(folder, Path.Combine(destination, Path.GetFileName(folder)));
        }
    }

    /// <summary>
    /// Two ids from <see cref="FirstCandidateId"/> up that name no user and no group (NSS: files, systemd, LDAP alike)
    /// and own no running process, so the throwaway users share nothing with anyone.
    /// </summary>
    private static (uint UserA, uint UserB) PickUnusedIds()
    {
        HashSet<uint> running = RunningProcessUids();
        List<uint> free = new();
        for (uint id = FirstCandidateId; id <= LastCandidateId && free.Count < 2; id++)
        {
            if (GetPasswordEntry(id) == 0 && GetGroupEntry(id) == 0 && !running.Contains(id))
            {
                free.Add(id);
            }
        }

        if (free.Count < 2)
        {
            Assert.Ignore($"no two unused ids between {FirstCandidateId} and {LastCandidateId} (every one names a user, a group or a running process).");
        }

        return (free[0], free[1]);
    }

    private static HashSet<uint> RunningProcessUids()
    {
        HashSet<uint> uids = new();
        foreach (string process in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out _))
            {
                continue;
            }

            try
            {
                string? line = File.ReadLines(Path.Combine(process, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (line is null)
                {
                    continue;
                }

                foreach (string field in line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Skip(1))
                {
                    uids.Add(uint.Parse(field, CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
        }

        return uids;
    }

    /// <summary>The temp folder if every folder above it lets other users through, else /tmp; ignored if neither does.</summary>
    private static string TraversableTempFolder()
    {
        foreach (string candidate in new[] { Path.GetTempPath(), "/tmp" })
        {
            string? blocking = FolderBlockingOthers(Path.GetFullPath(candidate));
            if (blocking is null)
            {
                return candidate;
            }

            TestContext.Out.WriteLine($"temp folder {candidate} is not usable: {blocking} does not let other users through");
        }

        return IgnoreWith<string>("neither the temp folder nor /tmp can be traversed by other users, so no unprivileged user could run the staged child.");
    }

    private static string? FolderBlockingOthers(string path)
    {
        for (DirectoryInfo? folder = new(path); folder is not null; folder = folder.Parent)
        {
            if (!folder.Exists || (folder.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return folder.FullName;
            }
        }

        return null;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath)
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet")
        {
            return self;
        }

        return FindOnPath("dotnet") ?? IgnoreWith<string>("no dotnet host on PATH and DOTNET_HOST_PATH is not set.");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    private static T IgnoreWith<T>(string reason)
    {
        Assert.Ignore(reason);
        throw new UnreachableException();
    }

    private static void ChangeOwner(string path, uint uid)
    {
        if (Chown(path, uid, uid) != 0)
        {
            Assert.Fail($"chown {uid}:{uid} {path} failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The uid that owns a file (statx, whose layout is the same on every architecture).</summary>
    public static unsafe uint OwnerOf(string path)
    {
        const int AtCurrentFolder = -100;
        const uint StatxUid = 0x8;
        const int UidOffset = 20; // struct statx: mask, blksize (u32 each), attributes (u64), nlink (u32), then uid
        byte* buffer = stackalloc byte[256];
        if (Statx(AtCurrentFolder, path, 0, StatxUid, buffer) != 0)
        {
            Assert.Fail($"statx {path} failed with errno {Marshal.GetLastPInvokeError()}");
        }

        return *(uint*)(buffer + UidOffset);
    }

    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int folder, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc.so.6", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc.so.6", EntryPoint = "getpwuid")]
    private static partial nint GetPasswordEntry(uint uid);

    [LibraryImport("libc.so.6", EntryPoint = "getgrgid")]
    private static partial nint GetGroupEntry(uint gid);

    [LibraryImport("libc.so.6", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint owner, uint group);
}
