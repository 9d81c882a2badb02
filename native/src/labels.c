/*
 * labels.c - per-slot label (bloom) bits and enumeration.
 */
#include <stddef.h>

#include "internal.h"

struct splinter_slot *spl_change_mask(const struct spl_key *k, size_t field, uint64_t bits, bool set) {
    for (int attempt = 0; attempt < SPL_RELOCK_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_stable(k, &s, &e);
        if (r == SPL_MISSING) return NULL;
        _Atomic(uint64_t) *mask = (_Atomic(uint64_t) *)((char *)s + field);
        uint64_t old = set ? atomic_fetch_or_explicit(mask, bits, memory_order_acq_rel)
                           : atomic_fetch_and_explicit(mask, ~bits, memory_order_acq_rel);
        if (r == SPL_OPEN && !spl_meta_landed(s, e, k)) {
            /* Take back exactly the bits this call changed, then look again. */
            if (set)
                atomic_fetch_and_explicit(mask, ~(bits & ~old), memory_order_acq_rel);
            else
                atomic_fetch_or_explicit(mask, bits & old, memory_order_acq_rel);
            continue;
        }
        return s;
    }
    errno = EAGAIN;
    return NULL;
}

/*
 * Labels are independent atomic bits and, by contract, do not move the slot epoch.
 * Upstream ORs them into whatever slot its lookup found, so they can land on
 * a key that took the slot over meanwhile; here they follow rule 3 of the
 * key-match rule (spl_change_mask).
 */
static int spl_label(const char *key, uint64_t mask, bool set) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s = spl_change_mask(&k, offsetof(struct splinter_slot, bloom), mask, set);
    if (s == NULL) return -1;
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
