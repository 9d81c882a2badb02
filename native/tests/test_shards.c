/*
 * Checklist items 66-73: the shard bid table, election, snapshots and cooperative madvise.
 * Bids are placed with splinter_shard_claim_ex and explicit claim times taken from
 * splinter_now(), so every ordering below is fixed by the test, not by timing.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

#define LIVE (1ULL << 62) /* a window that cannot pass during the test */

static uint32_t elect(uint8_t *intent) {
    *intent = 0xEE;
    return splinter_shard_election(intent);
}

SPL_TEST(c66_claim_id_0_minus2_33rd_claim_enospc_reclaim_ok) {
    spl_create_store(4, 64);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_shard_claim(0, SPL_INTENT_NONE, 1, LIVE), -2);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    for (uint32_t id = 1; id <= 32; id++) SPL_CHECK_EQ(splinter_shard_claim(id, SPL_INTENT_NONE, 1, LIVE), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_shard_claim(33, SPL_INTENT_NONE, 1, LIVE), -1);
    SPL_CHECK_ERRNO(ENOSPC);
    SPL_CHECK_EQ(splinter_shard_claim(5, SPL_INTENT_RANDOM, 9, LIVE), 0);
    struct splinter_shard_bid_snapshot snap[32];
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 32), 32);
    SPL_CHECK_EQ(snap[4].shard_id, 5);
    SPL_CHECK_EQ(snap[4].priority, 9);
    SPL_CHECK_EQ(snap[4].intent, SPL_INTENT_RANDOM);
    SPL_CHECK_EQ(snap[4].pid, (uint32_t)getpid());
    /* Releasing one record frees it for a new id, reused in index order. */
    SPL_CHECK_EQ(splinter_shard_release(7), 0);
    SPL_CHECK_EQ(splinter_shard_claim(33, SPL_INTENT_NONE, 1, LIVE), 0);
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 32), 32);
    SPL_CHECK_EQ(snap[6].shard_id, 33);
}

SPL_TEST(c67_election_priority_then_claim_time_then_pid_then_index) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    uint8_t intent = 0;
    /* Higher priority wins. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 100, SPL_INTENT_RANDOM, 5, LIVE, now - 1000), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 100, SPL_INTENT_SEQUENTIAL, 9, LIVE, now - 1000), 0);
    SPL_CHECK_EQ(elect(&intent), 2);
    SPL_CHECK_EQ(intent, SPL_INTENT_SEQUENTIAL);
    /* Equal priority: the smaller claimed_at wins. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(3, 100, SPL_INTENT_NONE, 9, LIVE, now - 2000), 0);
    SPL_CHECK_EQ(elect(&intent), 3);
    SPL_CHECK_EQ(intent, SPL_INTENT_NONE);
    /* Equal priority and claim time: the smaller pid wins. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(4, 50, SPL_INTENT_RANDOM, 9, LIVE, now - 2000), 0);
    SPL_CHECK_EQ(elect(&intent), 4);
    SPL_CHECK_EQ(intent, SPL_INTENT_RANDOM);
    /* Full tie: the lower record index wins (record of id 4 is before that of id 5). */
    SPL_CHECK_EQ(splinter_shard_claim_ex(5, 50, SPL_INTENT_WILLNEED, 9, LIVE, now - 2000), 0);
    SPL_CHECK_EQ(elect(&intent), 4);
    SPL_CHECK_EQ(splinter_shard_release(4), 0);
    SPL_CHECK_EQ(elect(&intent), 5);
    SPL_CHECK_EQ(intent, SPL_INTENT_WILLNEED);
    /* The freed record 3 is reused by the next new id: now a full tie with 5 that wins. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(6, 50, SPL_INTENT_RANDOM, 9, LIVE, now - 2000), 0);
    SPL_CHECK_EQ(elect(&intent), 6);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(6), 1);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(5), 0);
    SPL_CHECK(splinter_shard_election(NULL) == 6); /* NULL out_intent is allowed */
}

