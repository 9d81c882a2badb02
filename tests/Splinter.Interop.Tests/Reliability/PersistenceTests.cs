using System;
using System.Globalization;
using NUnit.Framework;
using Splinter.Interop;
using Splinter.Interop.Tests.Events;

namespace Splinter.Interop.Tests.Reliability;

/// <content>
/// The persistent variant: data survives close and reopen, and a writer process killed with
/// SIGKILL between operations loses nothing it completed (the file mapping is MAP_SHARED; the
/// kernel keeps the pages).
/// </content>
public sealed partial class ReliabilityTests
{
    private const int PersistChildWrites = 200;

    [Test]
    [Order(50)]
    public void Persistent_DataSurvivesCloseReopenAndAKilledWriter()
    {
        string path = _persistent.NewName("persist");
        using (SplinterStore store = SplinterStore.Create(path, 512, 128, SplinterStoreOptions.Persistent))
        {
            store.Set("p.count", new byte[8]);
            store.Slots.SetType("p.count", SplinterSlotTypes.BigUInt);
            store.Set("parent", "written before close"u8);
            store.AddLabels("parent", 0x5);
            store.Slots.SetTime("parent", SplinterSlotTime.Creation, 1234);
        }

        // Reopen: everything is still there, metadata included.
        using (SplinterStore store = SplinterStore.Open(path, SplinterStoreOptions.Persistent))
        {
            Assert.That(store.GetString("parent"), Is.EqualTo("written before close"));
            SplinterSlotSnapshot snapshot = store.Slots.GetSnapshot("parent");
            Assert.That(snapshot.Labels, Is.EqualTo(0x5UL));
            Assert.That(snapshot.CreationTime, Is.EqualTo(1234UL));
            Assert.That(snapshot.Type, Is.EqualTo(SplinterSlotTypes.Void));
        }

        // A child writes through its own mapping, then is killed (SIGKILL) between operations.
        ChildProcess writer = StartChild("rel-persist-write", path, PersistChildWrites.ToString(CultureInfo.InvariantCulture));
        writer.WaitReady();
        writer.Dispose();
        _children.Remove(writer);

        using (SplinterStore store = SplinterStore.Open(path, SplinterStoreOptions.Persistent))
        {
            int intact = 0;
            for (int i = 0; i < PersistChildWrites; i++)
            {
                if (store.GetString(PersistKey(i)) == PersistValue(i))
                {
                    intact++;
                }
            }

            Assert.That(intact, Is.EqualTo(PersistChildWrites), "writes the killed child completed");
            Assert.That(store.Integers.TryGet("p.count", out ulong count), Is.True);
            Assert.That(count, Is.EqualTo((ulong)PersistChildWrites), "the child's counter increments");
            Assert.That(store.GetString("parent"), Is.EqualTo("written before close"));
            store.Set("parent", "second generation"u8);
        }

        // And once more from this process after the crash and the new write.
        using (SplinterStore store = SplinterStore.Open(path, SplinterStoreOptions.Persistent))
        {
            Assert.That(store.GetString("parent"), Is.EqualTo("second generation"));
            Assert.That(store.GetString(PersistKey(PersistChildWrites - 1)), Is.EqualTo(PersistValue(PersistChildWrites - 1)));
        }
    }

    // Same rule as TestChild's ReliabilityChild.PersistKey / PersistValue.
    private static string PersistKey(int i) => "p." + i.ToString(CultureInfo.InvariantCulture);

    private static string PersistValue(int i) => $"child value {i} " + new string((char)('a' + (i % 26)), i % 50);
}
