/* Checklist items 1-5: structure sizes, alignments and offsets seen by a C compiler. */
#define _GNU_SOURCE
#include <stdalign.h>
#include <stddef.h>

#include "harness.h"
#include "support.h"

SPL_TEST(c01_header_is_5440_bytes_aligned_64) {
    SPL_CHECK_EQ(sizeof(struct splinter_header), 5440);
    SPL_CHECK_EQ(alignof(struct splinter_header), 64);
}

SPL_TEST(c02_slot_is_128_bytes_aligned_64) {
    /* The 3200-byte embeddings slot is checked by the embeddings suite. */
    SPL_CHECK_EQ(sizeof(struct splinter_slot), 128);
    SPL_CHECK_EQ(alignof(struct splinter_slot), 64);
}

SPL_TEST(c03_snapshot_and_record_sizes) {
    SPL_CHECK_EQ(sizeof(splinter_header_snapshot_t), 48);
    SPL_CHECK_EQ(sizeof(splinter_slot_snapshot_t), 120);
    SPL_CHECK_EQ(sizeof(struct splinter_shard_bid), 32);
    SPL_CHECK_EQ(sizeof(struct splinter_shard_bid_snapshot), 40);
    SPL_CHECK_EQ(sizeof(struct splinter_event_bus), 136);
    SPL_CHECK_EQ(sizeof(struct splinter_signal_node), 64);
}

SPL_TEST(c04_header_offsets) {
    SPL_CHECK_EQ(offsetof(struct splinter_header, epoch), 16);
    SPL_CHECK_EQ(offsetof(struct splinter_header, core_flags), 24);
    SPL_CHECK_EQ(offsetof(struct splinter_header, val_brk), 28);
    SPL_CHECK_EQ(offsetof(struct splinter_header, val_sz), 32);
    SPL_CHECK_EQ(offsetof(struct splinter_header, bloom_watches), 56);
    SPL_CHECK_EQ(offsetof(struct splinter_header, signal_groups), 128);
    SPL_CHECK_EQ(offsetof(struct splinter_header, event_bus), 4224);
    SPL_CHECK_EQ(offsetof(struct splinter_header, shard_bids), 4416);
    /* The bus owner fields (native/FORMAT.md, used by the raw event-bus checks). */
    SPL_CHECK_EQ(offsetof(struct splinter_header, event_bus.owner_fd), 4352);
    SPL_CHECK_EQ(offsetof(struct splinter_header, event_bus.owner_pid), 4356);
}

SPL_TEST(c05_slot_offsets) {
    SPL_CHECK_EQ(offsetof(struct splinter_slot, epoch), 8);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, val_off), 16);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, val_len), 20);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, type_flag), 24);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, watcher_mask), 32);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, bloom), 56);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, key), 64);
}
