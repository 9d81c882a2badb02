/*
 * labels.c - per-slot label (bloom) bits and enumeration (spec 7.8).
 */
#include "internal.h"

static int spl_label(const char *key, uint64_t mask, bool set) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    /* No seqlock interaction: labels are independent atomic bits (Q20). */
    if (set)
        atomic_fetch_or_explicit(&s->bloom, mask, memory_order_acq_rel);
    else
        atomic_fetch_and_explicit(&s->bloom, ~mask, memory_order_acq_rel);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_set_label(const char *key, uint64_t mask) { return spl_label(key, mask, true); }

SPLINTER_API int splinter_unset_label(const char *key, uint64_t mask) { return spl_label(key, mask, false); }

SPLINTER_API void splinter_enumerate_matches(uint64_t mask, void (*callback)(const char *key, uint64_t epoch, void *data),
                                             void *user_data) {
    if (!spl_have_store() || callback == NULL) return;
    for (uint32_t i = 0; i < spl_g.slots; i++) {
        struct splinter_slot *s = spl_slot_at(i);
        if (LD_ACQ(&s->hash) == 0) continue;
        if ((LD_RLX(&s->bloom) & mask) != mask) continue;
        callback(s->key, LD_ACQ(&s->epoch), user_data);
    }
}
