/*
 * The remaining rows of the divergence table in native/README.md ("row N" below), each
 * tested as OUR documented behaviour. Rows covered elsewhere: 1 (c48_..., d_promotion_...),
 * 3 (d_open_*), 4 (d_no_descriptor_leak_...), 10 (d_racing_...), 11 (d_overwrite_...),
 * 14 (d_slot_snapshot_*), 15 (d_poll_...). Rows 8 (create writes magic last), 13 (unset
 * holds the slot odd while clearing) and 20 (strong CAS in append) cannot be observed
 * deterministically from outside and are not tested.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/compat.h"

#include "harness.h"
#include "support.h"

static int object_exists(const char *name) {
    struct stat st;
    return stat(spl_path_of(name), &st) == 0;
}

/*
 * Row 2: a value region relocated by an upstream process (upstream promotion moves val_off)
 * is clipped to the arena: no access outside the slot's region or the mapping.
 */
SPL_TEST(d_relocated_value_offset_is_clipped_to_the_arena) {
    const char *name = spl_create_store(4, 64);
    struct splinter_header *h = spl_map_raw(name);
    const uint32_t arena = 4 * 64;
    SPL_CHECK_EQ(splinter_set("far", "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_set("edge", "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_set_named_type("edge", SPL_SLOT_TYPE_BIGUINT), 0);
    struct splinter_slot *far = spl_slot_at(h, spl_slot_index_of("far"));
    struct splinter_slot *edge = spl_slot_at(h, spl_slot_index_of("edge"));
    far->val_off = arena + 4096;  /* past the arena and the mapping */
    edge->val_off = arena - 4;    /* only 4 bytes of room left */

    char buf[64];
    size_t n = 0;
    errno = 0;
    SPL_CHECK_EQ(splinter_get("far", buf, sizeof buf, &n), -1);
    SPL_CHECK_ERRNO(EFAULT);
    size_t sz = 99;
    SPL_CHECK(splinter_get_raw_ptr("far", &sz, NULL) != NULL);
    SPL_CHECK_EQ(sz, 0);
    SPL_CHECK(splinter_get_raw_ptr("edge", &sz, NULL) != NULL);
    SPL_CHECK_EQ(sz, 4);
    errno = 0;
    SPL_CHECK_EQ(splinter_append("edge", "x", 1, NULL), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    uint64_t one = 1;
    errno = 0;
    SPL_CHECK_EQ(splinter_integer_op("edge", SPL_OP_INC, &one), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    /* set of the key itself fails (-1, errno unchanged); 4 bytes still fit. */
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_set("edge", "12345", 5), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_set("edge", "1234", 4), 0);
    SPL_CHECK_EQ(splinter_set_as_system("edge"), 0);
    SPL_CHECK_EQ(atomic_load(&edge->val_len), 4);
    SPL_CHECK_EQ(splinter_set_as_system("far"), 0);
    SPL_CHECK_EQ(atomic_load(&far->val_len), 0);
    splinter_purge(); /* clipped: must not write outside the mapping */
    SPL_CHECK_EQ(splinter_unset("far"), 0);
    /* A new key whose probe reaches the poisoned empty slot moves on to the next one. */
    size_t far_index = (size_t)(far - spl_slot_at(h, 0));
    char k[32];
    spl_key_with_index(k, sizeof k, "next", 4, far_index, 0);
    SPL_CHECK_EQ(splinter_set(k, "abcdefgh", 8), 0);
    SPL_CHECK(spl_slot_index_of(k) != far_index);
    SPL_CHECK_EQ(splinter_get(k, buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 8);
}

/* Row 5: create whose ftruncate fails removes the half-made object. */
SPL_TEST(d_failed_create_leaves_no_object) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = {4096, 4096};
    SPL_CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    const char *name = spl_new_name();
    errno = 0;
    int rc = splinter_create(name, 8, 100); /* 7264 bytes > 4096 */
    int err = errno;
    SPL_CHECK_EQ(rc, -1);
    SPL_CHECK_EQ(err, EFBIG);
    SPL_CHECK(!object_exists(name));
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}

/* Row 6: create/open while a store is installed first closes the current store. */
SPL_TEST(d_switching_stores_closes_the_previous_one) {
    const char *first = spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("in_first", "1", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int first_bus = splinter_event_bus_open();
    SPL_CHECK(first_bus >= 0);
    int fds_armed = spl_count_fds();
    const char *second = spl_create_store(8, 32);
    SPL_CHECK_EQ(spl_count_fds(), fds_armed - 1); /* the armed eventfd of the first was closed */
    SPL_CHECK_EQ(splinter_get_epoch("in_first"), 0);
    SPL_CHECK_EQ(splinter_set("in_second", "2", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(first_bus, 0), -1); /* no notification for the first */
    splinter_event_bus_close(first_bus);
    /* A failed open leaves the current store installed. */
    const char *missing = spl_new_name();
    SPL_CHECK_EQ(splinter_open(missing), -1);
    SPL_CHECK_EQ(splinter_get_epoch("in_second"), 2);
    /* Open switches back. */
    SPL_CHECK_EQ(splinter_open(first), 0);
    SPL_CHECK_EQ(splinter_get_epoch("in_first"), 2);
    SPL_CHECK_EQ(splinter_get_epoch("in_second"), 0);
    (void)second;
}

/* Row 7: geometry that 32-bit offsets cannot address is refused, nothing is created. */
SPL_TEST(d_oversized_geometry_refused_einval) {
    const char *name = spl_new_name();
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, (size_t)UINT32_MAX + 1, 64), -2);
    SPL_CHECK_ERRNO(EINVAL);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, 8, (size_t)UINT32_MAX + 1), -2);
    SPL_CHECK_ERRNO(EINVAL);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, 65536, 65537), -2); /* arena above 4 GiB */
    SPL_CHECK_ERRNO(EINVAL);
    SPL_CHECK(!object_exists(name));
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}

