/*
 * kv.c - key/value operations: set, get, unset, append, list, poll, epochs,
 * raw pointers and snapshots.
 */
#include <sched.h>
#include <time.h>

#include "internal.h"

/* Locks the key's slot (key-match rule 2): the compare-and-swap starts from
 * the epoch of the read window in which the key matched, and the key is
 * compared again while the slot is held. Returns 0 locked, -1 not found, 1
 * busy. */
int spl_lock_key(const char *key, struct splinter_slot **out, uint64_t *e_out) {
    struct spl_key k = spl_key_of(key);
    for (int attempt = 0; attempt < SPL_RELOCK_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_open(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        if (r == SPL_BUSY) return 1;
        if (!spl_acquire_from(s, &e)) {
            if (e & 1) return 1;
            continue; /* a write came and went since the probe: look again */
        }
        if (spl_key_in(s, &k)) {
            *out = s;
            *e_out = e;
            return 0;
        }
        /* The key was changed without the seqlock (only an upstream process
         * does that): nothing was written, release forward and look again. */
        spl_release(s);
    }
    return 1;
}

/* Set's body, given the key's length and hash (spl_hash's results). Inlined into both callers: splinter_set
 * costs what it did before the extension shared it. */
static inline __attribute__((always_inline)) int spl_set_with(const char *key, size_t qlen, uint64_t h, const void *val, size_t len) {
    uint32_t n = spl_g.slots;
    size_t i = (size_t)(h % n);
    for (uint32_t c = 0; c < n; c++, i = (i + 1 == n) ? 0 : i + 1) {
        struct splinter_slot *s = spl_slot_at(i);
        uint64_t sh = LD_ACQ(&s->hash);
        if (sh != 0 && (sh != h || !spl_key_eq(s->key, key, qlen))) continue;
        uint64_t e;
        if (!spl_acquire_weak(s, &e)) continue;
        /* Re-check under the lock: another writer may have filled the slot
         * between our probe and our CAS. */
        sh = LD_RLX(&s->hash);
        bool empty = sh == 0;
        if (!empty && (sh != h || !spl_key_eq(s->key, key, qlen))) {
            spl_release(s); /* nothing written; epochs only move forward */
            continue;
        }
        uint32_t room = spl_room(s);
        if (len > room) {
            /* Only a value region relocated by an upstream process gets here. */
            spl_release(s);
            if (empty) continue;
            return -1;
        }
        unsigned char *dst = spl_value(s);
        spl_scrub_for_set(s, len, room);
        spl_bytes_store(dst, val, len);
        ST_REL(&s->val_len, (uint32_t)len);
        if (empty) {
#ifdef SPLINTER_EMBEDDINGS
            spl_zero_embedding(s);
#endif
            size_t k = qlen < SPLINTER_KEY_MAX - 1 ? qlen : SPLINTER_KEY_MAX - 1;
            spl_bytes_store(s->key, key, k);
            spl_bytes_zero(s->key + k, SPLINTER_KEY_MAX - k);
            atomic_thread_fence(memory_order_release);
            ST_REL(&s->hash, h);
        }
        /* An existing key is left alone: its bytes already match, and
         * rewriting them would make the live key vanish for readers. */
        uint64_t watchers = LD_RLX(&s->watcher_mask), labels = LD_RLX(&s->bloom);
        spl_release(s);
        spl_pulse_masks(watchers, labels);
        spl_global_bump();
        spl_notify(s);
        return 0;
    }
    return -1;
}

/* Set's argument checks, in splinter_set's order (the key before it is hashed): 0, or what set answers. */
static inline int spl_set_refusal(const char *key, const void *val, size_t len) {
    if (!spl_have_store() || key == NULL) return -2;
    if (len == 0 || len > spl_g.max_val) return -1;
    if (val == NULL) return -2;
    return 0;
}

int spl_set(const char *key, const void *val, size_t len) {
    int refusal = spl_set_refusal(key, val, len);
    if (refusal != 0) return refusal;

    size_t qlen;
    uint64_t h = spl_hash(key, &qlen);
    return spl_set_with(key, qlen, h, val, len);
}

SPLINTER_API int splinter_set(const char *key, const void *val, size_t len) { return spl_set(key, val, len); }

/* Extension (exports-extensions.txt): splinter_set for a caller that keeps the key's length and FNV-1a hash, so the
 * key is not hashed on every write. Same results as splinter_set; a length or hash that is not the key's stores it
 * where no lookup finds it, so only callers that computed both from these very bytes may use it (the C# layer's
 * SplinterKey). */
SPLINTER_API int splinter_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len) {
    int refusal = spl_set_refusal(key, val, len);
    return refusal != 0 ? refusal : spl_set_with(key, key_len, hash, val, len);
}

int spl_unset(const char *key) {
    if (!spl_have_store() || key == NULL) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key_or_eagain(key, &s, &e) != 0) return -1;
    int old_len = (int)LD_RLX(&s->val_len);
    ST_REL(&s->hash, 0);
    spl_scrub_for_unset(s);
    /* Release stores: see rule 3 of the key-match rule in internal.h. */
    ST_REL(&s->type_flag, SPL_SLOT_DEFAULT_TYPE);
    ST_REL(&s->val_len, 0);
