/* Checklist item 58: every function's "no store" result. */
#define _GNU_SOURCE
#include <string.h>

#include "harness.h"
#include "support.h"

static void noop_callback(const char *key, uint64_t epoch, void *data) {
    (void)key;
    (void)epoch;
    (*(int *)data)++;
}

static void check_no_store_results(void) {
    SPL_CHECK_EQ(splinter_get_epoch("k"), 0);
    size_t sz = 11;
    uint64_t ep = 12;
    SPL_CHECK(splinter_get_raw_ptr("k", &sz, &ep) == NULL);
    SPL_CHECK_EQ(sz, 11);
    SPL_CHECK_EQ(ep, 12);
    SPL_CHECK_EQ(splinter_get_mop(), -2);
    SPL_CHECK_EQ(splinter_set_mop(1), -2);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), -2);
    SPL_CHECK_EQ(splinter_get_signal_count(0), 0);
    uint8_t intent = 7;
    SPL_CHECK_EQ(splinter_shard_election(&intent), 0);
    SPL_CHECK_EQ(intent, 0);
    struct splinter_shard_bid_snapshot bids[2];
    SPL_CHECK_EQ(splinter_shard_table_snapshot(bids, 2), -2);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_event_bus_init(), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_event_bus_open(), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    uint64_t dirty[16];
    memset(dirty, 0xAB, sizeof dirty);
    splinter_event_bus_get_dirty(dirty, 16);
    for (int w = 0; w < 16; w++) SPL_CHECK_EQ(dirty[w], 0xABABABABABABABABULL);
    const void *vals[1] = {"v"};
    size_t lens[1] = {1};
    SPL_CHECK_EQ(splinter_client_set_tandem("k", vals, lens, 1), -1);
    splinter_client_unset_tandem("k", 2); /* no-op */

    /* The rest of table 7.0. */
    SPL_CHECK_EQ(splinter_unset("k"), -2);
    char buf[4];
    size_t n = 5;
    SPL_CHECK_EQ(splinter_get("k", buf, sizeof buf, &n), -2);
    SPL_CHECK_EQ(n, 5);
    char *keys[2];
    size_t count = 9;
    SPL_CHECK_EQ(splinter_list(keys, 2, &count), -2);
    SPL_CHECK_EQ(splinter_poll("k", 0), -2);
    splinter_header_snapshot_t hs;
    SPL_CHECK_EQ(splinter_get_header_snapshot(&hs), -2);
    splinter_slot_snapshot_t ss;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &ss), -2);
    splinter_purge();
    SPL_CHECK_EQ(splinter_set_named_type("k", 4), -2);
    SPL_CHECK_EQ(splinter_set_slot_time("k", 0, 1, 0), -2);
    uint64_t one = 1;
    SPL_CHECK_EQ(splinter_integer_op("k", SPL_OP_INC, &one), -2);
    SPL_CHECK_EQ(splinter_bump_slot("k"), -2);
    SPL_CHECK_EQ(splinter_retrain_slot("k"), -2);
    SPL_CHECK_EQ(splinter_set_label("k", 1), -2);
    SPL_CHECK_EQ(splinter_unset_label("k", 1), -2);
    SPL_CHECK_EQ(splinter_watch_register("k", 1), -2);
    SPL_CHECK_EQ(splinter_watch_unregister("k", 1), -2);
    SPL_CHECK_EQ(splinter_watch_label_register(1, 1), -2);
    SPL_CHECK_EQ(splinter_pulse_keygroup("k"), -2);
    int visits = 0;
    splinter_enumerate_matches(0, noop_callback, &visits);
    SPL_CHECK_EQ(visits, 0);
    SPL_CHECK_EQ(splinter_set_as_system("k"), -2);
    size_t nl = 3;
    SPL_CHECK_EQ(splinter_append("k", "x", 1, &nl), -2);
    SPL_CHECK_EQ(nl, 3);
    SPL_CHECK_EQ(splinter_shard_claim(1, 0, 0, 100), -2);
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 1, 0, 0, 100, 0), -2);
    SPL_CHECK_EQ(splinter_shard_rebid(1, 0, 0, 100), -2);
    SPL_CHECK_EQ(splinter_shard_release(1), -2);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(1), -2);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_madvise(1, NULL, 0, 0, 0), -2);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    /* Independent of the store. */
    SPL_CHECK_EQ(splinter_event_bus_wait(-1, 0), -1);
    splinter_event_bus_close(-1);
    splinter_close();
}

SPL_TEST(c58_no_store_results_in_a_fresh_process) { check_no_store_results(); }

SPL_TEST(c58_no_store_results_after_close) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_shard_claim(1, 0, 0, 100), 0);
    splinter_close();
    check_no_store_results();
}
