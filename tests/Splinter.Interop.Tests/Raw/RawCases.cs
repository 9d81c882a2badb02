using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using NUnit.Framework;
using Splinter.Interop.Native;
using Splinter.Interop.Tests.TestSupport;

namespace Splinter.Interop.Tests.Raw;

/// <summary>One raw test: the store it may use and the layer whose function it calls.</summary>
internal delegate void RawCase(RawStore store, RawLayer raw);

/// <summary>
/// The raw tests, one per library function (run on every raw layer by RawLayerTests) and one per SplinterApi *_errno
/// method (function tables only). Each calls its function at least once and checks what it returned or changed.
/// </summary>
internal static unsafe class RawCases
{
    public static readonly IReadOnlyDictionary<string, RawCase> Cases = new Dictionary<string, RawCase>(StringComparer.Ordinal)
    {
        ["splinter_create"] = (s, raw) =>
        {
            // The store exists (RawStore created it): creating it again fails.
            Assert.That(raw.splinter_create(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.EqualTo(-1));
            Assert.That(raw.splinter_create(s.Utf8("zero-geometry"), 0, 16), Is.EqualTo(-2));
        },
        ["splinter_open"] = (s, raw) =>
        {
            raw.splinter_close();
            Assert.That(raw.splinter_open(s.NameZ), Is.Zero);
            Assert.That(raw.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_create_or_open"] = (s, raw) =>
        {
            raw.splinter_close();
            Assert.That(raw.splinter_create_or_open(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.Zero);
            Assert.That(raw.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_open_or_create"] = (s, raw) =>
        {
            raw.splinter_close();
            Assert.That(raw.splinter_open_or_create(s.NameZ, RawStore.Slots, RawStore.MaxValueSize), Is.Zero);
            Assert.That(raw.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_close"] = (s, raw) =>
        {
            raw.splinter_close();
            Assert.That(raw.splinter_get_mop(), Is.EqualTo(-2), "no store after close");
        },
        ["splinter_set_mop"] = (s, raw) =>
        {
            Assert.That(raw.splinter_set_mop(0), Is.Zero);
            Assert.That(raw.splinter_get_mop(), Is.Zero);
        },
        ["splinter_get_mop"] = (s, raw) => Assert.That(raw.splinter_get_mop(), Is.EqualTo(1), "hybrid scrub at create"),
        ["splinter_purge"] = (s, raw) =>
        {
            s.Set("k", "v");
            ulong before = raw.splinter_get_epoch(s.Utf8("k"));
            raw.splinter_purge();
            Assert.That(raw.splinter_get_epoch(s.Utf8("k")), Is.EqualTo(before + 2));
        },
        ["splinter_set"] = (s, raw) =>
        {
            byte value = 7;
            Assert.That(raw.splinter_set(s.Utf8("k"), &value, 1), Is.Zero);
            Assert.That(raw.splinter_set(s.Utf8("k"), &value, RawStore.MaxValueSize + 1), Is.EqualTo(-1), "longer than max_val_sz");
            Assert.That(s.Get("k"), Is.EqualTo("\u0007"));
        },
        ["splinter_unset"] = (s, raw) =>
        {
            s.Set("k", "hello");
            Assert.That(raw.splinter_unset(s.Utf8("k")), Is.EqualTo(5));
            Assert.That(raw.splinter_unset(s.Utf8("k")), Is.EqualTo(-1));
        },
        ["splinter_get"] = (s, raw) =>
        {
            s.Set("k", "hello");
            byte* buffer = stackalloc byte[16];
            nuint length = 0;
            Assert.That(raw.splinter_get(s.Utf8("k"), buffer, 16, &length), Is.Zero);
            Assert.That(new string((sbyte*)buffer, 0, (int)length), Is.EqualTo("hello"));
            Assert.That(raw.splinter_get(s.Utf8("k"), buffer, 2, &length), Is.EqualTo(-1), "buffer too small");
            Assert.That(length, Is.EqualTo((nuint)5));
        },
        ["splinter_list"] = (s, raw) =>
        {
            s.Set("a", "1");
            s.Set("b", "2");
            sbyte** keys = stackalloc sbyte*[8];
            nuint count = 0;
            Assert.That(raw.splinter_list(keys, 8, &count), Is.Zero);
            var names = new List<string>();
            for (nuint i = 0; i < count; i++)
            {
                names.Add(new string(keys[i]));
            }
            Assert.That(names, Is.EquivalentTo(new[] { "a", "b" }));
        },
        ["splinter_poll"] = (s, raw) =>
        {
            s.Set("k", "v");
            Assert.That(raw.splinter_poll(s.Utf8("k"), 20), Is.EqualTo(-1), "nothing changes: timeout");
            Assert.That(raw.splinter_poll(null, 20), Is.EqualTo(-2));
        },
        ["splinter_get_header_snapshot"] = (s, raw) =>
        {
            splinter_header_snapshot snapshot;
            Assert.That(raw.splinter_get_header_snapshot(&snapshot), Is.Zero);
            Assert.That(snapshot.magic, Is.EqualTo(LibSplinter.SPLINTER_MAGIC));
            Assert.That(snapshot.version, Is.EqualTo((uint)LibSplinter.SPLINTER_VER));
            Assert.That(snapshot.slots, Is.EqualTo((uint)RawStore.Slots));
            Assert.That(snapshot.max_val_sz, Is.EqualTo((uint)RawStore.MaxValueSize));
        },
        ["splinter_get_slot_snapshot"] = (s, raw) =>
        {
            s.Set("snap", "hello");
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("snap"), &snapshot), Is.Zero);
            Assert.That(snapshot.val_len, Is.EqualTo(5u));
            Assert.That(new string(snapshot.key), Is.EqualTo("snap"));
            Assert.That(snapshot.epoch % 2, Is.Zero);
        },
        ["splinter_config_set"] = (s, raw) =>
        {
            splinter_header header = default;
            raw.splinter_config_set(&header, 0x30);
            Assert.That(header.core_flags, Is.EqualTo(0x30));
        },
        ["splinter_config_clear"] = (s, raw) =>
        {
            splinter_header header = default;
            header.core_flags = 0x33;
            raw.splinter_config_clear(&header, 0x30);
            Assert.That(header.core_flags, Is.EqualTo(0x03));
        },
        ["splinter_config_test"] = (s, raw) =>
        {
            splinter_header header = default;
            header.core_flags = 0x02;
            Assert.That(raw.splinter_config_test(&header, 0x02), Is.EqualTo(1));
            Assert.That(raw.splinter_config_test(&header, 0x01), Is.Zero);
        },
        ["splinter_config_snapshot"] = (s, raw) =>
        {
            splinter_header header = default;
            header.core_flags = 0x81;
            Assert.That(raw.splinter_config_snapshot(&header), Is.EqualTo(0x81));
        },
        ["splinter_slot_usr_set"] = (s, raw) =>
        {
            splinter_slot slot = default;
            raw.splinter_slot_usr_set(&slot, 0x0105);
            Assert.That(slot.user_flag, Is.EqualTo(0x05), "the mask's high byte is ignored");
        },
        ["splinter_slot_usr_clear"] = (s, raw) =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0x0F;
            raw.splinter_slot_usr_clear(&slot, 0x03);
            Assert.That(slot.user_flag, Is.EqualTo(0x0C));
        },
        ["splinter_slot_usr_test"] = (s, raw) =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0x08;
            Assert.That(raw.splinter_slot_usr_test(&slot, 0x08), Is.EqualTo(1));
            Assert.That(raw.splinter_slot_usr_test(&slot, 0x01), Is.Zero);
        },
        ["splinter_slot_usr_snapshot"] = (s, raw) =>
        {
            splinter_slot slot = default;
            slot.user_flag = 0xA5;
            Assert.That(raw.splinter_slot_usr_snapshot(&slot), Is.EqualTo(0xA5));
        },
        ["splinter_set_named_type"] = (s, raw) =>
        {
            s.Set("typed", "x");
            Assert.That(raw.splinter_set_named_type(s.Utf8("typed"), LibSplinter.SPL_SLOT_TYPE_JSON), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("typed"), &snapshot), Is.Zero);
            Assert.That(snapshot.type_flag, Is.EqualTo(LibSplinter.SPL_SLOT_TYPE_JSON));
        },
        ["splinter_set_slot_time"] = (s, raw) =>
        {
            s.Set("timed", "x");
            Assert.That(raw.splinter_set_slot_time(s.Utf8("timed"), LibSplinter.SPL_TIME_CTIME, 1000, 10), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("timed"), &snapshot), Is.Zero);
            Assert.That(snapshot.ctime, Is.EqualTo(990UL));
        },
        ["splinter_integer_op"] = (s, raw) =>
        {
            ulong value = 5;
            Assert.That(raw.splinter_set(s.Utf8("n"), &value, 8), Is.Zero);
            Assert.That(raw.splinter_set_named_type(s.Utf8("n"), LibSplinter.SPL_SLOT_TYPE_BIGUINT), Is.Zero);
            ulong one = 1;
            Assert.That(raw.splinter_integer_op(s.Utf8("n"), splinter_integer_op_t.SPL_OP_INC, &one), Is.Zero);
            ulong result = 0;
            nuint length;
            Assert.That(raw.splinter_get(s.Utf8("n"), &result, 8, &length), Is.Zero);
            Assert.That(result, Is.EqualTo(6UL));
        },
        ["splinter_get_raw_ptr"] = (s, raw) =>
        {
            s.Set("raw", "bytes");
            nuint length;
            ulong epoch;
            byte* value = (byte*)raw.splinter_get_raw_ptr(s.Utf8("raw"), &length, &epoch);
            Assert.That(value != null, Is.True);
            Assert.That(System.Text.Encoding.UTF8.GetString(value, (int)length), Is.EqualTo("bytes"));
            Assert.That(epoch, Is.EqualTo(raw.splinter_get_epoch(s.Utf8("raw"))));
            Assert.That(raw.splinter_get_raw_ptr(s.Utf8("absent"), &length, &epoch) == null, Is.True);
        },
        ["splinter_get_epoch"] = (s, raw) =>
        {
            Assert.That(raw.splinter_get_epoch(s.Utf8("absent")), Is.Zero);
            s.Set("e", "1");
            ulong first = raw.splinter_get_epoch(s.Utf8("e"));
            s.Set("e", "2");
            Assert.That(raw.splinter_get_epoch(s.Utf8("e")), Is.GreaterThan(first));
        },
        ["splinter_bump_slot"] = (s, raw) =>
        {
            s.Set("b", "1");
            ulong before = raw.splinter_get_epoch(s.Utf8("b"));
            Assert.That(raw.splinter_bump_slot(s.Utf8("b")), Is.Zero);
            Assert.That(raw.splinter_get_epoch(s.Utf8("b")), Is.EqualTo(before + 2));
        },
        ["splinter_retrain_slot"] = (s, raw) =>
        {
            s.Set("r", "1");
            s.Set("r", "2");
            ulong before = raw.splinter_get_epoch(s.Utf8("r"));
            Assert.That(raw.splinter_retrain_slot(s.Utf8("r")), Is.Zero);
            ulong after = raw.splinter_get_epoch(s.Utf8("r"));
            Assert.That(after % 2, Is.Zero, "the slot is free again");
            // Upstream stores 4 whatever the slot had; our library moves the epoch forward (native/README.md).
            Assert.That(after, Is.EqualTo(4UL).Or.GreaterThan(before));
            Assert.That(s.Get("r"), Is.EqualTo("2"), "the value is untouched");
        },
        ["splinter_set_as_system"] = (s, raw) =>
        {
            s.Set("sys", "x");
            Assert.That(raw.splinter_set_as_system(s.Utf8("sys")), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("sys"), &snapshot), Is.Zero);
            Assert.That(snapshot.type_flag, Is.EqualTo(LibSplinter.SPL_SLOT_TYPE_BINARY));
            Assert.That(snapshot.val_len, Is.EqualTo((uint)RawStore.MaxValueSize));
        },
        ["splinter_append"] = (s, raw) =>
        {
            s.Set("ap", "ab");
            byte* tail = stackalloc byte[] { (byte)'c', (byte)'d' };
            nuint length = 0;
            Assert.That(raw.splinter_append(s.Utf8("ap"), tail, 2, &length), Is.Zero);
            Assert.That(length, Is.EqualTo((nuint)4));
            Assert.That(s.Get("ap"), Is.EqualTo("abcd"));
        },
        ["splinter_set_label"] = (s, raw) =>
        {
            s.Set("l", "x");
            Assert.That(raw.splinter_set_label(s.Utf8("l"), 0b101), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("l"), &snapshot), Is.Zero);
            Assert.That(snapshot.bloom, Is.EqualTo(0b101UL));
        },
        ["splinter_unset_label"] = (s, raw) =>
        {
            s.Set("l", "x");
            Assert.That(raw.splinter_set_label(s.Utf8("l"), 0b111), Is.Zero);
            Assert.That(raw.splinter_unset_label(s.Utf8("l"), 0b010), Is.Zero);
            splinter_slot_snapshot snapshot;
            Assert.That(raw.splinter_get_slot_snapshot(s.Utf8("l"), &snapshot), Is.Zero);
            Assert.That(snapshot.bloom, Is.EqualTo(0b101UL));
        },
        ["splinter_enumerate_matches"] = (s, raw) =>
        {
            s.Set("m1", "x");
            s.Set("m2", "x");
            s.Set("other", "x");
            Assert.That(raw.splinter_set_label(s.Utf8("m1"), 0b10), Is.Zero);
            Assert.That(raw.splinter_set_label(s.Utf8("m2"), 0b11), Is.Zero);
            var found = new List<string>();
            GCHandle handle = GCHandle.Alloc(found);
            try
            {
                raw.splinter_enumerate_matches(0b10, &RawCallbacks.CollectKey, (void*)GCHandle.ToIntPtr(handle));
            }
            finally
            {
                handle.Free();
            }
            Assert.That(found, Is.EquivalentTo(new[] { "m1", "m2" }));
        },
        ["splinter_client_set_tandem"] = (s, raw) =>
        {
            byte* first = stackalloc byte[] { (byte)'A' };
            byte* second = stackalloc byte[] { (byte)'B', (byte)'B' };
            void** values = stackalloc void*[] { first, second };
            nuint* lengths = stackalloc nuint[] { 1, 2 };
            Assert.That(raw.splinter_client_set_tandem(s.Utf8("t"), values, lengths, 2), Is.Zero);
            Assert.That(s.Get("t"), Is.EqualTo("A"));
            Assert.That(s.Get("t" + Encoding.UTF8.GetString(LibSplinter.SPL_ORDER_ACCESSOR) + "1"), Is.EqualTo("BB"));
        },
        ["splinter_client_unset_tandem"] = (s, raw) =>
        {
            s.Set("u", "A");
            s.Set("u.1", "B");
            raw.splinter_client_unset_tandem(s.Utf8("u"), 2);
            Assert.That(raw.splinter_get_epoch(s.Utf8("u")), Is.Zero);
            Assert.That(raw.splinter_get_epoch(s.Utf8("u.1")), Is.Zero);
        },
        ["splinter_watch_register"] = (s, raw) =>
        {
            s.Set("w", "x");
            Assert.That(raw.splinter_watch_register(s.Utf8("w"), 3), Is.Zero);
            ulong before = raw.splinter_get_signal_count(3);
            s.Set("w", "y");
            Assert.That(raw.splinter_get_signal_count(3), Is.GreaterThan(before));
            Assert.That(raw.splinter_watch_register(s.Utf8("w"), 64), Is.EqualTo(-2));
        },
        ["splinter_watch_unregister"] = (s, raw) =>
        {
            s.Set("w", "x");
            Assert.That(raw.splinter_watch_register(s.Utf8("w"), 4), Is.Zero);
            Assert.That(raw.splinter_watch_unregister(s.Utf8("w"), 4), Is.Zero);
            ulong before = raw.splinter_get_signal_count(4);
            s.Set("w", "y");
            Assert.That(raw.splinter_get_signal_count(4), Is.EqualTo(before));
        },
        ["splinter_watch_label_register"] = (s, raw) =>
        {
            Assert.That(raw.splinter_watch_label_register(0b1000, 6), Is.Zero);
            Assert.That(raw.splinter_watch_label_register(0b1000, 64), Is.EqualTo(-2));
            s.Set("lw", "x");
            Assert.That(raw.splinter_set_label(s.Utf8("lw"), 0b1000), Is.Zero);
            ulong before = raw.splinter_get_signal_count(6);
            s.Set("lw", "y");
            Assert.That(raw.splinter_get_signal_count(6), Is.GreaterThan(before));
        },
        ["splinter_pulse_watchers"] = (s, raw) =>
        {
            splinter_slot slot = default;
            slot.watcher_mask = 1UL << 7;
            ulong before = raw.splinter_get_signal_count(7);
            raw.splinter_pulse_watchers(&slot);
            Assert.That(raw.splinter_get_signal_count(7), Is.EqualTo(before + 1));
        },
        ["splinter_pulse_keygroup"] = (s, raw) =>
        {
            s.Set("p", "x");
            Assert.That(raw.splinter_watch_register(s.Utf8("p"), 8), Is.Zero);
            ulong before = raw.splinter_get_signal_count(8);
            Assert.That(raw.splinter_pulse_keygroup(s.Utf8("p")), Is.Zero);
            Assert.That(raw.splinter_get_signal_count(8), Is.GreaterThan(before));
        },
        ["splinter_get_signal_count"] = (s, raw) =>
        {
            Assert.That(raw.splinter_get_signal_count(9), Is.Zero, "fresh store");
            Assert.That(raw.splinter_get_signal_count(64), Is.Zero, "group out of range");
        },
        ["splinter_event_bus_init"] = (s, raw) =>
        {
            Assert.That(raw.splinter_event_bus_init(), Is.Zero);
            splinter_header_snapshot snapshot;
            Assert.That(raw.splinter_get_header_snapshot(&snapshot), Is.Zero);
        },
        ["splinter_event_bus_open"] = (s, raw) =>
        {
            Assert.That(raw.splinter_event_bus_open(), Is.EqualTo(-1), "not armed yet");
            Assert.That(raw.splinter_event_bus_init(), Is.Zero);
            int fd = raw.splinter_event_bus_open();
            Assert.That(fd, Is.GreaterThanOrEqualTo(0));
            raw.splinter_event_bus_close(fd);
        },
        ["splinter_event_bus_wait"] = (s, raw) =>
        {
            Assert.That(raw.splinter_event_bus_init(), Is.Zero);
            int fd = raw.splinter_event_bus_open();
            try
            {
                Assert.That(raw.splinter_event_bus_wait(fd, 20), Is.EqualTo(-1), "nothing written: timeout");
                s.Set("bus", "x");
                Assert.That(raw.splinter_event_bus_wait(fd, 1000), Is.Zero, "an owner write notifies");
            }
            finally
            {
                raw.splinter_event_bus_close(fd);
            }
        },
        ["splinter_event_bus_close"] = (s, raw) =>
        {
            Assert.That(raw.splinter_event_bus_init(), Is.Zero);
            int fd = raw.splinter_event_bus_open();
            raw.splinter_event_bus_close(fd);
            Assert.That(raw.splinter_event_bus_wait(fd, 0), Is.EqualTo(-1), "a closed descriptor cannot be waited on");
            raw.splinter_event_bus_close(-1);
        },
        ["splinter_event_bus_get_dirty"] = (s, raw) =>
        {
            Assert.That(raw.splinter_event_bus_init(), Is.Zero);
            s.Set("d", "x");
            ulong* words = stackalloc ulong[LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS];
            raw.splinter_event_bus_get_dirty(words, LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS);
            ulong any = 0;
            for (int i = 0; i < LibSplinter.SPLINTER_EVENT_BUS_MASK_WORDS; i++)
            {
                any |= words[i];
            }
            Assert.That(any, Is.Not.Zero, "the owner's write set a dirty bit");
        },
        ["splinter_shard_claim"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_claim(11, (byte)splinter_intent_t.SPL_INTENT_WILLNEED, 5, ulong.MaxValue / 4), Is.Zero);
            byte intent = 0;
            Assert.That(raw.splinter_shard_election(&intent), Is.EqualTo(11u));
            Assert.That(intent, Is.EqualTo((byte)splinter_intent_t.SPL_INTENT_WILLNEED));
            Assert.That(raw.splinter_shard_claim(0, 0, 0, 1), Is.EqualTo(-2));
        },
        ["splinter_shard_claim_ex"] = (s, raw) =>
        {
            ulong now = LibSplinterShim.SplinterShim_now();
            Assert.That(raw.splinter_shard_claim_ex(12, 4242, 0, 9, ulong.MaxValue / 4, now), Is.Zero);
            splinter_shard_bid_snapshot* table = stackalloc splinter_shard_bid_snapshot[LibSplinter.SPLINTER_MAX_SHARDS];
            int count = raw.splinter_shard_table_snapshot(table, LibSplinter.SPLINTER_MAX_SHARDS);
            var bids = new List<(uint Id, uint Pid, ulong At)>();
            for (int i = 0; i < count; i++)
            {
                bids.Add((table[i].shard_id, table[i].pid, table[i].claimed_at));
            }
            Assert.That(bids, Does.Contain((12u, 4242u, now)));
        },
        ["splinter_shard_rebid"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_rebid(13, 0, 1, 100), Is.EqualTo(-1), "no record yet");
            Assert.That(raw.splinter_shard_claim(13, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_shard_rebid(13, 0, 2, ulong.MaxValue / 4), Is.Zero);
        },
        ["splinter_shard_release"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_claim(14, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_shard_release(14), Is.Zero);
            Assert.That(raw.splinter_shard_release(14), Is.EqualTo(-1));
        },
        ["splinter_shard_election"] = (s, raw) =>
        {
            byte intent = 99;
            Assert.That(raw.splinter_shard_election(&intent), Is.Zero, "no bids");
            Assert.That(intent, Is.Zero);
            Assert.That(raw.splinter_shard_claim(15, 0, 1, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_shard_claim(16, 0, 7, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_shard_election(null), Is.EqualTo(16u), "highest priority wins");
        },
        ["splinter_shard_is_sovereign"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_claim(17, 0, 3, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_shard_is_sovereign(17), Is.EqualTo(1));
            Assert.That(raw.splinter_shard_is_sovereign(18), Is.Zero);
        },
        ["splinter_shard_table_snapshot"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_claim(19, 0, 3, ulong.MaxValue / 4), Is.Zero);
            splinter_shard_bid_snapshot* table = stackalloc splinter_shard_bid_snapshot[4];
            int count = raw.splinter_shard_table_snapshot(table, 4);
            Assert.That(count, Is.GreaterThanOrEqualTo(1));
            Assert.That(raw.splinter_shard_table_snapshot(null, 4), Is.EqualTo(-2));
        },
        ["splinter_madvise"] = (s, raw) =>
        {
            Assert.That(raw.splinter_shard_claim(20, 0, 3, ulong.MaxValue / 4), Is.Zero);
            Assert.That(raw.splinter_madvise(20, null, 0, 0, 0), Is.Zero, "the sovereign shard advises the arena (POSIX_MADV_NORMAL)");
            Assert.That(raw.splinter_madvise(21, null, 0, 0, 0), Is.EqualTo(-2), "unknown shard");
        },
#if SPLINTER_EMBEDDINGS
        ["splinter_set_embedding"] = (s, raw) =>
        {
            s.Set("vec", "x");
            float* vector = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            for (int i = 0; i < LibSplinter.SPLINTER_EMBED_DIM; i++)
            {
                vector[i] = i * 0.5f;
            }
            Assert.That(raw.splinter_set_embedding(s.Utf8("vec"), vector), Is.Zero);
            float* copy = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            Assert.That(raw.splinter_get_embedding(s.Utf8("vec"), copy), Is.Zero);
            Assert.That(copy[767], Is.EqualTo(383.5f));
        },
        ["splinter_get_embedding"] = (s, raw) =>
        {
            float* copy = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            Assert.That(raw.splinter_get_embedding(s.Utf8("absent"), copy), Is.EqualTo(-1));
            Assert.That(raw.splinter_get_embedding(null, copy), Is.EqualTo(-2));
        },
#endif
        // Table layer only: the errno wrappers of SplinterApi (the static layer has none).
        ["splinter_create_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_create_errno(s.NameZ, RawStore.Slots, RawStore.MaxValueSize, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.EEXIST));
        },
        ["splinter_open_errno"] = (s, _) =>
        {
            int error = -1;
            s.Api.splinter_close();
            Assert.That(s.Api.splinter_open_errno(s.Utf8(s.Name + "-absent"), &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.ENOENT));
            Assert.That(s.Api.splinter_open_errno(s.NameZ, &error), Is.Zero);
        },
        ["splinter_create_or_open_errno"] = (s, _) =>
        {
            int error = -1;
            s.Api.splinter_close();
            Assert.That(s.Api.splinter_create_or_open_errno(s.NameZ, RawStore.Slots, RawStore.MaxValueSize, &error), Is.Zero);
            Assert.That(s.Api.splinter_get_mop(), Is.EqualTo(1));
        },
        ["splinter_open_or_create_errno"] = (s, _) =>
        {
            int error = -1;
            s.Api.splinter_close();
            Assert.That(s.Api.splinter_open_or_create_errno(s.NameZ, RawStore.Slots, RawStore.MaxValueSize, &error), Is.Zero);
            Assert.That(error, Is.Zero, "the open step succeeded without touching errno");
        },
        ["splinter_set_errno"] = (s, _) =>
        {
            int error = -1;
            byte value = 1;
            Assert.That(s.Api.splinter_set_errno(s.Utf8("k"), &value, 1, &error), Is.Zero);
            Assert.That(error, Is.Zero, "errno is cleared before the call");
        },
        ["splinter_get_errno"] = (s, _) =>
        {
            s.Set("k", "hello");
            int error = 0;
            byte buffer;
            nuint length;
            Assert.That(s.Api.splinter_get_errno(s.Utf8("k"), &buffer, 1, &length, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.EMSGSIZE));
        },
        ["splinter_unset_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_unset_errno(s.Utf8("absent"), &error), Is.EqualTo(-1));
            Assert.That(error, Is.Zero, "not found leaves errno unchanged");
        },
        ["splinter_append_errno"] = (s, _) =>
        {
            s.Set("ap", "x");
            byte* data = stackalloc byte[RawStore.MaxValueSize];
            int error = 0;
            nuint length;
            Assert.That(s.Api.splinter_append_errno(s.Utf8("ap"), data, RawStore.MaxValueSize, &length, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.EMSGSIZE));
        },
        ["splinter_integer_op_errno"] = (s, _) =>
        {
            s.Set("text", "abc");
            int error = 0;
            Assert.That(s.Api.splinter_integer_op_errno(s.Utf8("text"), splinter_integer_op_t.SPL_OP_INC, null, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.EPROTOTYPE));
        },
        ["splinter_set_named_type_errno"] = (s, _) =>
        {
            s.Set("t", "x");
            int error = -1;
            Assert.That(s.Api.splinter_set_named_type_errno(s.Utf8("t"), LibSplinter.SPL_SLOT_TYPE_VARTEXT, &error), Is.Zero);
            Assert.That(error, Is.Zero);
        },
        ["splinter_set_slot_time_errno"] = (s, _) =>
        {
            s.Set("t", "x");
            int error = 0;
            Assert.That(s.Api.splinter_set_slot_time_errno(s.Utf8("t"), 7, 1, 0, &error), Is.EqualTo(-2));
            Assert.That(error, Is.EqualTo(Errno.EOPNOTSUPP), "ENOTSUP (same number as EOPNOTSUPP on Linux)");
        },
        ["splinter_set_mop_errno"] = (s, _) =>
        {
            int error = 0;
            Assert.That(s.Api.splinter_set_mop_errno(9, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.EOPNOTSUPP));
        },
        ["splinter_poll_errno"] = (s, _) =>
        {
            s.Set("k", "x");
            int error = 0;
            Assert.That(s.Api.splinter_poll_errno(s.Utf8("k"), 20, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.ETIMEDOUT));
        },
        ["splinter_watch_register_errno"] = (s, _) =>
        {
            s.Set("k", "x");
            int error = 0;
            Assert.That(s.Api.splinter_watch_register_errno(s.Utf8("k"), 64, &error), Is.EqualTo(-2));
            Assert.That(error, Is.EqualTo(Errno.EINVAL));
        },
        ["splinter_event_bus_init_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_event_bus_init_errno(&error), Is.Zero);
        },
        ["splinter_event_bus_open_errno"] = (s, _) =>
        {
            int error = 0;
            Assert.That(s.Api.splinter_event_bus_open_errno(&error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.ENODEV), "the bus is not armed");
        },
        ["splinter_event_bus_wait_errno"] = (s, _) =>
        {
            Assert.That(s.Api.splinter_event_bus_init(), Is.Zero);
            int fd = s.Api.splinter_event_bus_open();
            try
            {
                int error = -1;
                Assert.That(s.Api.splinter_event_bus_wait_errno(fd, 10, &error), Is.EqualTo(-1));
                Assert.That(error, Is.Zero, "a timeout leaves errno unchanged (and the wrapper cleared it)");
            }
            finally
            {
                s.Api.splinter_event_bus_close(fd);
            }
        },
        ["splinter_shard_claim_errno"] = (s, _) =>
        {
            for (uint id = 1; id <= LibSplinter.SPLINTER_MAX_SHARDS; id++)
            {
                Assert.That(s.Api.splinter_shard_claim(id, 0, 1, ulong.MaxValue / 4), Is.Zero);
            }
            int error = 0;
            Assert.That(s.Api.splinter_shard_claim_errno(LibSplinter.SPLINTER_MAX_SHARDS + 1, 0, 1, 100, &error), Is.EqualTo(-1));
            Assert.That(error, Is.EqualTo(Errno.ENOSPC));
        },
        ["splinter_shard_claim_ex_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_shard_claim_ex_errno(5, 1, 0, 1, 100, LibSplinterShim.SplinterShim_now(), &error), Is.Zero);
        },
        ["splinter_madvise_errno"] = (s, _) =>
        {
            int error = 0;
            Assert.That(s.Api.splinter_madvise_errno(99, null, 0, 0, 0, &error), Is.EqualTo(-2));
            Assert.That(error, Is.EqualTo(Errno.EINVAL));
        },
        ["splinter_bump_slot_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_bump_slot_errno(s.Utf8("absent"), &error), Is.EqualTo(-1));
            Assert.That(error, Is.Zero);
        },
#if SPLINTER_EMBEDDINGS
        ["splinter_set_embedding_errno"] = (s, _) =>
        {
            int error = -1;
            Assert.That(s.Api.splinter_set_embedding_errno(null, null, &error), Is.EqualTo(-2));
        },
        ["splinter_get_embedding_errno"] = (s, _) =>
        {
            int error = -1;
            float* copy = stackalloc float[LibSplinter.SPLINTER_EMBED_DIM];
            Assert.That(s.Api.splinter_get_embedding_errno(s.Utf8("absent"), copy, &error), Is.EqualTo(-1));
        },
#endif
    };
}
