/*
 * mop.c - scrub ("mop") mode and purge.
 */
#include "internal.h"

SPLINTER_API int splinter_set_mop(unsigned int mode) {
    if (!spl_have_store()) return -2;
    _Atomic(uint8_t) *f = &spl_g.hdr->core_flags;
    switch (mode) {
    case 0:
        atomic_fetch_and_explicit(f, (uint8_t)~(SPL_SYS_AUTO_SCRUB | SPL_SYS_HYBRID_SCRUB), memory_order_acq_rel);
        return 0;
    case 1:
        atomic_fetch_or_explicit(f, SPL_SYS_AUTO_SCRUB | SPL_SYS_HYBRID_SCRUB, memory_order_acq_rel);
        return 0;
    case 2:
        /* NOTE: upstream sets AUTO only and leaves HYBRID as it was; kept (native/README.md, "Mop mode"). */
        atomic_fetch_or_explicit(f, SPL_SYS_AUTO_SCRUB, memory_order_acq_rel);
        return 0;
    default:
        errno = EOPNOTSUPP;
        return -1;
    }
}

SPLINTER_API int splinter_get_mop(void) {
    if (!spl_have_store()) return -2;
    uint8_t f = LD_ACQ(&spl_g.hdr->core_flags);
    if (f & SPL_SYS_HYBRID_SCRUB) return 1;
    if (f & SPL_SYS_AUTO_SCRUB) return 2;
    return 0;
}

/*
 * Scrub for a set of len bytes into a region of room bytes. Upstream zeroes
 * the leading part of the region and then copies the value over it; zeroing
 * only the part the copy will not cover gives the same bytes.
 */
void spl_scrub_for_set(struct splinter_slot *s, size_t len, uint32_t room) {
    uint8_t f = LD_RLX(&spl_g.hdr->core_flags);
    if (!(f & SPL_SYS_AUTO_SCRUB)) return;
    size_t end = room;
    if (f & SPL_SYS_HYBRID_SCRUB) {
        size_t rounded = (len + 63) & ~(size_t)63;
        if (rounded < end) end = rounded;
    }
    if (end > len) spl_bytes_zero(spl_value(s) + len, end - len);
}

void spl_scrub_for_unset(struct splinter_slot *s) {
    uint8_t f = LD_RLX(&spl_g.hdr->core_flags);
    if (f & SPL_SYS_AUTO_SCRUB) {
        spl_bytes_zero(spl_value(s), spl_room(s));
        spl_bytes_zero(s->key, SPLINTER_KEY_MAX);
    } else {
        spl_bytes_zero(s->key, 1);
    }
}

SPLINTER_API void splinter_purge(void) {
    if (!spl_have_store()) return;
    for (uint32_t i = 0; i < spl_g.slots; i++) {
        struct splinter_slot *s = spl_slot_at(i);
        uint64_t e;
        if (!spl_acquire_strong(s, &e)) continue;
        uint32_t room = spl_room(s);
        if (LD_RLX(&s->hash) == 0) {
            spl_bytes_zero(spl_value(s), room);
        } else {
            uint32_t len = LD_RLX(&s->val_len);
            if (len < room) spl_bytes_zero(spl_value(s) + len, room - len);
        }
        spl_release(s);
    }
}
