/*
 * flags.c - core-flag and slot user-flag helpers on raw pointers.
 * Upstream dereferences the pointer unchecked; a NULL pointer is a no-op / 0 here.
 */
#include "internal.h"

SPLINTER_API void splinter_config_set(struct splinter_header *hdr, uint8_t mask) {
    if (hdr != NULL) atomic_fetch_or_explicit(&hdr->core_flags, mask, memory_order_acq_rel);
}

SPLINTER_API void splinter_config_clear(struct splinter_header *hdr, uint8_t mask) {
    if (hdr != NULL) atomic_fetch_and_explicit(&hdr->core_flags, (uint8_t)~mask, memory_order_acq_rel);
}

SPLINTER_API int splinter_config_test(struct splinter_header *hdr, uint8_t mask) {
    if (hdr == NULL) return 0;
    return (LD_ACQ(&hdr->core_flags) & mask) != 0;
}

SPLINTER_API uint8_t splinter_config_snapshot(struct splinter_header *hdr) {
    return hdr == NULL ? 0 : LD_ACQ(&hdr->core_flags);
}

SPLINTER_API void splinter_slot_usr_set(struct splinter_slot *slot, uint16_t mask) {
    if (slot != NULL) atomic_fetch_or_explicit(&slot->user_flag, (uint8_t)mask, memory_order_acq_rel);
}

SPLINTER_API void splinter_slot_usr_clear(struct splinter_slot *slot, uint16_t mask) {
    if (slot != NULL) atomic_fetch_and_explicit(&slot->user_flag, (uint8_t)~mask, memory_order_acq_rel);
}

SPLINTER_API int splinter_slot_usr_test(struct splinter_slot *slot, uint16_t mask) {
    if (slot == NULL) return 0;
    return (LD_ACQ(&slot->user_flag) & mask) != 0;
}

SPLINTER_API uint16_t splinter_slot_usr_snapshot(struct splinter_slot *slot) {
    return slot == NULL ? 0 : (uint16_t)LD_ACQ(&slot->user_flag);
}
