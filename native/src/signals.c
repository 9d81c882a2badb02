/*
 * signals.c - signal groups, key watches and label watches (spec 6.5, 7.10, 9).
 */
#include "internal.h"

void spl_pulse(const struct splinter_slot *s) {
    struct splinter_header *h = spl_g.hdr;
    uint64_t w = LD_ACQ(&s->watcher_mask);
    while (w != 0) {
        int g = __builtin_ctzll(w);
        w &= w - 1;
        atomic_fetch_add_explicit(&h->signal_groups[g].counter, 1, memory_order_acq_rel);
    }
    uint64_t b = LD_ACQ(&s->bloom);
    while (b != 0) {
        int bit = __builtin_ctzll(b);
        b &= b - 1;
        uint8_t g = LD_RLX(&h->bloom_watches[bit]);
        if (g < SPLINTER_MAX_GROUPS) atomic_fetch_add_explicit(&h->signal_groups[g].counter, 1, memory_order_acq_rel);
    }
}

SPLINTER_API int splinter_watch_register(const char *key, uint8_t group_id) {
    if (!spl_have_store() || key == NULL) return -2;
    if (group_id >= SPLINTER_MAX_GROUPS) {
        errno = EINVAL;
        return -2;
    }
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    atomic_fetch_or_explicit(&s->watcher_mask, 1ULL << group_id, memory_order_acq_rel);
    return 0;
}

SPLINTER_API int splinter_watch_unregister(const char *key, uint8_t group_id) {
    if (!spl_have_store() || key == NULL || group_id >= SPLINTER_MAX_GROUPS) return -2;
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    atomic_fetch_and_explicit(&s->watcher_mask, ~(1ULL << group_id), memory_order_acq_rel);
    return 0;
}

SPLINTER_API int splinter_watch_label_register(uint64_t bloom_mask, uint8_t group_id) {
    if (!spl_have_store() || group_id >= SPLINTER_MAX_GROUPS) return -2;
    while (bloom_mask != 0) {
        int bit = __builtin_ctzll(bloom_mask);
        bloom_mask &= bloom_mask - 1;
        ST_REL(&spl_g.hdr->bloom_watches[bit], group_id);
    }
    return 0;
}

SPLINTER_API void splinter_pulse_watchers(struct splinter_slot *slot) {
    /* Upstream dereferences both unchecked (Q25). */
    if (slot == NULL || !spl_have_store()) return;
    spl_pulse(slot);
}

SPLINTER_API int splinter_pulse_keygroup(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    spl_pulse(s);
    return 0;
}

SPLINTER_API uint64_t splinter_get_signal_count(uint8_t group_id) {
    if (!spl_have_store() || group_id >= SPLINTER_MAX_GROUPS) return 0;
    return LD_ACQ(&spl_g.hdr->signal_groups[group_id].counter);
}
