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
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "splinter.h"

#pragma GCC visibility push(hidden)

/* FNV-1a 64 parameters (native/FORMAT.md, "Keys: hash and probe"). */
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

/*
 * Bytes the seqlock protects (keys, values, embeddings) are written only by a
 * writer that holds the slot, and may be read at the same moment by a reader
 * that throws its copy away when its window fails. By the letter of C11 that
 * is a data race, and ThreadSanitizer reports it. In the TSan build
 * (SPLINTER_TSAN, `make SANITIZE=thread`) these bytes are therefore read and
 * written with relaxed atomic byte accesses, so TSan stays quiet about the
 * seqlock and checks everything else; every other build uses memcpy/memset.
 */
#ifdef SPLINTER_TSAN
static inline void spl_bytes_load(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++) d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}
static inline void spl_bytes_store(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++) __atomic_store_n(&d[i], s[i], __ATOMIC_RELAXED);
}
static inline void spl_bytes_zero(void *dst, size_t n) {
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i++) __atomic_store_n(&d[i], 0, __ATOMIC_RELAXED);
}
static inline bool spl_key_eq(const char *stored, const char *query, size_t qlen) {
    size_t n = qlen < SPLINTER_KEY_MAX ? qlen + 1 : SPLINTER_KEY_MAX;
    for (size_t i = 0; i < n; i++)
        if (__atomic_load_n(&stored[i], __ATOMIC_RELAXED) != query[i]) return false;
    return true;
}
#else
static inline void spl_bytes_load(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
static inline void spl_bytes_store(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
static inline void spl_bytes_zero(void *dst, size_t n) { memset(dst, 0, n); }
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

#endif

/* A stored key copied with strncpy semantics: up to the first NUL, zeros after it. */
static inline void spl_key_copy(char dst[SPLINTER_KEY_MAX], const char *stored) {
    spl_bytes_load(dst, stored, SPLINTER_KEY_MAX);
    size_t n = strnlen(dst, SPLINTER_KEY_MAX);
    memset(dst + n, 0, SPLINTER_KEY_MAX - n);
}

static inline struct splinter_slot *spl_slot_at(size_t i) { return &spl_g.slot[i]; }
static inline size_t spl_slot_index(const struct splinter_slot *s) { return (size_t)(s - spl_g.slot); }

/*
 * THE KEY-MATCH RULE. Every function that addresses a slot by key follows it.
 *
 * A slot changes owner (key) only inside a writer's critical section: unset and
 * a set into an empty slot hold the slot's epoch odd while they change hash and
 * key, and every critical section ends at a HIGHER even epoch than it started
 * from (epochs never go back in this library, see below). So an even epoch that
 * is the same before and after a group of reads proves that nothing in the slot
 * changed in between, its owner included.
 *
 * 1. Readers (get, get_epoch, get_raw_ptr, poll's first sample, slot snapshot,
 *    get_embedding, pulse_keygroup, the type check of integer_op) open a read
 *    window: load the epoch (acquire), THEN compare hash and key, read what they
 *    need, and close the window (acquire fence, load the epoch again). Only an
 *    unchanged even epoch makes the key match and the data read belong
 *    together. The comparison has to sit inside the window: made before it (as
 *    upstream does) or after it, it says nothing about the bytes copied in it,
 *    because the slot may have gone from the key to another key and back.
 *    A window that fails is EAGAIN where the function has EAGAIN in its
 *    contract; the others try again, at most SPL_SPIN_LIMIT times.
 * 2. Writers that take the seqlock (set, unset, append, integer_op,
 *    set_named_type, bump, retrain, set_embedding) acquire by compare-and-swap
 *    and compare hash and key again while they hold the slot. A slot that turns
 *    out to hold another key is released forward (e+2, nothing written) and the
 *    probe starts again, a bounded number of times.
 * 3. Writers of one atomic field that by contract leave the slot epoch alone
 *    (set/unset_label, watch_register/unregister, set_slot_time,
 *    set_as_system) make their change inside a read window as in 1. If the
 *    window closes unchanged, the change landed on the key. Otherwise they wait
 *    for the slot to be stable and look at its owner: still the key, done (the
 *    change is ordered before or after the concurrent write); another key or
 *    none, they undo exactly their own change and report EAGAIN or start over
 *    (spl_meta_landed). What remains: a caller paused for a whole unset AND set
 *    of another key between its comparison and its one-instruction change puts
 *    its bits on the new key until the undo a few instructions later, and that
 *    undo can also take back the same bits if the new key's own caller set them
 *    in that instant. Closing that gap would take the slot's lock (its odd
 *    epoch), which makes a concurrent set of the same key skip the slot and
 *    write a duplicate, or moving the epoch, which the contract forbids here.
 *    For the argument in 3, every store to a slot's metadata fields (val_len,
 *    type_flag, bloom, watcher_mask, ctime, atime, user_flag) is a release
 *    store or an atomic read-modify-write: a change that reads such a store
 *    then also sees the epoch move of the writer that made it.
 *
 * Epochs never go back: every acquisition ends with a release to e+2. Unset
 * acquires and ends two above where it started (upstream: 0, then 2), retrain
 * acquires instead of storing 3 then 4, and a slot found to hold another key
 * after the compare-and-swap is released forward instead of restored. No
 * epoch is ever stored directly (a new store's slots start at 0). A store shared with upstream processes does not
 * have this property (their unset and retrain lower epochs), so there the
 * rule is only as good as upstream lets it be.
 */

/* Attempts before a bounded wait on a busy slot gives up (about 20 ms here):
 * a CPU pause per attempt, a sched_yield every 1024. */
#define SPL_SPIN_LIMIT 1000000L
/* Probes started again after a slot turned out to hold another key. */
#define SPL_RELOCK_LIMIT 16

static inline void spl_backoff(long attempt);

/* The start index of a key's probe. */
static inline size_t spl_start(uint64_t h) { return (size_t)(h % spl_g.slots); }

/* A key as the key-addressed functions use it: its bytes, length (up to the
 * NUL), FNV-1a hash and the slot where its probe starts. */
struct spl_key {
    const char *str;
    size_t len;
    uint64_t h;
    size_t start;
};

static inline struct spl_key spl_key_of(const char *key) {
    struct spl_key k;
    k.str = key;
    k.h = spl_hash(key, &k.len);
    k.start = spl_start(k.h);
    return k;
}

/* True when s holds k: its hash, then its key field (one unprotected look). */
static inline bool spl_key_in(const struct splinter_slot *s, const struct spl_key *k) {
    return LD_RLX(&s->hash) == k->h && spl_key_eq(s->key, k->str, k->len);
}

/* Results of spl_find_open. */
#define SPL_MISSING 0 /* no slot holds the key */
#define SPL_OPEN 1    /* *e_out is even; hash and key matched after it was loaded */
#define SPL_BUSY 2    /* the key's slot is odd (*e_out); the comparison was unprotected */

/*
 * Probe with a read window: every slot from k->start, wrapping around, up to
 * the first slot whose hash and key match. The epoch is loaded before hash and key, so on SPL_OPEN
 * the caller holds an open window; spl_window_ok(s, e) closes it. Empty slots do
 * not end the probe.
 */
static inline int spl_find_open(const struct spl_key *k, struct splinter_slot **out, uint64_t *e_out) {
    uint32_t n = spl_g.slots;
    struct splinter_slot *base = spl_g.slot;
    size_t i = k->start;
    for (uint32_t c = 0; c < n; c++) {
        struct splinter_slot *s = &base[i];
        uint64_t e = atomic_load_explicit(&s->epoch, memory_order_acquire);
        if (spl_key_in(s, k)) {
            *out = s;
            *e_out = e;
            return (e & 1) ? SPL_BUSY : SPL_OPEN;
        }
        if (++i == n) i = 0;
    }
    return SPL_MISSING;
}

/* spl_find_open that waits (bounded) while the key's slot is busy; SPL_BUSY
 * only when it stayed odd through SPL_SPIN_LIMIT attempts. */
static inline int spl_find_stable(const struct spl_key *k, struct splinter_slot **out, uint64_t *e_out) {
    for (long attempt = 0;; attempt++) {
        int r = spl_find_open(k, out, e_out);
        if (r != SPL_BUSY || attempt >= SPL_SPIN_LIMIT) return r;
        spl_backoff(attempt);
    }
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

static inline uint32_t spl_room(const struct splinter_slot *s) { return spl_room_at(s->val_off); }

static inline unsigned char *spl_value(const struct splinter_slot *s) { return spl_g.values + s->val_off; }

/* Seqlock helpers. Every acquisition is followed by a release
 * fence: the odd epoch must be visible before any write the writer makes in
 * the slot (a reader that sees one of those writes must then see the epoch
 * move). On x86 it costs nothing; on arm64 the compare-and-swap alone does
 * not order the later stores after its own store. */
static inline bool spl_acquire_weak(struct splinter_slot *s, uint64_t *e_out) {
    uint64_t e = LD_RLX(&s->epoch);
    if (e & 1) return false;
    if (!atomic_compare_exchange_weak_explicit(&s->epoch, &e, e + 1, memory_order_acq_rel, memory_order_relaxed))
        return false;
    atomic_thread_fence(memory_order_release);
    *e_out = e;
    return true;
}

/* Acquires s from exactly the even epoch e (e -> e+1). On failure *e holds the
 * epoch found instead. */
static inline bool spl_acquire_from(struct splinter_slot *s, uint64_t *e) {
    if (!atomic_compare_exchange_strong_explicit(&s->epoch, e, *e + 1, memory_order_acq_rel, memory_order_relaxed))
        return false;
    atomic_thread_fence(memory_order_release);
    return true;
}

static inline bool spl_acquire_strong(struct splinter_slot *s, uint64_t *e_out) {
    uint64_t e = LD_RLX(&s->epoch);
    if (e & 1) return false;
    if (!spl_acquire_from(s, &e)) return false;
    *e_out = e;
    return true;
}

/* Ends a critical section: e+1 -> e+2. Also the way out of a slot that turned
 * out to hold another key (nothing written): epochs only move forward. */
static inline void spl_release(struct splinter_slot *s) {
    atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release);
}

static inline void spl_backoff(long attempt) {
    if ((attempt & 1023) == 1023) sched_yield();
    else spl_cpu_relax();
}

/* Closes a read window opened at the even epoch e: true when nothing changed
 * the slot since (see the key-match rule). */
static inline bool spl_window_ok(const struct splinter_slot *s, uint64_t e) {
    atomic_thread_fence(memory_order_acquire);
    return LD_RLX(&s->epoch) == e;
}

/* spl_window_ok that sets errno EAGAIN on a change. */
static inline bool spl_read_end(const struct splinter_slot *s, uint64_t e) {
    if (spl_window_ok(s, e)) return true;
    errno = EAGAIN;
    return false;
}

/* Whether s holds the key once it is stable: waits (bounded) for an even epoch
 * and compares hash and key inside a read window. A slot that stays odd is
 * judged by an unprotected comparison. */
static inline bool spl_holds_key(const struct splinter_slot *s, const struct spl_key *k) {
    for (long attempt = 0; attempt < SPL_SPIN_LIMIT; attempt++) {
        uint64_t e = LD_ACQ(&s->epoch);
        if (!(e & 1)) {
            bool mine = spl_key_in(s, k);
            if (spl_window_ok(s, e)) return mine;
        }
        spl_backoff(attempt);
    }
    return spl_key_in(s, k);
}

/* Rule 3: after an atomic change of one field of s made inside the window
 * opened at e, tells whether the change landed while s held the key. */
static inline bool spl_meta_landed(const struct splinter_slot *s, uint64_t e, const struct spl_key *k) {
    return spl_window_ok(s, e) || spl_holds_key(s, k);
}

/* Rule 1's opening for the readers whose contract has EAGAIN (get,
 * get_embedding, set_slot_time): 0 with a window open at *e_out (close it with
 * spl_read_end), or -1: errno EAGAIN when the key's slot is busy, unchanged
 * when the key is missing. */
static inline int spl_open_read(const struct spl_key *k, struct splinter_slot **out, uint64_t *e_out) {
    int r = spl_find_open(k, out, e_out);
    if (r == SPL_OPEN) return 0;
    if (r == SPL_BUSY) errno = EAGAIN;
    return -1;
}

/* Rule 3 for one atomic 64-bit mask of the key's slot (labels: bloom;
 * watches: watcher_mask, chosen by its offset in the slot): sets or clears
 * bits, and takes back exactly this call's change when it did not land on the
 * key. A busy slot is waited for (bounded); one that stays odd is changed
 * anyway, as upstream does. Returns the slot, or NULL: errno unchanged when
 * the key is missing, EAGAIN after SPL_RELOCK_LIMIT owner changes. */
struct splinter_slot *spl_change_mask(const struct spl_key *k, size_t field, uint64_t bits, bool set);

static inline void spl_global_bump(void) {
    atomic_fetch_add_explicit(&spl_g.hdr->epoch, 1, memory_order_acq_rel);
}

/* signals.c */
void spl_pulse(const struct splinter_slot *s);
/* Pulse with watcher and label masks read earlier (by a writer that still held
 * the slot, or inside a read window), so a slot that changed owner since is
 * not pulsed for the old key. */
void spl_pulse_masks(uint64_t watchers, uint64_t labels);
/* bus.c: owner-process notification of a write to slot s. */
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
 * set_embedding leave errno alone when busy (as upstream) and use spl_lock_key. */
static inline int spl_lock_key_or_eagain(const char *key, struct splinter_slot **out, uint64_t *e_out) {
    int r = spl_lock_key(key, out, e_out);
    if (r == 0) return 0;
    if (r > 0) errno = EAGAIN;
    return -1;
}
int spl_set(const char *key, const void *val, size_t len);
/* The one function beyond upstream's (exports-extensions.txt), declared here: it is not in splinter.h, which stays
 * upstream's. See kv.c. */
SPLINTER_API int splinter_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len);
int spl_unset(const char *key);
/* mop.c: scrub after a set of len bytes. */
void spl_scrub_for_set(struct splinter_slot *s, size_t len, uint32_t room);
void spl_scrub_for_unset(struct splinter_slot *s);
/* shards.c */
uint32_t spl_election(uint64_t now, uint8_t *out_intent);
/* store.c */
void spl_uninstall(void);

#ifdef SPLINTER_EMBEDDINGS
static inline void spl_zero_embedding(struct splinter_slot *s) {
    spl_bytes_zero(s->embedding, sizeof s->embedding);
}
#endif

#pragma GCC visibility pop

#endif /* SPLINTER_INTERNAL_H */
