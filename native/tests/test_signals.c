/* Checklist items 35-45: append, labels, enumerate, watches, signal groups, bump, retrain. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "support.h"

static void check_value(const char *key, const void *want, size_t want_len) {
    unsigned char buf[512];
    size_t n = 0;
    SPL_CHECK_MSG(splinter_get(key, buf, sizeof buf, &n) == 0, "get(%s)", key);
    SPL_CHECK_EQ(n, want_len);
    SPL_CHECK_MSG(memcmp(buf, want, want_len) == 0, "value of %s differs", key);
}

SPL_TEST(c35_append_extends_value_and_bumps_epochs) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "abc", 3), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    size_t nl = 0;
    SPL_CHECK_EQ(splinter_append("k", "de", 2, &nl), 0);
    SPL_CHECK_EQ(nl, 5);
    check_value("k", "abcde", 5);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
    /* new_len may be NULL. */
    SPL_CHECK_EQ(splinter_append("k", "f", 1, NULL), 0);
    check_value("k", "abcdef", 6);
}

SPL_TEST(c36_append_overflow_emsgsize_value_kept_epoch_plus_2) {
    spl_create_store(4, 16);
    SPL_CHECK_EQ(splinter_set("k", "0123456789", 10), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    size_t nl = 4242;
    errno = 0;
    SPL_CHECK_EQ(splinter_append("k", "abcdefg", 7, &nl), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    SPL_CHECK_EQ(nl, 4242);
    check_value("k", "0123456789", 10);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    /* Filling exactly to max_val_sz works. */
    SPL_CHECK_EQ(splinter_append("k", "abcdef", 6, &nl), 0);
    SPL_CHECK_EQ(nl, 16);
}

SPL_TEST(c37_append_empty_or_null_data_minus2) {
    spl_create_store(4, 16);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    size_t nl = 0;
    SPL_CHECK_EQ(splinter_append("k", "x", 0, &nl), -2);
    SPL_CHECK_EQ(splinter_append("k", NULL, 1, &nl), -2);
    SPL_CHECK_EQ(splinter_append(NULL, "x", 1, &nl), -2);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_append("missing", "x", 1, &nl), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    check_value("k", "v", 1);
}

SPL_TEST(c38_labels_change_bloom_and_header_epoch_not_slot_epoch) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_set_label("k", 0x30), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.bloom, 0x30);
    SPL_CHECK_EQ(splinter_unset_label("k", 0x10), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(spl_header_epoch(), global + 2);
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.bloom, 0x20);
    SPL_CHECK_EQ(splinter_set_label("missing", 1), -1);
    SPL_CHECK_EQ(splinter_unset_label("missing", 1), -1);
    SPL_CHECK_EQ(splinter_set_label(NULL, 1), -2);
    SPL_CHECK_EQ(splinter_unset_label(NULL, 1), -2);
}

struct visit_log {
    int count;
    char keys[16][64];
    uint64_t epochs[16];
    void *data_seen[16];
};

static void record_visit(const char *key, uint64_t epoch, void *data) {
    struct visit_log *log = data;
    if (log->count < 16) {
        snprintf(log->keys[log->count], 64, "%s", key);
        log->epochs[log->count] = epoch;
        log->data_seen[log->count] = data;
    }
    log->count++;
}

SPL_TEST(c39_enumerate_matches_in_slot_order_with_epoch_and_user_data) {
    spl_create_store(8, 32);
    const char *keys[5] = {"k0", "k1", "k2", "k3", "k4"};
    const uint64_t labels[5] = {0x3, 0x1, 0x2, 0x7, 0};
    for (int i = 0; i < 5; i++) {
        SPL_CHECK_EQ(splinter_set(keys[i], "v", 1), 0);
        if (labels[i] != 0) SPL_CHECK_EQ(splinter_set_label(keys[i], labels[i]), 0);
    }
    SPL_CHECK_EQ(splinter_bump_slot("k3"), 0); /* a distinct epoch to recognise */

    struct visit_log log;
    memset(&log, 0, sizeof log);
    splinter_enumerate_matches(0x3, record_visit, &log);
    SPL_CHECK_EQ(log.count, 2);
    size_t i0 = spl_slot_index_of("k0"), i3 = spl_slot_index_of("k3");
    const char *first = i0 < i3 ? "k0" : "k3";
    const char *second = i0 < i3 ? "k3" : "k0";
    SPL_CHECK(strcmp(log.keys[0], first) == 0);
    SPL_CHECK(strcmp(log.keys[1], second) == 0);
    for (int i = 0; i < 2; i++) {
        SPL_CHECK_EQ(log.epochs[i], splinter_get_epoch(log.keys[i]));
        SPL_CHECK(log.data_seen[i] == &log);
    }

    /* mask 0 visits every occupied slot, in slot-index order. */
    memset(&log, 0, sizeof log);
    splinter_enumerate_matches(0, record_visit, &log);
    SPL_CHECK_EQ(log.count, 5);
    for (int i = 1; i < 5; i++)
        SPL_CHECK(spl_slot_index_of(log.keys[i - 1]) < spl_slot_index_of(log.keys[i]));
}

SPL_TEST(c40_watch_group_64_rejected) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_watch_register("k", 64), -2);
    SPL_CHECK_ERRNO(EINVAL);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_watch_unregister("k", 64), -2);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_watch_label_register(1, 64), -2);
    SPL_CHECK_EQ(splinter_watch_register("missing", 1), -1);
    SPL_CHECK_EQ(splinter_watch_unregister("missing", 1), -1);
    SPL_CHECK_EQ(splinter_watch_register(NULL, 1), -2);
    SPL_CHECK_EQ(splinter_watch_unregister(NULL, 1), -2);
}