/* Row 9: NULL names. */
SPL_TEST(d_null_name_create_minus2_open_minus1_einval) {
    errno = 0;
    SPL_CHECK_EQ(splinter_create(NULL, 8, 64), -2);
    SPL_CHECK_ERRNO(EINVAL);
    errno = 0;
    SPL_CHECK_EQ(splinter_open(NULL), -1);
    SPL_CHECK_ERRNO(EINVAL);
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}

static void count_visit(const char *key, uint64_t epoch, void *data) {
    (void)key;
    (void)epoch;
    (*(int *)data)++;
}

/* Rows 12 and 16: NULL pointers are refused instead of crashing. */
SPL_TEST(d_null_pointers_do_not_crash) {
    /* pulse_watchers(NULL) without a store. */
    splinter_pulse_watchers(NULL);
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_set("k", NULL, 5), -2);
    SPL_CHECK_EQ(splinter_set("k", NULL, 0), -1); /* length checks come first */
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_get_header_snapshot(NULL), -2);
    SPL_CHECK_EQ(splinter_set_as_system(NULL), -2);
    splinter_enumerate_matches(0, NULL, NULL);
    int visits = 0;
    splinter_enumerate_matches(0, count_visit, &visits);
    SPL_CHECK_EQ(visits, 1);
    splinter_pulse_watchers(NULL);
    splinter_config_set(NULL, 1);
    splinter_config_clear(NULL, 1);
    SPL_CHECK_EQ(splinter_config_test(NULL, 1), 0);
    SPL_CHECK_EQ(splinter_config_snapshot(NULL), 0);
    splinter_slot_usr_set(NULL, 1);
    splinter_slot_usr_clear(NULL, 1);
    SPL_CHECK_EQ(splinter_slot_usr_test(NULL, 1), 0);
    SPL_CHECK_EQ(splinter_slot_usr_snapshot(NULL), 0);
    size_t lens[2] = {1, 1};
    const void *vals[2] = {"a", "b"};
    SPL_CHECK_EQ(splinter_client_set_tandem("t", NULL, lens, 2), -1);
    SPL_CHECK_EQ(splinter_client_set_tandem("t", vals, NULL, 2), -1);
    SPL_CHECK_EQ(splinter_client_set_tandem(NULL, vals, lens, 2), -1);
    splinter_client_unset_tandem(NULL, 2);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
}

