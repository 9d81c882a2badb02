/* Checklist items 54-57: list, poll, snapshots. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "support.h"

SPL_TEST(c54_list_returns_key_field_addresses_in_slot_order) {
    spl_create_store(8, 32);
    const char *keys[4] = {"apple", "pear", "plum", "fig"};
    for (int i = 0; i < 4; i++) SPL_CHECK_EQ(splinter_set(keys[i], "v", 1), 0);
    struct splinter_header *h = spl_lib_header("apple");
    char *out[8] = {0};
    size_t count = 99;
    SPL_CHECK_EQ(splinter_list(out, 8, &count), 0);
    SPL_CHECK_EQ(count, 4);
    size_t last = 0;
    for (size_t i = 0; i < count; i++) {
        size_t index = spl_slot_index_of(out[i]);
        SPL_CHECK(out[i] == spl_slot_at(h, index)->key);
        if (i > 0) SPL_CHECK(index > last);
        last = index;
    }
    /* A slot with val_len 0 is skipped (made by hand: the API never leaves one). */
    struct splinter_slot *fig = spl_slot_at(h, spl_slot_index_of("fig"));
    atomic_store(&fig->val_len, 0);
    SPL_CHECK_EQ(splinter_list(out, 8, &count), 0);
    SPL_CHECK_EQ(count, 3);
    for (size_t i = 0; i < count; i++) SPL_CHECK(strcmp(out[i], "fig") != 0);
    atomic_store(&fig->val_len, 1);
    /* max_keys bounds the output; 0 reports 0. */
    SPL_CHECK_EQ(splinter_list(out, 2, &count), 0);
    SPL_CHECK_EQ(count, 2);
    SPL_CHECK_EQ(splinter_list(out, 0, &count), 0);
    SPL_CHECK_EQ(count, 0);
    SPL_CHECK_EQ(splinter_list(NULL, 8, &count), -2);
    SPL_CHECK_EQ(splinter_list(out, 8, NULL), -2);
}

SPL_TEST(c55_poll_zero_timeout_etimedout_missing_key_errno_unchanged) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_poll("k", 0), -1);
    SPL_CHECK_ERRNO(ETIMEDOUT);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_poll("missing", 100), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_poll(NULL, 0), -2);
}

/* A background thread that acts on the store after a delay, or repeatedly until stopped. */
struct actor {
    pthread_t thread;
    atomic_int stop;
    long delay_ms;
    int repeat;
    void (*action)(void);
};

static void *actor_main(void *arg) {
    struct actor *a = arg;
    spl_sleep_ms(a->delay_ms);
    do {
        a->action();
        if (!a->repeat) break;
        spl_sleep_ms(15);
    } while (!atomic_load(&a->stop));
    return NULL;
}

static void actor_start(struct actor *a, void (*action)(void), long delay_ms, int repeat) {
    atomic_store(&a->stop, 0);
    a->action = action;
    a->delay_ms = delay_ms;
    a->repeat = repeat;
    SPL_CHECK(pthread_create(&a->thread, NULL, actor_main, a) == 0);
}

static void actor_stop(struct actor *a) {
    atomic_store(&a->stop, 1);
    pthread_join(a->thread, NULL);
}

static void set_k(void) { splinter_set("k", "again", 5); }
static void label_k(void) {
    splinter_set_label("k", 0x1);
    splinter_unset_label("k", 0x1);
}
static void unset_k(void) { splinter_unset("k"); }
static void unset_k_set_other(void) {
    splinter_unset("k");
    splinter_set("other", "o", 1);
}

SPL_TEST(c56_poll_returns_0_when_another_thread_sets_the_key) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    struct actor a;
    /* Repeated sets: whichever lands after poll's first sample is seen. */
    actor_start(&a, set_k, 20, 1);
    int rc = splinter_poll("k", 5000);
    actor_stop(&a);
    SPL_CHECK_EQ(rc, 0);
}

SPL_TEST(c56_poll_does_not_see_label_changes) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    struct actor a;
    actor_start(&a, label_k, 0, 1);
    errno = 0;
    int rc = splinter_poll("k", 150);
    int saved = errno;
    actor_stop(&a);
    SPL_CHECK_EQ(rc, -1);
    SPL_CHECK_EQ(saved, ETIMEDOUT);
}

/*
 * The remaining two cases need one change to happen after poll took its first sample. A
 * change that lands before makes poll report "not found" (-1, errno untouched); then the
 * attempt is repeated with a longer delay, so the outcome checked is always the real one.
 */
static int poll_with_late_action(void (*action)(void), long timeout_ms, int *err) {
    for (long delay = 40; delay <= 640; delay *= 2) {
        splinter_unset("other"); /* leftover of an earlier attempt, if any */
        SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
        struct actor a;
        actor_start(&a, action, delay, 0);
        errno = SPL_ERRNO_SENTINEL;
        int rc = splinter_poll("k", (uint64_t)(timeout_ms + delay));
        *err = errno;
        actor_stop(&a);
        if (!(rc == -1 && *err == SPL_ERRNO_SENTINEL)) return rc;
    }
    spl_fail(__FILE__, __LINE__, "the change always landed before poll started");
}

/*
 * Upstream's poll cannot see an unset of a key at epoch 2 (2 -> 0 -> 2). Ours
 * ends an unset two above where it started (2 -> 3 -> 4, native/README.md), so poll,
 * which watches the physical slot, reports the removal.
 */
SPL_TEST(c56_poll_sees_unset_of_key_at_epoch_2) {
    spl_create_store(1, 32);
    int err = 0;
    int rc = poll_with_late_action(unset_k, 3000, &err);
    SPL_CHECK_EQ(rc, 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 0);
}

SPL_TEST(c56_poll_tracks_the_physical_slot) {
    /* A different key landing in the slot after an unset makes poll return 0. */
    spl_create_store(1, 32);
    int err = 0;
    int rc = poll_with_late_action(unset_k_set_other, 3000, &err);
    SPL_CHECK_EQ(rc, 0);
    SPL_CHECK(splinter_get_epoch("other") != 0);
}

SPL_TEST(c57_header_snapshot_without_store_and_null_slot_snapshot_minus2) {
    splinter_header_snapshot_t hs;
    SPL_CHECK_EQ(splinter_get_header_snapshot(&hs), -2);
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", NULL), -2);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot(NULL, &snap), -2);
    SPL_CHECK_EQ(splinter_get_slot_snapshot("missing", &snap), -1);
}

SPL_TEST(x_slot_snapshot_fields) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "value", 5), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 0x42), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_CTIME, 100, 0), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_ATIME, 200, 0), 0);
    splinter_slot_snapshot_t snap;
    memset(&snap, 0xEE, sizeof snap);
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.hash, spl_fnv1a("k"));
    SPL_CHECK_EQ(snap.epoch, 2);
    SPL_CHECK_EQ(snap.val_len, 5);
    SPL_CHECK_EQ(snap.type_flag, 1);
    SPL_CHECK_EQ(snap.user_flag, 0);
    SPL_CHECK_EQ(snap.ctime, 100);
    SPL_CHECK_EQ(snap.atime, 200);
    SPL_CHECK_EQ(snap.bloom, 0x42);
    SPL_CHECK(strcmp(snap.key, "k") == 0);
    for (int i = 1; i < 64; i++) SPL_CHECK_EQ(snap.key[i], 0);
}