SPL_TEST(c41_each_set_of_watched_key_adds_1_to_its_group) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    uint64_t g5 = splinter_get_signal_count(5);
    uint64_t g6 = splinter_get_signal_count(6);
    uint64_t slot = splinter_get_epoch("k");
    SPL_CHECK_EQ(splinter_watch_register("k", 5), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot); /* registering changes no epoch */
    for (int i = 1; i <= 3; i++) {
        SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
        SPL_CHECK_EQ(splinter_get_signal_count(5), g5 + (uint64_t)i);
    }
    SPL_CHECK_EQ(splinter_get_signal_count(6), g6);
    SPL_CHECK_EQ(splinter_watch_unregister("k", 5), 0);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(5), g5 + 3);
}

SPL_TEST(c42_watch_plus_three_mapped_labels_pulse_adds_4) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 2), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 0x7), 0);
    SPL_CHECK_EQ(splinter_watch_label_register(0x7, 2), 0);
    SPL_CHECK_EQ(splinter_watch_label_register(0, 9), 0); /* empty mask: no-op */
    uint64_t before = splinter_get_signal_count(2);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_pulse_keygroup("k"), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(2), before + 4);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    SPL_CHECK_EQ(splinter_get_signal_count(9), 0);
    SPL_CHECK_EQ(splinter_pulse_keygroup("missing"), -1);
    SPL_CHECK_EQ(splinter_pulse_keygroup(NULL), -2);
}

SPL_TEST(c43_signal_count_of_group_64_is_0) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 63), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 0), 0);
    SPL_CHECK_EQ(splinter_pulse_keygroup("k"), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(63), 1);
    SPL_CHECK_EQ(splinter_get_signal_count(0), 1);
    SPL_CHECK_EQ(splinter_get_signal_count(64), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(255), 0);
}

SPL_TEST(c44_bump_adds_2_pulses_no_header_epoch_no_bus) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    splinter_event_bus_wait(fd, 0); /* drain */
    SPL_CHECK_EQ(splinter_watch_register("k", 1), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    uint64_t count = splinter_get_signal_count(1);
    uint64_t dirty_before[16], dirty_after[16];
    splinter_event_bus_get_dirty(dirty_before, 16);
    SPL_CHECK_EQ(splinter_bump_slot("k"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    SPL_CHECK_EQ(splinter_get_signal_count(1), count + 1);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), -1);
    splinter_event_bus_get_dirty(dirty_after, 16);
    SPL_CHECK(memcmp(dirty_before, dirty_after, sizeof dirty_before) == 0);
    SPL_CHECK_EQ(splinter_bump_slot("missing"), -1);
    SPL_CHECK_EQ(splinter_bump_slot(NULL), -2);
    splinter_event_bus_close(fd);
}

/*
 * Upstream's retrain leaves the slot at exactly 4. Ours never lowers an epoch
 * (native/README.md): it acquires the slot and releases it two higher, and takes over
 * a slot left odd by a dead writer (odd o -> o+2 -> o+3). The rest of the upstream
 * contract holds: the slot ends even, the header epoch moves by 1 and the value is intact.
 */
SPL_TEST(c45_retrain_ends_even_and_higher_even_from_odd_keeps_value) {
    const char *name = spl_create_store(8, 32);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_set("k", "value", 5), 0);
    struct splinter_slot *s = spl_slot_at(h, spl_slot_index_of("k"));
    atomic_fetch_add(&s->epoch, 1); /* a writer died inside the slot: epoch 3 */
    SPL_CHECK_EQ(splinter_get_epoch("k"), 3);
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_retrain_slot("k"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 6);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
    check_value("k", "value", 5);
    /* From a larger epoch it goes up by 2 (upstream: back to 4). */
    for (int i = 0; i < 5; i++) SPL_CHECK_EQ(splinter_set("k", "value", 5), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 16);
    SPL_CHECK_EQ(splinter_retrain_slot("k"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 18);
    check_value("k", "value", 5);
    SPL_CHECK_EQ(splinter_retrain_slot("missing"), -1);
    SPL_CHECK_EQ(splinter_retrain_slot(NULL), -2);
}

SPL_TEST(x_pulse_watchers_on_a_slot_pointer) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 9), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 0x100), 0);
    SPL_CHECK_EQ(splinter_watch_label_register(0x100, 11), 0);
    struct splinter_header *h = spl_lib_header("k");
    struct splinter_slot *s = spl_slot_at(h, spl_slot_index_of("k"));
    uint64_t g9 = splinter_get_signal_count(9), g11 = splinter_get_signal_count(11);
    uint64_t slot = splinter_get_epoch("k");
    splinter_pulse_watchers(s);
    SPL_CHECK_EQ(splinter_get_signal_count(9), g9 + 1);
    SPL_CHECK_EQ(splinter_get_signal_count(11), g11 + 1);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
}

SPL_TEST(x_unset_clears_watchers_and_labels_no_pulse) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 4), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 0x2), 0);
    uint64_t g4 = splinter_get_signal_count(4);
    SPL_CHECK_EQ(splinter_unset("k"), 1);
    SPL_CHECK_EQ(splinter_get_signal_count(4), g4); /* unset does not pulse */
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0); /* same slot, fresh metadata */
    SPL_CHECK_EQ(splinter_get_signal_count(4), g4);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.bloom, 0);
}