#ifdef SPLINTER_EMBEDDINGS
    spl_zero_embedding(s);
#endif
    ST_REL(&s->ctime, 0);
    ST_REL(&s->atime, 0);
    ST_REL(&s->user_flag, 0);
    ST_REL(&s->watcher_mask, 0);
    ST_REL(&s->bloom, 0);
    /* Upstream ends every unset at epoch 2 (0, then +2). Here the slot ends
     * two above where it started, so a remove and a set of the same key can
     * never bring the slot back to an epoch a reader has already seen. */
    spl_release(s);
    return old_len;
}

SPLINTER_API int splinter_unset(const char *key) { return spl_unset(key); }

SPLINTER_API int splinter_get(const char *key, void *buf, size_t buf_sz, size_t *out_sz) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t e;
    if (spl_open_read(&k, &s, &e) != 0) return -1;
    /* Inside the window opened by the probe: the key matched after e was loaded. */
    uint32_t len = LD_RLX(&s->val_len);
    if (out_sz != NULL) *out_sz = len;
    if (buf != NULL) {
        if (buf_sz < len) {
            /* A length read in a torn window is not the key's: EAGAIN then. */
            if (!spl_read_end(s, e)) return -1;
            errno = EMSGSIZE;
            return -1;
        }
        uint32_t off = spl_off(s);
        if ((uint64_t)off + len > spl_g.arena_sz) {
            /* Value region relocated outside the arena by an upstream process. */
            if (!spl_read_end(s, e)) return -1;
            errno = EFAULT;
            return -1;
        }
        spl_bytes_load(buf, spl_g.values + off, len);
    }
    if (!spl_read_end(s, e)) return -1;
    return 0;
}

SPLINTER_API int splinter_append(const char *key, const void *data, size_t data_len, size_t *new_len) {
    if (!spl_have_store() || key == NULL || data == NULL || data_len == 0) return -2;
    struct splinter_slot *s;
    uint64_t e;
    if (spl_lock_key_or_eagain(key, &s, &e) != 0) return -1;
    uint64_t cur = LD_RLX(&s->val_len);
    uint64_t room = spl_room(s);
    if (cur > room || data_len > room - cur) {
        spl_release(s);
        errno = EMSGSIZE;
        return -1;
    }
    spl_bytes_store(spl_value(s) + cur, data, data_len);
    ST_REL(&s->val_len, (uint32_t)(cur + data_len));
    if (new_len != NULL) *new_len = (size_t)(cur + data_len);
    uint64_t watchers = LD_RLX(&s->watcher_mask), labels = LD_RLX(&s->bloom);
    spl_release(s);
    spl_pulse_masks(watchers, labels);
    spl_global_bump();
    spl_notify(s);
    return 0;
}

SPLINTER_API int splinter_list(char **out_keys, size_t max_keys, size_t *out_count) {
    if (!spl_have_store() || out_keys == NULL || out_count == NULL) return -2;
    size_t count = 0;
    for (uint32_t i = 0; i < spl_g.slots && count < max_keys; i++) {
        struct splinter_slot *s = spl_slot_at(i);
        if (LD_ACQ(&s->hash) != 0 && LD_RLX(&s->val_len) > 0) out_keys[count++] = s->key;
    }
    *out_count = count;
    return 0;
}

static uint64_t spl_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

