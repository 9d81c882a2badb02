/*
 * flags.c - core-flag and slot user-flag helpers on raw pointers.
 * Upstream dereferences the pointer unchecked; a NULL pointer is a no-op / 0 here.
 */
#include "internal.h"

/* The four operations on one atomic flag byte; flags == NULL when the caller passed NULL. */
static void spl_flags_set(_Atomic(uint8_t) *flags, uint8_t mask) {
    if (flags != NULL) atomic_fetch_or_explicit(flags, mask, memory_order_acq_rel);
}

static void spl_flags_clear(_Atomic(uint8_t) *flags, uint8_t mask) {
    if (flags != NULL) atomic_fetch_and_explicit(flags, (uint8_t)~mask, memory_order_acq_rel);
}

static int spl_flags_test(_Atomic(uint8_t) *flags, uint8_t mask) {
    return flags != NULL && (LD_ACQ(flags) & mask) != 0;
}

static uint8_t spl_flags_load(_Atomic(uint8_t) *flags) { return flags == NULL ? 0 : LD_ACQ(flags); }

static _Atomic(uint8_t) *spl_core(struct splinter_header *hdr) { return hdr == NULL ? NULL : &hdr->core_flags; }

/* The slot's user flags are one byte: the upper byte of the 16-bit masks is ignored, as upstream. */
static _Atomic(uint8_t) *spl_usr(struct splinter_slot *slot) { return slot == NULL ? NULL : &slot->user_flag; }

SPLINTER_API void splinter_config_set(struct splinter_header *hdr, uint8_t mask) { spl_flags_set(spl_core(hdr), mask); }

SPLINTER_API void splinter_config_clear(struct splinter_header *hdr, uint8_t mask) { spl_flags_clear(spl_core(hdr), mask); }

SPLINTER_API int splinter_config_test(struct splinter_header *hdr, uint8_t mask) { return spl_flags_test(spl_core(hdr), mask); }

SPLINTER_API uint8_t splinter_config_snapshot(struct splinter_header *hdr) { return spl_flags_load(spl_core(hdr)); }

SPLINTER_API void splinter_slot_usr_set(struct splinter_slot *slot, uint16_t mask) {
    spl_flags_set(spl_usr(slot), (uint8_t)mask);
}

SPLINTER_API void splinter_slot_usr_clear(struct splinter_slot *slot, uint16_t mask) {
    spl_flags_clear(spl_usr(slot), (uint8_t)mask);
}

SPLINTER_API int splinter_slot_usr_test(struct splinter_slot *slot, uint16_t mask) {
    return spl_flags_test(spl_usr(slot), (uint8_t)mask);
}

SPLINTER_API uint16_t splinter_slot_usr_snapshot(struct splinter_slot *slot) { return spl_flags_load(spl_usr(slot)); }
