/*
 * internal.h - process-local state and shared helpers of libsplinter.
 *
 * Nothing declared here is exported: the library is compiled with
 * -fvisibility=hidden and the pragma below keeps even extern declarations
 * hidden, so the shm and the persistent library can be loaded into one
 * process without sharing or interposing each other's state.
 */
#ifndef SPLINTER_INTERNAL_H
#define SPLINTER_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "splinter.h"

#pragma GCC visibility push(hidden)

/* FNV-1a 64 parameters (spec 2.3). */
#define SPL_FNV_BASIS 0xcbf29ce484222325ULL
#define SPL_FNV_PRIME 0x100000001b3ULL

#define SPL_HDR_SZ sizeof(struct splinter_header)
#define SPL_SLOT_SZ sizeof(struct splinter_slot)

_Static_assert(sizeof(struct splinter_header) == 5440, "header layout");
#ifdef SPLINTER_EMBEDDINGS
_Static_assert(sizeof(struct splinter_slot) == 3200, "slot layout");
#else
_Static_assert(sizeof(struct splinter_slot) == 128, "slot layout");
#endif

/* The store currently installed in this process (one per loaded library). */
struct spl_store {
    void *base;                    /* mapping start, NULL when no store */
    size_t map_len;                /* mapping length */
    struct splinter_header *hdr;   /* == base */
    struct splinter_slot *slot;    /* slot array */
    unsigned char *values;         /* value arena */
    uint32_t slots;                /* geometry cached at open (validated) */
    uint32_t max_val;              /* bytes per value region */
    uint64_t arena_sz;             /* slots * max_val, bytes the arena really has */
    int bus_fd;                    /* eventfd armed by this process, or -1 */
};

extern struct spl_store spl_g;

/* Relaxed/acquire/release shorthands for the shared fields. */
#define LD_ACQ(p) atomic_load_explicit((p), memory_order_acquire)
#define LD_RLX(p) atomic_load_explicit((p), memory_order_relaxed)
#define ST_REL(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define ST_RLX(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)

static inline void spl_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline bool spl_have_store(void) { return spl_g.base != NULL; }

/* FNV-1a over the bytes up to the first NUL; *len_out receives the length.
 * Unrolled by four: the per-byte cost is the multiply chain, not the loop. */
static inline uint64_t spl_hash(const char *key, size_t *len_out) {
    uint64_t h = SPL_FNV_BASIS;
    const unsigned char *p = (const unsigned char *)key;
    for (;;) {
        unsigned c;
        if (!(c = p[0])) break;
        h = (h ^ c) * SPL_FNV_PRIME;
        if (!(c = p[1])) { p += 1; break; }
        h = (h ^ c) * SPL_FNV_PRIME;
        if (!(c = p[2])) { p += 2; break; }
        h = (h ^ c) * SPL_FNV_PRIME;
        if (!(c = p[3])) { p += 3; break; }
        h = (h ^ c) * SPL_FNV_PRIME;
        p += 4;
    }
    *len_out = (size_t)(p - (const unsigned char *)key);
    return h;
}

/*
 * Key equality with the semantics of strncmp(stored, query, 64) == 0, given the
 * query's length: the first min(len + 1, 64) bytes must be equal (this includes
 * the query's NUL when it is shorter than 64 bytes). The stored field is always
 * 64 bytes, so reading it word-wise is in bounds; the query is read only within
 * its own bytes.
 */
