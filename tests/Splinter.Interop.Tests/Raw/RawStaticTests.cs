using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Raw;

/// <summary>
/// Every [LibraryImport] of LibSplinter (the static path, bound to libsplinter.so) called at least once. The case
/// list comes from reflection: a function without an entry here is a failing case. The shared-memory store is
/// created through the same library the static imports resolve to.
/// </summary>
[TestFixture]
[Category("Raw")]
[NonParallelizable] // Not in parallel: the raw layer's process-global library holds one store at a time.
public sealed unsafe class RawStaticTests
{
    private delegate void RawCase(RawStore store);

    public static IEnumerable<string> Cases() => typeof(LibSplinter).GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null).Select(m => m.Name).Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Cases))]
    public void CallsTheFunction(string function)
    {
        Assert.That(s_cases.TryGetValue(function, out RawCase? test), Is.True, $"no raw test calls {function}");
        using var store = new RawStore(SplinterVariant.SharedMemory);
        test!(store);
    }

    private static readonly Dictionary<string, RawCase> s_cases = new(StringComparer.Ordinal)
    {
        ["splinter_create"] = s =>
        {
            // The store exists (RawStore created it): creating it again fails.
            Assert.That(LibSplinter.splinter_create(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.EqualTo(-1));
            Assert.That(LibSplinter.splinter_create(s.Utf8("zero-geometry"), 0, 16), Is.EqualTo(-2));
        },
        ["splinter_open"] = s =>
        {
            LibSplinter.splinter_close();
            Assert.That(LibSplinter.splinter_open(s.NameZ), Is.Zero);
            Assert.That(LibSplinter.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_create_or_open"] = s =>
        {
            LibSplinter.splinter_close();
            Assert.That(LibSplinter.splinter_create_or_open(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.Zero);
            Assert.That(LibSplinter.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_open_or_create"] = s =>
        {
            LibSplinter.splinter_close();
            Assert.That(LibSplinter.splinter_open_or_create(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.Zero);
            Assert.That(LibSplinter.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_close"] = s =>
        {
            LibSplinter.splinter_close();
            Assert.That(LibSplinter.splinter_get_mop(), Is.EqualTo(-2), "no store after close");
        },
        ["splinter_set_mop"] = s =>
        {
            Assert.That(LibSplinter.splinter_set_mop(0), Is.Zero);
            Assert.That(LibSplinter.splinter_get_mop(), Is.Zero);
        },
        ["splinter_get_mop"] = s => Assert.That(LibSplinter.splinter_get_mop(), Is.EqualTo(1), "hybrid scrub at create"),
        ["splinter_purge"] = s =>
        {
            s.Set("k", "v");
            ulong before = LibSplinter.splinter_get_epoch(s.Utf8("k"));
            LibSplinter.splinter_purge();
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("k")), Is.EqualTo(before + 2));
        },
        ["splinter_set"] = s =>
        {
            byte value = 7;
            Assert.That(LibSplinter.splinter_set(s.Utf8("k"), &value, 1), Is.Zero);
            Assert.That(LibSplinter.splinter_set(s.Utf8("k"), &value, RawStore.MaxValueSize + 1), Is.EqualTo(-1), "longer than max_val_sz");
            Assert.That(s.Get("k"), Is.EqualTo("\u0007"));
        },
        ["splinter_unset"] = s =>
        {
            s.Set("k", "hello");
            Assert.That(LibSplinter.splinter_unset(s.Utf8("k")), Is.EqualTo(5));
            Assert.That(LibSplinter.splinter_unset(s.Utf8("k")), Is.EqualTo(-1));
        },
        ["splinter_get"] = s =>
        {
            s.Set("k", "hello");
            byte* buffer = stackalloc byte[16];
            nuint length = 0;
            Assert.That(LibSplinter.splinter_get(s.Utf8("k"), buffer, 16, &length), Is.Zero);
            Assert.That(new string((sbyte*)buffer, 0, (int)length), Is.EqualTo("hello"));
            Assert.That(LibSplinter.splinter_get(s.Utf8("k"), buffer, 2, &length), Is.EqualTo(-1), "buffer too small");
            Assert.That(length, Is.EqualTo((nuint)5));
        },
        ["splinter_list"] = s =>
        {
            s.Set("a", "1");
            s.Set("b", "2");
            sbyte** keys = stackalloc sbyte*[8];
            nuint count = 0;
            Assert.That(LibSplinter.splinter_list(keys, 8, &count), Is.Zero);
            var names = new List<string>();
            for (nuint i = 0; i < count; i++)
            {
                names.Add(new string(keys[i]));
            }
            Assert.That(names, Is.EquivalentTo(new[] { "a", "b" }));
        },
        ["splinter_poll"] = s =>
        {
            s.Set("k", "v");
            Assert.That(LibSplinter.splinter_poll(s.Utf8("k"), 20), Is.EqualTo(-1), "nothing changes: timeout");
            Assert.That(LibSplinter.splinter_poll(null, 20), Is.EqualTo(-2));
        },
        ["splinter_get_header_snapshot"] = s =>
        {
            splinter_header_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_header_snapshot(&snapshot), Is.Zero);
            Assert.That(snapshot.magic, Is.EqualTo(LibSplinter.SPLINTER_MAGIC));
            Assert.That(snapshot.version, Is.EqualTo((uint)LibSplinter.SPLINTER_VER));
            Assert.That(snapshot.slots, Is.EqualTo((uint)RawStore.Slots));
            Assert.That(snapshot.max_val_sz, Is.EqualTo((uint)RawStore.MaxValueSize));
        },
        ["splinter_get_slot_snapshot"] = s =>
        {
            s.Set("snap", "hello");
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("snap"), &snapshot), Is.Zero);
            Assert.That(snapshot.val_len, Is.EqualTo(5u));
            Assert.That(new string(snapshot.key), Is.EqualTo("snap"));
            Assert.That(snapshot.epoch % 2, Is.Zero);
        },
        ["splinter_config_set"] = s =>
        {
            splinter_header header = default;
            LibSplinter.splinter_config_set(&header, 0x30);
            Assert.That(header.core_flags, Is.EqualTo(0x30));
        },
        ["splinter_config_clear"] = s =>
        {
            splinter_header header = default;
            header.core_flags = 0x33;
            LibSplinter.splinter_config_clear(&header, 0x30);
            Assert.That(header.core_flags, Is.EqualTo(0x03));
        },
        ["splinter_config_test"] = s =>
        {
            splinter_header header = default;
            header.core_flags = 0x02;
            Assert.That(LibSplinter.splinter_config_test(&header, 0x02), Is.EqualTo(1));
            Assert.That(LibSplinter.splinter_config_test(&header, 0x01), Is.Zero);
        },
        ["splinter_config_snapshot"] = s =>
        {
            splinter_header header = default;
            header.core_flags = 0x81;
            Assert.That(LibSplinter.splinter_config_snapshot(&header), Is.EqualTo(0x81));
        },
        ["splinter_slot_usr_set"] = s =>
        {
            splinter_slot slot = default;
            LibSplinter.splinter_slot_usr_set(&slot, 0x0105);
            Assert.That(slot.user_flag, Is.EqualTo(0x05), "the mask's high byte is ignored");
        },
        ["splinter_slot_usr_clear"] = s =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0x0F;
            LibSplinter.splinter_slot_usr_clear(&slot, 0x03);
            Assert.That(slot.user_flag, Is.EqualTo(0x0C));
        },
        ["splinter_slot_usr_test"] = s =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0x08;
            Assert.That(LibSplinter.splinter_slot_usr_test(&slot, 0x08), Is.EqualTo(1));
            Assert.That(LibSplinter.splinter_slot_usr_test(&slot, 0x01), Is.Zero);
        },
        ["splinter_slot_usr_snapshot"] = s =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0xA5;
            Assert.That(LibSplinter.splinter_slot_usr_snapshot(&slot), Is.EqualTo(0xA5));
        },
        ["splinter_set_named_type"] = s =>
        {
            s.Set("typed", "x");
            Assert.That(LibSplinter.splinter_set_named_type(s.Utf8("typed"), LibSplinter.SPL_SLOT_TYPE_JSON), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("typed"), &snapshot), Is.Zero);
            Assert.That(snapshot.type_flag, Is.EqualTo(LibSplinter.SPL_SLOT_TYPE_JSON));
        },
        ["splinter_set_slot_time"] = s =>
        {
            s.Set("timed", "x");
            Assert.That(LibSplinter.splinter_set_slot_time(s.Utf8("timed"), LibSplinter.SPL_TIME_CTIME, 1000, 10), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("timed"), &snapshot), Is.Zero);
            Assert.That(snapshot.ctime, Is.EqualTo(990UL));
        },
        ["splinter_integer_op"] = s =>
        {
            ulong value = 5;
            Assert.That(LibSplinter.splinter_set(s.Utf8("n"), &value, 8), Is.Zero);
            Assert.That(LibSplinter.splinter_set_named_type(s.Utf8("n"), LibSplinter.SPL_SLOT_TYPE_BIGUINT), Is.Zero);
            ulong one = 1;
            Assert.That(LibSplinter.splinter_integer_op(s.Utf8("n"), splinter_integer_op_t.SPL_OP_INC, &one), Is.Zero);
            ulong result = 0;
            nuint length;
            Assert.That(LibSplinter.splinter_get(s.Utf8("n"), &result, 8, &length), Is.Zero);
            Assert.That(result, Is.EqualTo(6UL));
        },
        ["splinter_get_raw_ptr"] = s =>
        {
            s.Set("raw", "bytes");
            nuint length;
            ulong epoch;
            byte* value = (byte*)LibSplinter.splinter_get_raw_ptr(s.Utf8("raw"), &length, &epoch);
            Assert.That(value != null, Is.True);
            Assert.That(System.Text.Encoding.UTF8.GetString(value, (int)length), Is.EqualTo("bytes"));
            Assert.That(epoch, Is.EqualTo(LibSplinter.splinter_get_epoch(s.Utf8("raw"))));
            Assert.That(LibSplinter.splinter_get_raw_ptr(s.Utf8("absent"), &length, &epoch) == null, Is.True);
        },
        ["splinter_get_epoch"] = s =>
        {
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("absent")), Is.Zero);
            s.Set("e", "1");
            ulong first = LibSplinter.splinter_get_epoch(s.Utf8("e"));
            s.Set("e", "2");
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("e")), Is.GreaterThan(first));
        },
        ["splinter_bump_slot"] = s =>
        {
            s.Set("b", "1");
            ulong before = LibSplinter.splinter_get_epoch(s.Utf8("b"));
            Assert.That(LibSplinter.splinter_bump_slot(s.Utf8("b")), Is.Zero);
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("b")), Is.EqualTo(before + 2));
        },
        ["splinter_retrain_slot"] = s =>
        {
            s.Set("r", "1");
            s.Set("r", "2");
            Assert.That(LibSplinter.splinter_retrain_slot(s.Utf8("r")), Is.Zero);
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("r")), Is.EqualTo(4UL));
        },
        ["splinter_set_as_system"] = s =>
        {
            s.Set("sys", "x");
            Assert.That(LibSplinter.splinter_set_as_system(s.Utf8("sys")), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("sys"), &snapshot), Is.Zero);
            Assert.That(snapshot.type_flag, Is.EqualTo(LibSplinter.SPL_SLOT_TYPE_BINARY));
            Assert.That(snapshot.val_len, Is.EqualTo((uint)RawStore.MaxValueSize));
        },
        ["splinter_append"] = s =>
        {
            s.Set("ap", "ab");
            byte* tail = stackalloc byte[] { (byte)'c', (byte)'d' };
            nuint length = 0;
            Assert.That(LibSplinter.splinter_append(s.Utf8("ap"), tail, 2, &length), Is.Zero);
            Assert.That(length, Is.EqualTo((nuint)4));
            Assert.That(s.Get("ap"), Is.EqualTo("abcd"));
        },
        ["splinter_set_label"] = s =>
        {
            s.Set("l", "x");
            Assert.That(LibSplinter.splinter_set_label(s.Utf8("l"), 0b101), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("l"), &snapshot), Is.Zero);
            Assert.That(snapshot.bloom, Is.EqualTo(0b101UL));
        },
        ["splinter_unset_label"] = s =>
        {
            s.Set("l", "x");
            Assert.That(LibSplinter.splinter_set_label(s.Utf8("l"), 0b111), Is.Zero);
            Assert.That(LibSplinter.splinter_unset_label(s.Utf8("l"), 0b010), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_slot_snapshot(s.Utf8("l"), &snapshot), Is.Zero);
            Assert.That(snapshot.bloom, Is.EqualTo(0b101UL));
        },
        ["splinter_enumerate_matches"] = s =>
        {
            s.Set("m1", "x");
            s.Set("m2", "x");
            s.Set("other", "x");
            Assert.That(LibSplinter.splinter_set_label(s.Utf8("m1"), 0b10), Is.Zero);
            Assert.That(LibSplinter.splinter_set_label(s.Utf8("m2"), 0b11), Is.Zero);
            var found = new List<string>();
            GCHandle handle = GCHandle.Alloc(found);
            try
            {
                LibSplinter.splinter_enumerate_matches(0b10, &RawCallbacks.CollectKey, (void*)GCHandle.ToIntPtr(handle));
            }
            finally
            {
                handle.Free();
            }
            Assert.That(found, Is.EquivalentTo(new[] { "m1", "m2" }));
        },
        ["splinter_client_set_tandem"] = s =>
        {
            byte* first = stackalloc byte[] { (byte)'A' };
            byte* second = stackalloc byte[] { (byte)'B', (byte)'B' };
            void** values = stackalloc void*[] { first, second };
            nuint* lengths = stackalloc nuint[] { 1, 2 };
            Assert.That(LibSplinter.splinter_client_set_tandem(s.Utf8("t"), values, lengths, 2), Is.Zero);
            Assert.That(s.Get("t"), Is.EqualTo("A"));
            Assert.That(s.Get("t" + Encoding.UTF8.GetString(LibSplinter.SPL_ORDER_ACCESSOR) + "1"), Is.EqualTo("BB"));
        },
        ["splinter_client_unset_tandem"] = s =>
        {
            s.Set("u", "A");
            s.Set("u.1", "B");
            LibSplinter.splinter_client_unset_tandem(s.Utf8("u"), 2);
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("u")), Is.Zero);
            Assert.That(LibSplinter.splinter_get_epoch(s.Utf8("u.1")), Is.Zero);
        },
        ["splinter_watch_register"] = s =>
        {
            s.Set("w", "x");
            Assert.That(LibSplinter.splinter_watch_register(s.Utf8("w"), 3), Is.Zero);
            ulong before = LibSplinter.splinter_get_signal_count(3);
            s.Set("w", "y");
            Assert.That(LibSplinter.splinter_get_signal_count(3), Is.GreaterThan(before));
            Assert.That(LibSplinter.splinter_watch_register(s.Utf8("w"), 64), Is.EqualTo(-2));
        },
        ["splinter_watch_unregister"] = s =>
        {
            s.Set("w", "x");
            Assert.That(LibSplinter.splinter_watch_register(s.Utf8("w"), 4), Is.Zero);
            Assert.That(LibSplinter.splinter_watch_unregister(s.Utf8("w"), 4), Is.Zero);
            ulong before = LibSplinter.splinter_get_signal_count(4);
            s.Set("w", "y");
            Assert.That(LibSplinter.splinter_get_signal_count(4), Is.EqualTo(before));
        },
        ["splinter_watch_label_register"] = s =>
        {
            Assert.That(LibSplinter.splinter_watch_label_register(0b1000, 6), Is.Zero);
            Assert.That(LibSplinter.splinter_watch_label_register(0b1000, 64), Is.EqualTo(-2));
            s.Set("lw", "x");
            Assert.That(LibSplinter.splinter_set_label(s.Utf8("lw"), 0b1000), Is.Zero);
            ulong before = LibSplinter.splinter_get_signal_count(6);
            s.Set("lw", "y");
            Assert.That(LibSplinter.splinter_get_signal_count(6), Is.GreaterThan(before));
        },
        ["splinter_pulse_watchers"] = s =>
        {
            splinter_slot slot = default;
            slot.watcher_mask = 1UL << 7;
            ulong before = LibSplinter.splinter_get_signal_count(7);
            LibSplinter.splinter_pulse_watchers(&slot);
            Assert.That(LibSplinter.splinter_get_signal_count(7), Is.EqualTo(before + 1));
        },
        ["splinter_pulse_keygroup"] = s =>
        {
            s.Set("p", "x");
            Assert.That(LibSplinter.splinter_watch_register(s.Utf8("p"), 8), Is.Zero);
            ulong before = LibSplinter.splinter_get_signal_count(8);
            Assert.That(LibSplinter.splinter_pulse_keygroup(s.Utf8("p")), Is.Zero);
            Assert.That(LibSplinter.splinter_get_signal_count(8), Is.GreaterThan(before));
        },
        ["splinter_get_signal_count"] = s =>
        {
            Assert.That(LibSplinter.splinter_get_signal_count(9), Is.Zero, "fresh store");
            Assert.That(LibSplinter.splinter_get_signal_count(64), Is.Zero, "group out of range");
        },
        ["splinter_event_bus_init"] = s =>
        {
            Assert.That(LibSplinter.splinter_event_bus_init(), Is.Zero);
            splinter_header_snapshot snapshot;
            Assert.That(LibSplinter.splinter_get_header_snapshot(&snapshot), Is.Zero);
        },
        ["splinter_event_bus_open"] = s =>
        {
            Assert.That(LibSplinter.splinter_event_bus_open(), Is.EqualTo(-1), "not armed yet");
            Assert.That(LibSplinter.splinter_event_bus_init(), Is.Zero);
            int fd = LibSplinter.splinter_event_bus_open();
            Assert.That(fd, Is.GreaterThanOrEqualTo(0));
            LibSplinter.splinter_event_bus_close(fd);
        },
        ["splinter_event_bus_wait"] = s =>
        {
            Assert.That(LibSplinter.splinter_event_bus_init(), Is.Zero);
            int fd = LibSplinter.splinter_event_bus_open();
            try
            {
                Assert.That(LibSplinter.splinter_event_bus_wait(fd, 20), Is.EqualTo(-1), "nothing written: timeout");
                s.Set("bus", "x");
                Assert.That(LibSplinter.splinter_event_bus_wait(fd, 1000), Is.Zero, "an owner write notifies");
            }
            finally
            {
                LibSplinter.splinter_event_bus_close(fd);
            }
        },
        ["splinter_event_bus_close"] = s =>
        {
            Assert.That(LibSplinter.splinter_event_bus_init(), Is.Zero);
            int fd = LibSplinter.splinter_event_bus_open();
            LibSplinter.splinter_event_bus_close(fd);
            Assert.That(LibSplinter.splinter_event_bus_wait(fd, 0), Is.EqualTo(-1), "a closed descriptor cannot be waited on");
            LibSplinter.splinter_event_bus_close(-1);
        },
        ["splinter_event_bus_get_dirty"] = s =>
        {
            Assert.That(LibSplinter.splinter_event_bus_init(), Is.Zero);
            s.Set("d", "x");
            ulong* words = stackalloc ulong[LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS];
            LibSplinter.splinter_event_bus_get_dirty(words, LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS);
            ulong any = 0;
            for (int i = 0; i < LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS; i++)
            {
                any |= words[i];
            }
            Assert.That(any, Is.Not.Zero, "the owner's write set a dirty bit");
        },
        ["splinter_shard_claim"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_claim(11, (byte)splinter_intent_t.SPL_INTENT_WILLNEED, 5, ulong.MaxValue / 4), Is.Zero);
            byte intent = 0;
            Assert.That(LibSplinter.splinter_shard_election(&intent), Is.EqualTo(11u));
            Assert.That(intent, Is.EqualTo((byte)splinter_intent_t.SPL_INTENT_WILLNEED));
            Assert.That(LibSplinter.splinter_shard_claim(0, 0, 0, 1), Is.EqualTo(-2));
        },
        ["splinter_shard_claim_ex"] = s =>
        {
            ulong now = LibSplinterShim.SplinterShim_now();
            Assert.That(LibSplinter.splinter_shard_claim_ex(12, 4242, 0, 9, ulong.MaxValue / 4, now), Is.Zero);
            splinter_shard_bid_snapshot* table = stackalloc splinter_shard_bid_snapshot[LibSplinter.SPLINTER_MAX_SHARDS];
            int count = LibSplinter.splinter_shard_table_snapshot(table, LibSplinter.SPLINTER_MAX_SHARDS);
            var bids = new List<(uint Id, uint Pid, ulong At)>();
            for (int i = 0; i < count; i++)
            {
                bids.Add((table[i].shard_id, table[i].pid, table[i].claimed_at));
            }
            Assert.That(bids, Does.Contain((12u, 4242u, now)));
        },
        ["splinter_shard_rebid"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_rebid(13, 0, 1, 100), Is.EqualTo(-1), "no record yet");
            Assert.That(LibSplinter.splinter_shard_claim(13, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_rebid(13, 0, 2, ulong.MaxValue / 4), Is.Zero);
        },
        ["splinter_shard_release"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_claim(14, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_release(14), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_release(14), Is.EqualTo(-1));
        },
        ["splinter_shard_election"] = s =>
        {
            byte intent = 99;
            Assert.That(LibSplinter.splinter_shard_election(&intent), Is.Zero, "no bids");
            Assert.That(intent, Is.Zero);
            Assert.That(LibSplinter.splinter_shard_claim(15, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_claim(16, 0, 7, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_election(null), Is.EqualTo(16u), "highest priority wins");
        },
        ["splinter_shard_is_sovereign"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_claim(17, 0, 3, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_shard_is_sovereign(17), Is.EqualTo(1));
            Assert.That(LibSplinter.splinter_shard_is_sovereign(18), Is.Zero);
        },
        ["splinter_shard_table_snapshot"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_claim(19, 0, 3, ulong.MaxValue / 4), Is.Zero);
            splinter_shard_bid_snapshot* table = stackalloc splinter_shard_bid_snapshot[4];
            int count = LibSplinter.splinter_shard_table_snapshot(table, 4);
            Assert.That(count, Is.GreaterThanOrEqualTo(1));
            Assert.That(LibSplinter.splinter_shard_table_snapshot(null, 4), Is.EqualTo(-2));
        },
        ["splinter_madvise"] = s =>
        {
            Assert.That(LibSplinter.splinter_shard_claim(20, 0, 3, ulong.MaxValue / 4), Is.Zero);
            Assert.That(LibSplinter.splinter_madvise(20, null, 0, 0, 0), Is.Zero, "the sovereign shard advises the arena (POSIX_MADV_NORMAL)");
            Assert.That(LibSplinter.splinter_madvise(21, null, 0, 0, 0), Is.EqualTo(-2), "unknown shard");
        },
#if SPLINTER_EMBEDDINGS
        ["splinter_set_embedding"] = s =>
        {
            s.Set("vec", "x");
            float* vector = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            for (int i = 0; i < LibSplinter.SPLINTER_EMBED_DIM; i++)
            {
                vector[i] = i * 0.5f;
            }
            Assert.That(LibSplinter.splinter_set_embedding(s.Utf8("vec"), vector), Is.Zero);
            float* copy = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            Assert.That(LibSplinter.splinter_get_embedding(s.Utf8("vec"), copy), Is.Zero);
            Assert.That(copy[767], Is.EqualTo(383.5f));
        },
        ["splinter_get_embedding"] = s =>
        {
            float* copy = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            Assert.That(LibSplinter.splinter_get_embedding(s.Utf8("absent"), copy), Is.EqualTo(-1));
            Assert.That(LibSplinter.splinter_get_embedding(null, copy), Is.EqualTo(-2));
        },
#endif
    };
}