/* Row 17: a second bus init in the same process closes the descriptor armed before. */
SPL_TEST(d_second_bus_init_does_not_leak) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int armed = spl_count_fds();
    for (int i = 0; i < 5; i++) SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    SPL_CHECK_EQ(spl_count_fds(), armed);
    splinter_close();
    SPL_CHECK_EQ(spl_count_fds(), armed - 1);
}

/* Row 18: two waiters, one notification: one wakes, the other returns at its timeout. */
struct waiter {
    pthread_t thread;
    int fd;
    int rc;
};

static atomic_int waiters_ready;

static void *wait_once(void *arg) {
    struct waiter *w = arg;
    atomic_fetch_add(&waiters_ready, 1);
    w->rc = splinter_event_bus_wait(w->fd, 300);
    return NULL;
}

SPL_TEST(d_second_waiter_returns_at_its_timeout) {
    /* The row rests on preadv2(RWF_NOWAIT) of an eventfd; where the system lacks it (qemu-user 7.2 answers
     * ENOSYS, older kernels EOPNOTSUPP) the library falls back to a blocking read, and a waiter that loses
     * the count blocks in it. */
    int probe = eventfd(0, EFD_CLOEXEC);
    SPL_CHECK(probe >= 0);
    uint64_t count = 0;
    struct iovec iov = { .iov_base = &count, .iov_len = sizeof count };
    errno = 0;
    ssize_t got = spl_preadv2(probe, &iov, 1, -1, RWF_NOWAIT);
    int probe_errno = errno;
    close(probe);
    if (got < 0 && probe_errno != EAGAIN)
        SPL_SKIP("preadv2(RWF_NOWAIT) on an eventfd is not supported here (qemu-user answers ENOSYS): the library falls back to a blocking read");
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    struct waiter w[2];
    atomic_store(&waiters_ready, 0);
    for (int i = 0; i < 2; i++) {
        w[i].fd = splinter_event_bus_open();
        SPL_CHECK(w[i].fd >= 0);
        w[i].rc = 99;
        SPL_CHECK(pthread_create(&w[i].thread, NULL, wait_once, &w[i]) == 0);
    }
    while (atomic_load(&waiters_ready) < 2) sched_yield();
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    for (int i = 0; i < 2; i++) pthread_join(w[i].thread, NULL);
    SPL_CHECK_MSG((w[0].rc == 0) + (w[1].rc == 0) == 1, "results %d and %d", w[0].rc, w[1].rc);
    SPL_CHECK_EQ(w[0].rc + w[1].rc, -1);
    for (int i = 0; i < 2; i++) splinter_event_bus_close(w[i].fd);
}

/* Row 19: a huge (not UINT64_MAX) madvise timeout waits instead of timing out at once. */
static void *release_winner_later(void *arg) {
    (void)arg;
    spl_sleep_ms(50);
    splinter_shard_release(2);
    return NULL;
}

SPL_TEST(d_madvise_huge_timeout_waits_for_sovereignty) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 10, SPL_INTENT_NONE, 1, 1ULL << 62, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_NONE, 9, 1ULL << 62, now), 0);
    pthread_t t;
    SPL_CHECK(pthread_create(&t, NULL, release_winner_later, NULL) == 0);
    int rc = splinter_madvise(1, NULL, 0, POSIX_MADV_NORMAL, UINT64_MAX - 1);
    pthread_join(t, NULL);
    SPL_CHECK_EQ(rc, 0);
    SPL_CHECK_EQ(splinter_shard_is_sovereign(1), 1);
}

/* Row 21: the owner's notification does not disturb errno of a successful call. */
SPL_TEST(d_notification_preserves_errno) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 1), 0);
    SPL_CHECK_EQ(splinter_retrain_slot("k"), 0);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
}

#ifdef SPLINTER_TEST_PERSISTENT
/* Row 3 detail: a directory fails with the open errno. */
SPL_TEST(d_open_directory_fails_eisdir) {
    errno = 0;
    SPL_CHECK_EQ(splinter_open(spl_test_dir()), -1);
    SPL_CHECK_ERRNO(EISDIR);
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}
#endif