static inline uint64_t spl_ld64(const void *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t spl_ld32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline bool spl_key_eq(const char *stored, const char *query, size_t qlen) {
    size_t n = qlen < SPLINTER_KEY_MAX ? qlen + 1 : SPLINTER_KEY_MAX;
    if (n >= 8) {
        /* Whole words, then one last word that may overlap the previous one. */
        for (size_t i = 0; i + 8 < n; i += 8)
            if (spl_ld64(stored + i) != spl_ld64(query + i)) return false;
        return spl_ld64(stored + n - 8) == spl_ld64(query + n - 8);
    }
    if (n >= 4) return spl_ld32(stored) == spl_ld32(query) && spl_ld32(stored + n - 4) == spl_ld32(query + n - 4);
    for (size_t i = 0; i < n; i++)
        if (stored[i] != query[i]) return false;
    return true;
}

static inline struct splinter_slot *spl_slot_at(size_t i) { return &spl_g.slot[i]; }
static inline size_t spl_slot_index(const struct splinter_slot *s) { return (size_t)(s - spl_g.slot); }

/*
 * Lookup: probe every slot from hash mod slots, stop at the first slot whose
 * hash and key match (spec 5.2). Empty slots do not end the probe.
 */
static inline struct splinter_slot *spl_find_from(const char *key, uint64_t h, size_t qlen, size_t start) {
    uint32_t n = spl_g.slots;
    struct splinter_slot *base = spl_g.slot;
    size_t i = start;
    for (uint32_t c = 0; c < n; c++) {
        struct splinter_slot *s = &base[i];
        if (LD_ACQ(&s->hash) == h && spl_key_eq(s->key, key, qlen)) return s;
        if (++i == n) i = 0;
    }
    return NULL;
}

static inline struct splinter_slot *spl_find(const char *key) {
    size_t qlen;
    uint64_t h = spl_hash(key, &qlen);
    return spl_find_from(key, h, qlen, (size_t)(h % spl_g.slots));
}

/*
 * Bytes of the slot's own value region that really lie inside the arena.
 * Our library never moves val_off, so this is max_val for every slot; a
 * store shared with upstream processes can hold a relocated val_off
 * (upstream BIGUINT promotion), and every access is clipped by this.
 */
/* val_off is a plain field; read it exactly once where no lock is held. */
static inline uint32_t spl_off(const struct splinter_slot *s) {
    return __atomic_load_n(&s->val_off, __ATOMIC_RELAXED);
}

static inline uint32_t spl_room_at(uint64_t off) {
    if (off >= spl_g.arena_sz) return 0;
    uint64_t room = spl_g.arena_sz - off;
    return room < spl_g.max_val ? (uint32_t)room : spl_g.max_val;
}

static inline uint32_t spl_room(const struct splinter_slot *s) {
    uint64_t off = s->val_off;
    if (off >= spl_g.arena_sz) return 0;
    uint64_t room = spl_g.arena_sz - off;
    return room < spl_g.max_val ? (uint32_t)room : spl_g.max_val;
}

static inline unsigned char *spl_value(const struct splinter_slot *s) { return spl_g.values + s->val_off; }

/*
 * Called right after a writer made a slot's epoch odd: orders that store before
 * every store the writer makes next. The acquire half of the compare-and-swap
 * keeps later accesses from starting early, but nothing stops another CPU from
 * seeing a later plain store before the odd epoch (arm64 allows it; x86 does
 * not, and there this fence emits no instruction). A reader that copied such a
 * store would then find the same even epoch before and after its copy and keep
 * a torn value. Paired with the acquire fence in spl_read_end.
 */
static inline void spl_writes_after_odd(void) { atomic_thread_fence(memory_order_release); }

/* Seqlock helpers (spec 6.1). */
static inline bool spl_acquire_weak(struct splinter_slot *s, uint64_t *e_out) {
    uint64_t e = LD_RLX(&s->epoch);
    if (e & 1) return false;
    if (!atomic_compare_exchange_weak_explicit(&s->epoch, &e, e + 1, memory_order_acq_rel, memory_order_relaxed))
        return false;
    spl_writes_after_odd();
    *e_out = e;
    return true;
}

static inline bool spl_acquire_strong(struct splinter_slot *s, uint64_t *e_out) {
    uint64_t e = LD_RLX(&s->epoch);
    if (e & 1) return false;
    if (!atomic_compare_exchange_strong_explicit(&s->epoch, &e, e + 1, memory_order_acq_rel, memory_order_relaxed))
        return false;
    spl_writes_after_odd();
    *e_out = e;
    return true;
}

static inline void spl_release(struct splinter_slot *s) {
    atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release);
}

/* Opens a lock-free read of s: false with errno EAGAIN while a writer holds
 * the slot (odd epoch), else the epoch to hand to spl_read_end. */
static inline bool spl_read_begin(const struct splinter_slot *s, uint64_t *e_out) {
    uint64_t e = LD_ACQ(&s->epoch);
    if (e & 1) {
        errno = EAGAIN;
        return false;
    }
    *e_out = e;
    return true;
}

/* Closes the read: false with errno EAGAIN when a writer came in since
 * spl_read_begin returned e, so what was copied may be torn. */
static inline bool spl_read_end(const struct splinter_slot *s, uint64_t e) {
    atomic_thread_fence(memory_order_acquire);
    if (LD_RLX(&s->epoch) != e) {
        errno = EAGAIN;
        return false;
    }
    return true;
}

static inline void spl_global_bump(void) {
    atomic_fetch_add_explicit(&spl_g.hdr->epoch, 1, memory_order_acq_rel);
}

/* signals.c */
void spl_pulse(const struct splinter_slot *s);
/* bus.c: owner-process notification of a write to slot s (spec 8.2). */
void spl_notify_slow(size_t idx);
static inline void spl_notify(const struct splinter_slot *s) {
    if (spl_g.bus_fd >= 0) spl_notify_slow(spl_slot_index(s));
}
int spl_bus_open(void);
int spl_bus_wait(int fd, uint64_t timeout_ms);
void spl_bus_disarm(void);
/* kv.c */
int spl_lock_key(const char *key, struct splinter_slot **out, uint64_t *e_out);
/* spl_lock_key for the writers that report a busy slot as -1 with errno
 * EAGAIN (unset, append, set_named_type). Returns 0 locked, else -1: errno
 * EAGAIN when busy, unchanged when the key is not found. bump_slot and
 * set_embedding leave errno alone when busy (Q19) and use spl_lock_key. */
static inline int spl_lock_key_or_eagain(const char *key, struct splinter_slot **out, uint64_t *e_out) {
    int r = spl_lock_key(key, out, e_out);
    if (r == 0) return 0;
    if (r > 0) errno = EAGAIN;
    return -1;
}
int spl_set(const char *key, const void *val, size_t len);
int spl_unset(const char *key);
/* mop.c: scrub after a set of len bytes (spec 7.2). */
void spl_scrub_for_set(struct splinter_slot *s, size_t len, uint32_t room);
void spl_scrub_for_unset(struct splinter_slot *s);
/* shards.c */
uint32_t spl_election(uint64_t now, uint8_t *out_intent);
/* store.c */
void spl_uninstall(void);

#ifdef SPLINTER_EMBEDDINGS
static inline void spl_zero_embedding(struct splinter_slot *s) {
    memset(s->embedding, 0, sizeof s->embedding);
}
#endif

#pragma GCC visibility pop

#endif /* SPLINTER_INTERNAL_H */