SPL_TEST(c68_dontneed_loses_to_protective_bids_wins_otherwise) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    uint8_t intent = 0;
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 10, SPL_INTENT_DONTNEED, 255, LIVE, now - 100), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_RANDOM, 0, LIVE, now - 100), 0);
    SPL_CHECK_EQ(elect(&intent), 1); /* best remaining bid: DONTNEED wins */
    SPL_CHECK_EQ(intent, SPL_INTENT_DONTNEED);
    SPL_CHECK_EQ(splinter_shard_claim_ex(3, 10, SPL_INTENT_SEQUENTIAL, 0, LIVE, now - 50), 0);
    SPL_CHECK_EQ(elect(&intent), 2); /* protective bid present: DONTNEED skipped, 2 claimed first */
    SPL_CHECK_EQ(splinter_shard_release(2), 0);
    SPL_CHECK_EQ(elect(&intent), 3);
    SPL_CHECK_EQ(intent, SPL_INTENT_SEQUENTIAL);
    /* Once the protective bid expires (duration 0) DONTNEED wins again. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(3, 10, SPL_INTENT_SEQUENTIAL, 0, 0, now), 0);
    SPL_CHECK_EQ(elect(&intent), 1);
    /* WILLNEED protects as well. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(4, 10, SPL_INTENT_WILLNEED, 0, LIVE, now), 0);
    SPL_CHECK_EQ(elect(&intent), 4);
    SPL_CHECK_EQ(intent, SPL_INTENT_WILLNEED);
}

SPL_TEST(c69_zero_duration_bid_never_wins_and_is_expired) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(5, 10, SPL_INTENT_NONE, 255, 0, now), 0);
    uint8_t intent = 0;
    SPL_CHECK_EQ(elect(&intent), 0);
    SPL_CHECK_EQ(intent, 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(6, 10, SPL_INTENT_NONE, 1, LIVE, now), 0);
    SPL_CHECK_EQ(elect(&intent), 6);
    struct splinter_shard_bid_snapshot snap[2];
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 2), 2);
    SPL_CHECK_EQ(snap[0].shard_id, 5);
    SPL_CHECK_EQ(snap[0].expired, 1);
    SPL_CHECK_EQ(snap[0].sovereign, 0);
    SPL_CHECK_EQ(snap[1].expired, 0);
    SPL_CHECK_EQ(snap[1].sovereign, 1);
    /* A claim time in the future counts as expired unless the window covers the wrap. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(6, 10, SPL_INTENT_NONE, 1, 1ULL << 60, now + (1ULL << 40)), 0);
    SPL_CHECK_EQ(elect(&intent), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(6, 10, SPL_INTENT_NONE, 1, UINT64_MAX, now + (1ULL << 40)), 0);
    SPL_CHECK_EQ(elect(&intent), 6);
}

SPL_TEST(c70_table_snapshot_32_records_empty_expired_one_sovereign) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(11, 10, SPL_INTENT_NONE, 3, LIVE, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(12, 10, SPL_INTENT_NONE, 7, LIVE, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(13, 10, SPL_INTENT_NONE, 5, LIVE, now), 0);
    struct splinter_shard_bid_snapshot snap[40];
    memset(snap, 0x5A, sizeof snap);
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 40), 32);
    int sovereigns = 0;
    for (int b = 0; b < 32; b++) {
        if (snap[b].shard_id == 0) {
            SPL_CHECK_EQ(snap[b].expired, 1);
            SPL_CHECK_EQ(snap[b].sovereign, 0);
        } else {
            SPL_CHECK_EQ(snap[b].expired, 0);
        }
        sovereigns += snap[b].sovereign;
    }
    SPL_CHECK_EQ(sovereigns, 1);
    SPL_CHECK_EQ(snap[1].shard_id, 12);
    SPL_CHECK_EQ(snap[1].sovereign, 1);
    SPL_CHECK_EQ(snap[1].priority, 7);
    SPL_CHECK_EQ(snap[1].claimed_at, now);
    SPL_CHECK_EQ(snap[1].duration_tsc, LIVE);
    SPL_CHECK_EQ(snap[1].pid, 10);
    unsigned char untouched[sizeof snap[32]];
    memset(untouched, 0x5A, sizeof untouched);
    for (int b = 32; b < 40; b++) SPL_CHECK(memcmp(&snap[b], untouched, sizeof untouched) == 0);
    memset(snap, 0x5A, sizeof snap);
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 3), 3);
    SPL_CHECK(memcmp(&snap[3], untouched, sizeof untouched) == 0);
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 0), 0);
    SPL_CHECK_EQ(splinter_shard_table_snapshot(NULL, 3), -2);
}

SPL_TEST(c71_sovereign_of_0_is_0_unknown_rebid_release_minus1_id_0_minus2) {
    spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(0), 0);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_shard_rebid(42, SPL_INTENT_NONE, 1, LIVE), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_shard_release(42), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_shard_rebid(0, SPL_INTENT_NONE, 1, LIVE), -2);
    SPL_CHECK_EQ(splinter_shard_release(0), -2);
    /* Known ids: rebid renews intent/priority/window (pid unchanged), release frees. */
    SPL_CHECK_EQ(splinter_shard_claim_ex(42, 77, SPL_INTENT_NONE, 1, 0, 0), 0);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(42), 0); /* expired */
    SPL_CHECK_EQ(splinter_shard_rebid(42, SPL_INTENT_RANDOM, 8, LIVE), 0);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(42), 1);
    struct splinter_shard_bid_snapshot snap[1];
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 1), 1);
    SPL_CHECK_EQ(snap[0].pid, 77);
    SPL_CHECK_EQ(snap[0].priority, 8);
    SPL_CHECK_EQ(snap[0].intent, SPL_INTENT_RANDOM);
    SPL_CHECK(snap[0].claimed_at != 0);
    SPL_CHECK_EQ(splinter_shard_release(42), 0);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(42), 0);
    SPL_CHECK_EQ(splinter_shard_release(42), -1);
}