SPLINTER_API int splinter_poll(const char *key, uint64_t timeout_ms) {
    if (!spl_have_store() || key == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t start;
    int r = spl_find_open(&k, &s, &start);
    if (r == SPL_MISSING) return -1;
    /* The first sample counts only if the key held the slot at that epoch. As
     * upstream, poll then watches the physical slot. */
    if (r == SPL_BUSY || !spl_read_end(s, start)) {
        errno = EAGAIN;
        return -1;
    }
    /* Monotonic deadline, saturating instead of wrapping. */
    uint64_t span, deadline;
    if (__builtin_mul_overflow(timeout_ms, NS_PER_MS, &span)) span = UINT64_MAX;
    if (__builtin_add_overflow(spl_mono_ns(), span, &deadline)) deadline = UINT64_MAX;
    const struct timespec quantum = { 0, 10 * 1000000L };
    for (;;) {
        uint64_t e = LD_ACQ(&s->epoch);
        if (!(e & 1) && e != start) return 0;
        /* Unlike upstream, the deadline also applies while the slot is odd. */
        if (spl_mono_ns() >= deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        nanosleep(&quantum, NULL);
    }
}

/*
 * The raw pointer and get_epoch have no EAGAIN: a busy slot is reported by an
 * odd epoch (as upstream). An even epoch is only reported together with what
 * was read in the same window, so (pointer, size, even epoch) all belong to
 * the key at that epoch; a window that fails is tried again (bounded). After
 * SPL_SPIN_LIMIT failed windows the slot is reported busy with the odd epoch
 * it passed through just before the last even one seen.
 */
/* One attempt of get_raw_ptr: false when the window failed (nothing written). */
static inline bool spl_raw_ptr_once(const struct spl_key *k, bool last, const void **ptr, size_t *out_sz,
                                    uint64_t *out_epoch) {
    struct splinter_slot *s;
    uint64_t e;
    int r = spl_find_open(k, &s, &e);
    if (r == SPL_MISSING) {
        *ptr = NULL;
        return true;
    }
    uint32_t off = spl_off(s);
    uint32_t len = LD_RLX(&s->val_len);
    if (r == SPL_OPEN && !spl_window_ok(s, e)) {
        if (!last) return false;
        e = LD_RLX(&s->epoch);
        if (!(e & 1)) e--;
    }
    if (out_epoch != NULL) *out_epoch = e;
    if (out_sz != NULL) {
        uint32_t room = spl_room_at(off);
        *out_sz = len < room ? len : room;
    }
    *ptr = spl_g.values + off;
    return true;
}

/* The retries, out of line so the first attempt stays cheap. */
/* The retries take the key again (its hash is computed again): the first attempt's key then never leaves registers. */
__attribute__((noinline)) static const void *spl_raw_ptr_retry(const char *key, size_t *out_sz, uint64_t *out_epoch) {
    struct spl_key k = spl_key_of(key);
    const void *ptr;
    for (long attempt = 1;; attempt++) {
        spl_backoff(attempt);
        if (spl_raw_ptr_once(&k, attempt >= SPL_SPIN_LIMIT, &ptr, out_sz, out_epoch)) return ptr;
    }
}

SPLINTER_API const void *splinter_get_raw_ptr(const char *key, size_t *out_sz, uint64_t *out_epoch) {
    if (!spl_have_store() || key == NULL) return NULL;
    struct spl_key k = spl_key_of(key);
    const void *ptr;
    if (spl_raw_ptr_once(&k, false, &ptr, out_sz, out_epoch)) return ptr;
    return spl_raw_ptr_retry(key, out_sz, out_epoch);
}

__attribute__((noinline)) static uint64_t spl_get_epoch_retry(const char *key) {
    struct spl_key k = spl_key_of(key);
    for (long attempt = 1;; attempt++) {
        spl_backoff(attempt);
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_open(&k, &s, &e);
        if (r == SPL_MISSING) return 0;
        if (r == SPL_BUSY || spl_window_ok(s, e)) return e;
        if (attempt >= SPL_SPIN_LIMIT) {
            e = LD_RLX(&s->epoch);
            return (e & 1) ? e : e - 1;
        }
    }
}

SPLINTER_API uint64_t splinter_get_epoch(const char *key) {
    if (!spl_have_store() || key == NULL) return 0;
    struct spl_key k = spl_key_of(key);
    struct splinter_slot *s;
    uint64_t e;
    int r = spl_find_open(&k, &s, &e);
    if (r == SPL_MISSING) return 0;
    if (r == SPL_BUSY || spl_window_ok(s, e)) return e;
    return spl_get_epoch_retry(key);
}

SPLINTER_API int splinter_get_header_snapshot(splinter_header_snapshot_t *snapshot) {
    if (!spl_have_store() || snapshot == NULL) return -2;
    struct splinter_header *h = spl_g.hdr;
    snapshot->magic = h->magic;
    snapshot->version = h->version;
    snapshot->slots = h->slots;
    snapshot->max_val_sz = h->max_val_sz;
    snapshot->core_flags = LD_ACQ(&h->core_flags);
    snapshot->user_flags = LD_ACQ(&h->user_flags);
    snapshot->epoch = LD_ACQ(&h->epoch);
    snapshot->parse_failures = LD_ACQ(&h->parse_failures);
    snapshot->last_failure_epoch = LD_ACQ(&h->last_failure_epoch);
    return 0;
}

SPLINTER_API int splinter_get_slot_snapshot(const char *key, splinter_slot_snapshot_t *snapshot) {
    if (!spl_have_store() || key == NULL || snapshot == NULL) return -2;
    struct spl_key k = spl_key_of(key);
    for (long attempt = 0; attempt < SPL_SPIN_LIMIT; attempt++) {
        struct splinter_slot *s;
        uint64_t e;
        int r = spl_find_open(&k, &s, &e);
        if (r == SPL_MISSING) return -1;
        if (r == SPL_BUSY) {
            spl_backoff(attempt);
            continue;
        }
        snapshot->hash = k.h;
        snapshot->epoch = e;
        snapshot->val_off = spl_off(s);
        snapshot->val_len = LD_RLX(&s->val_len);
        snapshot->type_flag = LD_RLX(&s->type_flag);
        snapshot->user_flag = LD_RLX(&s->user_flag);
        snapshot->ctime = LD_RLX(&s->ctime);
        snapshot->atime = LD_RLX(&s->atime);
        snapshot->bloom = LD_RLX(&s->bloom);
        spl_key_copy(snapshot->key, s->key);
#ifdef SPLINTER_EMBEDDINGS
        spl_bytes_load(snapshot->embedding, s->embedding, sizeof snapshot->embedding);
#endif
        if (spl_window_ok(s, e)) return 0;
        /* Torn: a writer came in; look again (the key may have moved). */
    }
    errno = EAGAIN;
    return -1;
}
