/*
 * typing.c - slot types and BIGUINT integers, slot times, system slots,
 * epoch bump and retrain (spec 7.6, 7.7).
 */
#include <stdlib.h>

#include "internal.h"

/* Converts a value shorter than 8 bytes to the u64 of a BIGUINT promotion (Q15). */
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
             * from upstream, which moved the value to val_brk: Q13). */
            if (spl_room(s) < 8) {
                spl_release(s);
                errno = EMSGSIZE;
                return -1;
            }
            unsigned char *p = spl_value(s);
            uint64_t v = spl_promote_value(p, len);
            memcpy(p, &v, 8);
            ST_RLX(&s->val_len, 8);
        }
    }
    ST_RLX(&s->type_flag, (uint8_t)mask);
    spl_release(s);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_set_slot_time(const char *key, unsigned short mode, uint64_t epoch, size_t offset) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    if (LD_ACQ(&s->epoch) & 1) {
        errno = EAGAIN;
        return -1;
    }
    switch (mode) {
    case SPL_TIME_CTIME:
        ST_REL(&s->ctime, epoch - (uint64_t)offset);
        return 0;
    case SPL_TIME_ATIME:
        ST_REL(&s->atime, epoch - (uint64_t)offset);
        return 0;
    default:
        errno = ENOTSUP;
        return -2;
    }
}

SPLINTER_API int splinter_integer_op(const char *key, splinter_integer_op_t op, const void *mask) {
    if (!spl_have_store() || key == NULL) return -2;
    uint64_t operand = 0;
    if (mask != NULL) memcpy(&operand, mask, 8);
    struct splinter_slot *s;
    uint64_t e;
    for (int attempt = 0;; attempt++) {
        size_t qlen;
        uint64_t h = spl_hash(key, &qlen);
        s = spl_find_from(key, h, qlen, (size_t)(h % spl_g.slots));
        if (s == NULL) return -1;
        /* The type is checked before the busy check, as upstream does. */
        if (!(LD_ACQ(&s->type_flag) & SPL_SLOT_TYPE_BIGUINT)) {
            errno = EPROTOTYPE;
            return -1;
        }
        if (attempt >= 16 || !spl_acquire_strong(s, &e)) {
            errno = EAGAIN;
            return -1;
        }
        if (LD_RLX(&s->hash) == h && spl_key_eq(s->key, key, qlen)) break;
        ST_REL(&s->epoch, e);
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
    default: break; /* unknown op: no change, but still a successful write (Q17) */
    }
    memcpy(p, &v, 8);
    spl_release(s);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_set_as_system(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    size_t qlen;
    uint64_t h = spl_hash(key, &qlen);
    /* NOTE: upstream scans from slot 0, not from the hash position (Q26). */
    struct splinter_slot *s = spl_find_from(key, h, qlen, 0);
    if (s == NULL) return -1;
    ST_RLX(&s->type_flag, SPL_SLOT_TYPE_BINARY);
    ST_REL(&s->val_len, spl_room(s));
    return 0;
}

SPLINTER_API int splinter_bump_slot(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key(key, &s, &e) != 0) return -1; /* errno unchanged, also when busy (Q19) */
    atomic_thread_fence(memory_order_release);
    spl_pulse(s);
    spl_release(s);
    return 0;
}

SPLINTER_API int splinter_retrain_slot(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s = spl_find(key);
    if (s == NULL) return -1;
    ST_REL(&s->epoch, 3);
#ifdef SPLINTER_EMBEDDINGS
    spl_writes_after_odd();
    spl_zero_embedding(s);
#endif
    ST_REL(&s->epoch, 4);
    spl_global_bump();
    spl_pulse(s);
    spl_notify(s);
    return 0;
}
