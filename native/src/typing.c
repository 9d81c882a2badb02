/*
 * typing.c - slot types and BIGUINT integers, slot times, system slots,
 * epoch bump and retrain.
 */
#include <stdlib.h>

#include "internal.h"

/* Converts a value shorter than 8 bytes to the u64 of a BIGUINT promotion (strtoull base 0 for a leading digit, as upstream). */
static uint64_t spl_promote_value(const unsigned char *p, uint32_t len) {
    uint64_t v = 0;
    if (len > 0 && p[0] >= '0' && p[0] <= '9') {
        char text[16] = { 0 };
        memcpy(text, p, len < 15 ? len : 15);
        int saved = errno;
        v = strtoull(text, NULL, 0);
        errno = saved;
    } else {
        memcpy(&v, p, len < 8 ? len : 8);
    }
    return v;
}

SPLINTER_API int splinter_set_named_type(const char *key, uint16_t mask) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key_or_eagain(key, &s, &e) != 0) return -1;
    if (mask & SPL_SLOT_TYPE_BIGUINT) {
        uint32_t len = LD_RLX(&s->val_len);
        if (len < 8) {
            /* Promotion in place, inside the slot's own region (divergence
             * 1: upstream moved the value to val_brk). */
            if (spl_room(s) < 8) {
                spl_release(s);
                errno = EMSGSIZE;
                return -1;
            }
            unsigned char *p = spl_value(s);
            uint64_t v = spl_promote_value(p, len);
            spl_bytes_store(p, &v, 8);
            ST_REL(&s->val_len, 8);
        }
    }
    ST_REL(&s->type_flag, (uint8_t)mask);
    spl_release(s);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_set_slot_time(const char *key, unsigned short mode, uint64_t epoch, size_t offset) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t e;
    if (spl_open_read(&k, &s, &e) != 0) return -1;
    _Atomic(uint64_t) *field;
    switch (mode) {
    case SPL_TIME_CTIME: field = &s->ctime; break;
    case SPL_TIME_ATIME: field = &s->atime; break;
    default:
        errno = ENOTSUP;
        return -2;
    }
    /* Key-match rule 3: the time lands on the key or is taken back. */
    uint64_t value = epoch - (uint64_t)offset;
    uint64_t old = atomic_exchange_explicit(field, value, memory_order_acq_rel);
    if (!spl_meta_landed(s, e, &k)) {
        (void)atomic_compare_exchange_strong_explicit(field, &value, old, memory_order_acq_rel, memory_order_relaxed);
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

SPLINTER_API int splinter_integer_op(const char *key, splinter_integer_op_t op, const void *mask) {
    if (!spl_have_store() || key == NULL) return -2;
    uint64_t operand = 0;
    if (mask != NULL) memcpy(&operand, mask, 8);
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t e;
    for (int attempt = 0;; attempt++) {
        int r = spl_find_open(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        /* The type is checked before the busy check, as upstream does; in a
         * read window, so it is the key's type. */
        uint8_t type = LD_RLX(&s->type_flag);
        if (r == SPL_OPEN && !spl_window_ok(s, e)) {
            errno = EAGAIN;
            return -1;
        }
        if (!(type & SPL_SLOT_TYPE_BIGUINT)) {
            errno = EPROTOTYPE;
            return -1;
        }
        /* From the window's epoch: success means nothing changed since. */
        if (r == SPL_BUSY || attempt >= SPL_RELOCK_LIMIT || !spl_acquire_from(s, &e)) {
            errno = EAGAIN;
            return -1;
        }
        if (spl_key_in(s, &k)) break;
        spl_release(s); /* changed without the seqlock by an upstream process */
    }
    if (spl_room(s) < 8) {
        /* Only a value region relocated by an upstream process gets here. */
        spl_release(s);
        errno = EMSGSIZE;
        return -1;
    }
    unsigned char *p = spl_value(s);
    uint64_t v;
    memcpy(&v, p, 8);
    switch (op) {
    case SPL_OP_AND: v &= operand; break;
    case SPL_OP_OR: v |= operand; break;
    case SPL_OP_XOR: v ^= operand; break;
    case SPL_OP_NOT: v = ~v; break;
    case SPL_OP_INC: v += operand; break;
    case SPL_OP_DEC: v -= operand; break;
    default: break; /* unknown op: no change, but still a successful write (as upstream) */
    }
    spl_bytes_store(p, &v, 8);
    spl_release(s);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_set_as_system(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    k.start = 0; /* NOTE: from slot 0, not from the hash position, as upstream. */
    for (int attempt = 0; attempt < SPL_RELOCK_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_stable(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        uint32_t room = spl_room(s);
        uint8_t old_type = atomic_exchange_explicit(&s->type_flag, SPL_SLOT_TYPE_BINARY, memory_order_acq_rel);
        uint32_t old_len = atomic_exchange_explicit(&s->val_len, room, memory_order_acq_rel);
        /* Key-match rule 3 (a slot stuck odd past the wait is changed as upstream would). */
        if (r == SPL_BUSY || spl_meta_landed(s, e, &k)) return 0;
        uint8_t binary = SPL_SLOT_TYPE_BINARY;
        (void)atomic_compare_exchange_strong_explicit(&s->val_len, &room, old_len, memory_order_acq_rel,
                                                      memory_order_relaxed);
        (void)atomic_compare_exchange_strong_explicit(&s->type_flag, &binary, old_type, memory_order_acq_rel,
                                                      memory_order_relaxed);
    }
    errno = EAGAIN;
    return -1;
}

SPLINTER_API int splinter_bump_slot(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key(key, &s, &e) != 0) return -1; /* errno unchanged, also when busy, as upstream */
    spl_pulse(s);
    spl_release(s);
    return 0;
}

/*
 * Upstream stores 3 then 4 whatever the slot holds, which lowers the epoch and
 * breaks a concurrent writer's critical section. Here retrain acquires the
 * slot like any writer (waiting, bounded, for a busy slot) and releases it two
 * higher. A slot that stays odd through the whole wait is taken to belong to a
 * writer that died inside it, and is taken over: odd o -> o+2 (still held),
 * then released to o+3. So retrain still recovers a dead writer's slot, and the
 * epoch still only moves forward.
 */
SPLINTER_API int splinter_retrain_slot(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    for (long attempt = 0; attempt < SPL_SPIN_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_stable(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        bool held = r == SPL_OPEN ? spl_acquire_from(s, &e)
                                  : atomic_compare_exchange_strong_explicit(&s->epoch, &e, e + 2, memory_order_acq_rel,
                                                                            memory_order_relaxed);
        if (!held) continue; /* another writer came first: wait for it and look again */
        atomic_thread_fence(memory_order_release); /* see spl_acquire_weak */
        if (!spl_key_in(s, &k)) {
            spl_release(s);
            continue;
        }
#ifdef SPLINTER_EMBEDDINGS
        spl_zero_embedding(s);
#endif
        uint64_t watchers = LD_RLX(&s->watcher_mask), labels = LD_RLX(&s->bloom);
        spl_release(s);
        spl_global_bump();
        spl_pulse_masks(watchers, labels);
        spl_notify(s);
        return 0;
    }
    errno = EAGAIN;
    return -1;
}
