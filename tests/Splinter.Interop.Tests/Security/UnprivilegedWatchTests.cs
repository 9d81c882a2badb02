using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using NUnit.Framework;
using Splinter.Interop.Tests.Events;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Security;

/// <content>
/// Watching without privileges: a subscriber that may not take the owner's bus (another user) polls instead and still
/// sees every write; a C writer that never arms the bus, and an owner killed mid-stream, are watched to the last write,
/// everything running as unprivileged users.
/// </content>
public sealed partial class UnprivilegedUserTests
{
    private const int CWriteCount = 60;

    /// <summary>User B may open user A's world-writable store but not take A's eventfd: without RequireBus it polls, and sees every write.</summary>
    [Test]
    [Category("CrossProcess")]
    [Category("Events")]
    public void ADifferentUserSubscriber_PollsInstead_AndSeesEveryWrite()
    {
        string folder = variant == SplinterVariant.Persistent ? Users.NewFolder("other-user-poll", Users.UserA) : string.Empty;
        string name = NewStoreName(folder, "other-user-poll");
        Dictionary<string, string> worldWritable = new() { ["SPLINTER_DEFAULT_UMASK"] = "0" };
        UserChild owner = Start(Users.UserA, worldWritable, "unpriv-own", name, variant.ToString(), WriteCount.ToString(CultureInfo.InvariantCulture), "shared");
        owner.ReadUntil("ready", ChildTimeout);

        UserChild watcher = Start(Users.UserB, "unpriv-watch", name, variant.ToString(), "auto", "unpriv.done");
        List<string> opening = watcher.ReadUntil("ready", ChildTimeout);
        owner.SendLine("write");
        Dictionary<string, ulong> written = ChildProcess.SeenEpochs(owner.ReadUntil("written", ChildTimeout));
        List<string> report = watcher.Finish(ChildTimeout);
        owner.SendLine("exit");
        owner.Finish(ChildTimeout);

        string mode = opening.Single(line => line.StartsWith("mode ", StringComparison.Ordinal));
        TestContext.Out.WriteLine($"uid {Users.UserB}: {mode}");
        Assert.Multiple(() =>
        {
            Assert.That(mode, Does.StartWith("mode Polling").And.Contain("EPERM"), "polling, and it says the bus was refused");
            Assert.That(ChildProcess.SeenEpochs(report), Is.EquivalentTo(written), "every key at the epoch of its write");
        });
    }

    /// <summary>A C program of user A that never arms the bus writes; a subscriber of user A in another process polls and sees every write.</summary>
    [Test]
    [Category("CrossProcess")]
    [Category("Events")]
    public void ACWriterThatNeverArmsTheBus_IsWatchedToTheLastWrite()
    {
        string folder = variant == SplinterVariant.Persistent ? Users.NewFolder("c-writer", Users.UserA) : string.Empty;
        string name = NewStoreName(folder, "c-writer");
        CreateWorldWritable(name);
        string writer = StagedCWriter();

        UserChild watcher = Start(Users.UserA, "unpriv-watch", name, variant.ToString(), "auto", "c.done");
        List<string> opening = watcher.ReadUntil("ready", ChildTimeout);
        UserChild c = Users.StartProgram(Users.UserA, writer, name, CWriteCount.ToString(CultureInfo.InvariantCulture), "500", "c.", "c.done");
        _children.Add(c);
        Assert.That(c.Finish(ChildTimeout), Does.Contain($"done {CWriteCount}"));
        List<string> report = watcher.Finish(ChildTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(opening, Has.Some.StartWith("mode Polling"), "nobody armed the bus");
            Assert.That(ChildProcess.SeenEpochs(report).Keys, Is.EquivalentTo(CKeys().Append("c.done")));
        });
    }

    /// <summary>
    /// User A's owner arms the bus and writes; a subscriber of user A is on the bus; the owner is killed; a C writer of
    /// user A writes on: the subscriber moves to polling and sees every write of both.
    /// </summary>
    [Test]
    [Category("CrossProcess")]
    [Category("Events")]
    public void AnOwnerKilledMidStream_LeavesTheSubscriberPolling_WithNothingLost()
    {
        string folder = variant == SplinterVariant.Persistent ? Users.NewFolder("owner-dies", Users.UserA) : string.Empty;
        string name = NewStoreName(folder, "owner-dies");
        string writer = StagedCWriter();
        UserChild owner = Start(Users.UserA, "unpriv-own", name, variant.ToString(), WriteCount.ToString(CultureInfo.InvariantCulture), "shared");
        owner.ReadUntil("ready", ChildTimeout);
        UserChild watcher = Start(Users.UserA, "unpriv-watch", name, variant.ToString(), "auto", "c.done");
        List<string> opening = watcher.ReadUntil("ready", ChildTimeout);

        owner.SendLine("write");
        Dictionary<string, ulong> written = ChildProcess.SeenEpochs(owner.ReadUntil("written", ChildTimeout));
        owner.Dispose(); // SIGKILL while the subscriber is on its bus
        const int AfterDeath = 20; // the owner's store has 64 slots: 40 keys and its done key are in already
        UserChild c = Users.StartProgram(Users.UserA, writer, name, AfterDeath.ToString(CultureInfo.InvariantCulture), "500", "c.", "c.done");
        _children.Add(c);
        Assert.That(c.Finish(ChildTimeout), Does.Contain($"done {AfterDeath}"));
        List<string> report = watcher.Finish(ChildTimeout);

        string finalMode = report.Single(line => line.StartsWith("final-mode ", StringComparison.Ordinal));
        TestContext.Out.WriteLine($"{opening.Single(line => line.StartsWith("mode ", StringComparison.Ordinal))}; {finalMode}");
        Assert.Multiple(() =>
        {
            Assert.That(opening, Has.Some.StartWith("mode Bus"), "on the owner's bus at first");
            Assert.That(finalMode, Does.StartWith("final-mode Polling").And.Contain("exited"));
            Assert.That(ChildProcess.SeenEpochs(report).Keys, Is.EquivalentTo(written.Keys.Concat(CKeys(AfterDeath)).Append("c.done")));
        });
    }

    private static IEnumerable<string> CKeys(int count = CWriteCount) => Enumerable.Range(0, count).Select(i => "c." + i.ToString(CultureInfo.InvariantCulture));

    /// <summary>The C writer and its library, staged where the throwaway users can run it.</summary>
    private string StagedCWriter()
    {
        using CProgram program = CProgram.Build("c_writer", variant, besideItsLibrary: true);
        return Path.Combine(Users.StageFolder(program.Directory, "c-writer"), "c_writer");
    }

    /// <summary>Root creates the store with mode 0666, so user A may open it.</summary>
    private void CreateWorldWritable(string name)
    {
        using SplinterStore store = SplinterStore.Create(name, 256, 64, Options);
        File.SetUnixFileMode(store.BackingPath, Mode0666);
    }
}
