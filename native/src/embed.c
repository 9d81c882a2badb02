/*
 * embed.c - embedding vectors, only in SPLINTER_EMBEDDINGS builds.
 */
#include "internal.h"

#ifdef SPLINTER_EMBEDDINGS

SPLINTER_API int splinter_set_embedding(const char *key, const float *embedding) {
    if (!spl_have_store() || key == NULL || embedding == NULL) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key(key, &s, &e) != 0) return -1; /* not found or busy: errno unchanged */
    spl_bytes_store(s->embedding, embedding, sizeof s->embedding);
    spl_release(s);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_get_embedding(const char *key, float *embedding_out) {
    if (!spl_have_store() || key == NULL || embedding_out == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t e;
    if (spl_open_read(&k, &s, &e) != 0) return -1;
    spl_bytes_load(embedding_out, s->embedding, sizeof s->embedding);
    if (!spl_read_end(s, e)) return -1;
    return 0;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int spl_embed_disabled;
#endif
