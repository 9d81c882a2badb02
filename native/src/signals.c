/*
 * signals.c - signal groups, key watches and label watches.
 */
#include <stddef.h>

#include "internal.h"

void spl_pulse_masks(uint64_t w, uint64_t b) {
    struct splinter_header *h = spl_g.hdr;
    while (w != 0) {
        int g = __builtin_ctzll(w);
        w &= w - 1;
        atomic_fetch_add_explicit(&h->signal_groups[g].counter, 1, memory_order_acq_rel);
    }
    while (b != 0) {
        int bit = __builtin_ctzll(b);
        b &= b - 1;
        uint8_t g = LD_RLX(&h->bloom_watches[bit]);
        if (g < SPLINTER_MAX_GROUPS) atomic_fetch_add_explicit(&h->signal_groups[g].counter, 1, memory_order_acq_rel);
    }
}

void spl_pulse(const struct splinter_slot *s) { spl_pulse_masks(LD_ACQ(&s->watcher_mask), LD_ACQ(&s->bloom)); }

/* Watch registration follows rule 3 of the key-match rule (internal.h), like labels. */
static int spl_watch(const char *key, uint8_t group_id, bool add) {
    struct spl_key k = spl_key_of(key);
    return spl_change_mask(&k, offsetof(struct splinter_slot, watcher_mask), 1ULL << group_id, add) ? 0 : -1;
}

SPLINTER_API int splinter_watch_register(const char *key, uint8_t group_id) {
    if (!spl_have_store() || key == NULL) return -2;
    if (group_id >= SPLINTER_MAX_GROUPS) {
        errno = EINVAL;
        return -2;
    }
    return spl_watch(key, group_id, true);
}

SPLINTER_API int splinter_watch_unregister(const char *key, uint8_t group_id) {
    if (!spl_have_store() || key == NULL || group_id >= SPLINTER_MAX_GROUPS) return -2;
    return spl_watch(key, group_id, false);
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
    /* Upstream dereferences both unchecked (divergence 16). */
    if (slot == NULL || !spl_have_store()) return;
    spl_pulse(slot);
}

/* Reads the key's watcher and label masks in a read window (rule 1 of the
 * key-match rule), so another key's groups are never pulsed. A slot that stays
 * odd through the bounded wait is pulsed as it is, as upstream does. */
SPLINTER_API int splinter_pulse_keygroup(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    for (long attempt = 0; attempt < SPL_SPIN_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_stable(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        uint64_t watchers = LD_RLX(&s->watcher_mask), labels = LD_RLX(&s->bloom);
        if (r == SPL_BUSY || spl_window_ok(s, e)) {
            spl_pulse_masks(watchers, labels);
            return 0;
        }
        spl_backoff(attempt);
    }
    errno = EAGAIN;
    return -1;
}

SPLINTER_API uint64_t splinter_get_signal_count(uint8_t group_id) {
    if (!spl_have_store() || group_id >= SPLINTER_MAX_GROUPS) return 0;
    return LD_ACQ(&spl_g.hdr->signal_groups[group_id].counter);
}
