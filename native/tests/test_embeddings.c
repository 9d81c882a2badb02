/*
 * Embeddings flavour (compiled with -DSPLINTER_EMBEDDINGS against the embeddings library):
 * layout (items 2 and 3 with embeddings), set/get embedding, and the embedding's lifecycle:
 * zeroed by unset and retrain, kept across an overwrite of the key.
 */
#define _GNU_SOURCE
#include <stdalign.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "support.h"

#ifndef SPLINTER_EMBEDDINGS
#error "test_embeddings.c needs -DSPLINTER_EMBEDDINGS"
#endif

static float vec[SPLINTER_EMBED_DIM], got[SPLINTER_EMBED_DIM];

static void fill(float seed) {
    for (int i = 0; i < SPLINTER_EMBED_DIM; i++) vec[i] = seed + (float)i * 0.5f;
}

static int all_zero(const float *v) {
    for (int i = 0; i < SPLINTER_EMBED_DIM; i++) {
        if (v[i] != 0.0f) return 0;
    }
    return 1;
}

SPL_TEST(c02_embeddings_slot_is_3200_bytes_aligned_64) {
    SPL_CHECK_EQ(SPLINTER_EMBED_DIM, 768);
    SPL_CHECK_EQ(sizeof(struct splinter_slot), 3200);
    SPL_CHECK_EQ(alignof(struct splinter_slot), 64);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, key), 64);
    SPL_CHECK_EQ(offsetof(struct splinter_slot, embedding), 128);
}

SPL_TEST(c03_embeddings_slot_snapshot_is_3192_bytes) {
    SPL_CHECK_EQ(sizeof(splinter_slot_snapshot_t), 3192);
    SPL_CHECK_EQ(offsetof(splinter_slot_snapshot_t, embedding), 120);
    SPL_CHECK_EQ(sizeof(struct splinter_header), 5440);
}

SPL_TEST(c06_embeddings_store_size) {
    const char *name = spl_create_store(4, 64);
    struct stat st;
    SPL_CHECK(stat(spl_path_of(name), &st) == 0);
    SPL_CHECK_EQ(st.st_size, 18496); /* measured upstream: 5440 + 4*3200 + 4*64 */
}

SPL_TEST(e_set_and_get_embedding) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_embedding("k", got), 0);
    SPL_CHECK(all_zero(got)); /* a new key starts with a zero vector */
    fill(1.0f);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_set_embedding("k", vec), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
    memset(got, 0, sizeof got);
    SPL_CHECK_EQ(splinter_get_embedding("k", got), 0);
    SPL_CHECK(memcmp(got, vec, sizeof vec) == 0);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK(memcmp(snap.embedding, vec, sizeof vec) == 0);
    /* Argument and lookup errors. */
    SPL_CHECK_EQ(splinter_set_embedding("missing", vec), -1);
    SPL_CHECK_EQ(splinter_get_embedding("missing", got), -1);
    SPL_CHECK_EQ(splinter_set_embedding(NULL, vec), -2);
    SPL_CHECK_EQ(splinter_set_embedding("k", NULL), -2);
    SPL_CHECK_EQ(splinter_get_embedding(NULL, got), -2);
    SPL_CHECK_EQ(splinter_get_embedding("k", NULL), -2);
}

SPL_TEST(e_embedding_kept_across_overwrite) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "first", 5), 0);
    fill(2.0f);
    SPL_CHECK_EQ(splinter_set_embedding("k", vec), 0);
    SPL_CHECK_EQ(splinter_set("k", "second value", 12), 0);
    SPL_CHECK_EQ(splinter_append("k", "!", 1, NULL), 0);
    SPL_CHECK_EQ(splinter_get_embedding("k", got), 0);
    SPL_CHECK(memcmp(got, vec, sizeof vec) == 0);
}

SPL_TEST(e_embedding_zeroed_by_unset) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    fill(3.0f);
    SPL_CHECK_EQ(splinter_set_embedding("k", vec), 0);
    SPL_CHECK_EQ(splinter_unset("k"), 1);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0); /* back into the same slot */
    SPL_CHECK_EQ(splinter_get_embedding("k", got), 0);
    SPL_CHECK(all_zero(got));
}

SPL_TEST(e_embedding_zeroed_by_retrain) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    fill(4.0f);
    SPL_CHECK_EQ(splinter_set_embedding("k", vec), 0);
    SPL_CHECK_EQ(splinter_retrain_slot("k"), 0);
    /* set 2, set_embedding 4, retrain 6: ours adds 2 (upstream stores exactly 4). */
    SPL_CHECK_EQ(splinter_get_epoch("k"), 6);
    SPL_CHECK_EQ(splinter_get_embedding("k", got), 0);
    SPL_CHECK(all_zero(got));
    char buf[4];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("k", buf, sizeof buf, &n), 0); /* value intact */
    SPL_CHECK_EQ(n, 1);
}

SPL_TEST(e_new_key_in_a_reused_slot_starts_with_zero_embedding) {
    /* Mop mode 0 keeps stale bytes around; the embedding of a fresh key is still zeroed. */
    spl_create_store(1, 64);
    SPL_CHECK_EQ(splinter_set_mop(0), 0);
    SPL_CHECK_EQ(splinter_set("a", "v", 1), 0);
    fill(5.0f);
    SPL_CHECK_EQ(splinter_set_embedding("a", vec), 0);
    SPL_CHECK_EQ(splinter_unset("a"), 1);
    SPL_CHECK_EQ(splinter_set("b", "w", 1), 0);
    SPL_CHECK_EQ(splinter_get_embedding("b", got), 0);
    SPL_CHECK(all_zero(got));
}