SPL_TEST(c72_madvise_eagain_for_loser_einval_for_unknown_0_for_sovereign) {
    spl_create_store(16, 4096);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 10, SPL_INTENT_WILLNEED, 1, LIVE, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_WILLNEED, 9, LIVE, now), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(1, NULL, 0, POSIX_MADV_WILLNEED, 0), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(99, NULL, 0, POSIX_MADV_WILLNEED, 0), -2);
    SPL_CHECK_ERRNO(EINVAL);
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(0, NULL, 0, POSIX_MADV_WILLNEED, 0), -2);
    SPL_CHECK_ERRNO(EINVAL);
    SPL_CHECK_EQ(splinter_madvise(2, NULL, 0, POSIX_MADV_WILLNEED, 0), 0);
    /* A range inside the arena, not page aligned: rounded down by the library. */
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    void *value = (void *)splinter_get_raw_ptr("k", NULL, NULL);
    SPL_CHECK(value != NULL);
    SPL_CHECK_EQ(splinter_madvise(2, (char *)value + 1, 100, POSIX_MADV_NORMAL, 0), 0);
}

SPL_TEST(c72_madvise_invalid_advice_reports_posix_madvise_error) {
    spl_create_store(16, 4096);
    /* qemu-user treats madvise as a hint and answers 0 to any advice: nothing to report there. */
    long page = sysconf(_SC_PAGESIZE);
    void *probe = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SPL_CHECK(probe != MAP_FAILED);
    int accepted = posix_madvise(probe, (size_t)page, 12345) == 0;
    munmap(probe, (size_t)page);
    if (accepted) SPL_SKIP("this system's madvise accepts an unknown advice (qemu-user does), so no error can reach the caller");
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_WILLNEED, 9, LIVE, splinter_now()), 0);
    /* An invalid advice is reported with posix_madvise's error. */
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(2, NULL, 0, 12345, 0), -1);
    SPL_CHECK_ERRNO(EINVAL);
}

SPL_TEST(x_madvise_times_out_for_a_loser) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 10, SPL_INTENT_NONE, 1, LIVE, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_NONE, 9, LIVE, now), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(1, NULL, 0, POSIX_MADV_NORMAL, 30000000ULL), -1);
    SPL_CHECK_ERRNO(ETIMEDOUT);
}

SPL_TEST(c73_shard_calls_leave_header_epoch_and_signals_alone) {
    spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    uint64_t global = spl_header_epoch();
    uint64_t slot = splinter_get_epoch("k");
    uint64_t signals[64];
    for (int g = 0; g < 64; g++) signals[g] = splinter_get_signal_count((uint8_t)g);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim(1, SPL_INTENT_WILLNEED, 3, LIVE), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_NONE, 4, LIVE, now), 0);
    SPL_CHECK_EQ(splinter_shard_rebid(1, SPL_INTENT_RANDOM, 5, LIVE), 0);
    SPL_CHECK_EQ(splinter_shard_election(NULL), 1);
    struct splinter_shard_bid_snapshot snap[32];
    SPL_CHECK_EQ(splinter_shard_table_snapshot(snap, 32), 32);
    SPL_CHECK_EQ(splinter_madvise(1, NULL, 0, POSIX_MADV_NORMAL, 0), 0);
    SPL_CHECK_EQ(splinter_shard_release(2), 0);
    SPL_CHECK_EQ(splinter_shard_release(1), 0);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    for (int g = 0; g < 64; g++) SPL_CHECK_EQ(splinter_get_signal_count((uint8_t)g), signals[g]);
}
