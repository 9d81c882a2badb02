/* Checklist items 30-34: scrub (mop) modes and purge. */
#define _GNU_SOURCE
#include <string.h>

#include "harness.h"
#include "support.h"

/* Writes 200 bytes of 'P' then 10 bytes of 'q' to one key; returns its value region. */
static unsigned char *long_then_short(const char *name, const char *key) {
    struct splinter_header *h = spl_map_raw(name);
    unsigned char big[200];
    memset(big, 'P', sizeof big);
    SPL_CHECK_EQ(splinter_set(key, big, sizeof big), 0);
    unsigned char small[10];
    memset(small, 'q', sizeof small);
    SPL_CHECK_EQ(splinter_set(key, small, sizeof small), 0);
    struct splinter_slot *s = spl_slot_at(h, spl_slot_index_of(key));
    SPL_CHECK_EQ(atomic_load(&s->val_len), 10);
    unsigned char *region = spl_values_of(h) + s->val_off;
    for (int b = 0; b < 10; b++) SPL_CHECK_EQ(region[b], 'q');
    return region;
}

SPL_TEST(c30_mode1_scrubs_rounded_length_only) {
    const char *name = spl_create_store(4, 200);
    SPL_CHECK_EQ(splinter_get_mop(), 1);
    unsigned char *r = long_then_short(name, "k");
    for (int b = 10; b < 64; b++) SPL_CHECK_EQ(r[b], 0);
    for (int b = 64; b < 200; b++) SPL_CHECK_EQ(r[b], 'P');
}

SPL_TEST(c31_mode2_scrubs_whole_region) {
    const char *name = spl_create_store(4, 200);
    SPL_CHECK_EQ(splinter_set_mop(0), 0);
    SPL_CHECK_EQ(splinter_set_mop(2), 0);
    SPL_CHECK_EQ(splinter_get_mop(), 2);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(atomic_load(&h->core_flags), 0x01);
    unsigned char *r = long_then_short(name, "k");
    for (int b = 10; b < 200; b++) SPL_CHECK_EQ(r[b], 0);
}

SPL_TEST(x_mode0_does_not_scrub) {
    const char *name = spl_create_store(4, 200);
    SPL_CHECK_EQ(splinter_set_mop(0), 0);
    SPL_CHECK_EQ(splinter_get_mop(), 0);
    unsigned char *r = long_then_short(name, "k");
    for (int b = 10; b < 200; b++) SPL_CHECK_EQ(r[b], 'P');
}

SPL_TEST(c32_set_mop_2_from_default_changes_nothing) {
    const char *name = spl_create_store(4, 64);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_set_mop(2), 0);
    SPL_CHECK_EQ(atomic_load(&h->core_flags), 3);
    SPL_CHECK_EQ(splinter_get_mop(), 1);
    SPL_CHECK_EQ(splinter_set_mop(0), 0);
    SPL_CHECK_EQ(atomic_load(&h->core_flags), 0);
    SPL_CHECK_EQ(splinter_set_mop(1), 0);
    SPL_CHECK_EQ(atomic_load(&h->core_flags), 3);
}

SPL_TEST(c33_set_mop_3_eopnotsupp) {
    spl_create_store(4, 64);
    errno = 0;
    SPL_CHECK_EQ(splinter_set_mop(3), -1);
    SPL_CHECK_ERRNO(EOPNOTSUPP);
    SPL_CHECK_EQ(splinter_get_mop(), 1);
}

SPL_TEST(c34_purge_zeroes_tails_bumps_idle_slots_keeps_header_epoch) {
    const char *name = spl_create_store(4, 64);
    struct splinter_header *h = spl_map_raw(name);
    unsigned char *values = spl_values_of(h);
    /* Mode 0 so stale bytes survive the writes and only purge can clear them. */
    SPL_CHECK_EQ(splinter_set_mop(0), 0);
    unsigned char big[40];
    memset(big, 'a', sizeof big);
    SPL_CHECK_EQ(splinter_set("live", big, sizeof big), 0);
    SPL_CHECK_EQ(splinter_set("live", "bbbbbbbbbb", 10), 0);
    memset(big, 'z', sizeof big);
    SPL_CHECK_EQ(splinter_set("gone", big, sizeof big), 0);
    size_t gone_index = spl_slot_index_of("gone");
    SPL_CHECK_EQ(splinter_unset("gone"), 40); /* mode 0: its bytes stay */
    struct splinter_slot *gone = spl_slot_at(h, gone_index);
    SPL_CHECK_EQ(values[gone->val_off], 'z');

    size_t live_index = spl_slot_index_of("live");
    /* Make one other empty slot busy: purge must skip it. */
    size_t busy_index = 0;
    while (busy_index == live_index || busy_index == gone_index) busy_index++;
    struct splinter_slot *busy = spl_slot_at(h, busy_index);
    atomic_fetch_add(&busy->epoch, 1);

    uint64_t before[4];
    for (size_t i = 0; i < 4; i++) before[i] = atomic_load(&spl_slot_at(h, i)->epoch);
    uint64_t global = spl_header_epoch();
    splinter_purge();
    for (size_t i = 0; i < 4; i++) {
        uint64_t want = i == busy_index ? before[i] : before[i] + 2;
        SPL_CHECK_EQ(atomic_load(&spl_slot_at(h, i)->epoch), want);
    }
    SPL_CHECK_EQ(spl_header_epoch(), global);
    struct splinter_slot *live = spl_slot_at(h, live_index);
    for (int b = 0; b < 10; b++) SPL_CHECK_EQ(values[live->val_off + b], 'b');
    for (int b = 10; b < 64; b++) SPL_CHECK_EQ(values[live->val_off + b], 0);
    for (int b = 0; b < 64; b++) SPL_CHECK_EQ(values[gone->val_off + b], 0);
    SPL_CHECK(strcmp(live->key, "live") == 0); /* keys untouched */
    atomic_fetch_add(&busy->epoch, 1);
}
