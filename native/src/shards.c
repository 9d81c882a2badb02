/*
 * shards.c - logic-shard bid table, election and cooperative madvise.
 */
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static struct splinter_shard_bid *spl_bid(int b) { return &spl_g.hdr->shard_bids[b]; }

static bool spl_bid_expired(struct splinter_shard_bid *r, uint64_t now) {
    return now - LD_ACQ(&r->claimed_at) >= LD_ACQ(&r->duration_tsc);
}

static void spl_bid_fill(struct splinter_shard_bid *r, uint32_t pid, uint8_t intent, uint8_t priority,
                         uint64_t duration_tsc, uint64_t claimed_at) {
    ST_REL(&r->pid, pid);
    ST_REL(&r->intent, intent);
    ST_REL(&r->priority, priority);
    ST_REL(&r->duration_tsc, duration_tsc);
    ST_REL(&r->claimed_at, claimed_at);
}

static int spl_claim_ex(uint32_t shard_id, uint32_t pid, uint8_t intent, uint8_t priority, uint64_t duration_tsc,
                        uint64_t claimed_at) {
    if (!spl_have_store() || shard_id == 0) return -2;
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        if (LD_ACQ(&r->shard_id) == shard_id) {
            spl_bid_fill(r, pid, intent, priority, duration_tsc, claimed_at);
            return 0;
        }
    }
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        uint32_t expected = 0;
        if (atomic_compare_exchange_strong_explicit(&r->shard_id, &expected, shard_id, memory_order_acq_rel,
                                                    memory_order_relaxed)) {
            spl_bid_fill(r, pid, intent, priority, duration_tsc, claimed_at);
            return 0;
        }
    }
    errno = ENOSPC;
    return -1;
}

SPLINTER_API int splinter_shard_claim_ex(uint32_t shard_id, uint32_t pid, uint8_t intent, uint8_t priority,
                                         uint64_t duration_tsc, uint64_t claimed_at) {
    return spl_claim_ex(shard_id, pid, intent, priority, duration_tsc, claimed_at);
}

SPLINTER_API int splinter_shard_claim(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc) {
    return spl_claim_ex(shard_id, (uint32_t)getpid(), intent, priority, duration_tsc, splinter_now());
}

SPLINTER_API int splinter_shard_rebid(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc) {
    if (!spl_have_store() || shard_id == 0) return -2;
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        if (LD_ACQ(&r->shard_id) == shard_id) {
            ST_REL(&r->intent, intent);
            ST_REL(&r->priority, priority);
            ST_REL(&r->duration_tsc, duration_tsc);
            ST_REL(&r->claimed_at, splinter_now());
            return 0;
        }
    }
    return -1;
}

SPLINTER_API int splinter_shard_release(uint32_t shard_id) {
    if (!spl_have_store() || shard_id == 0) return -2;
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        if (LD_ACQ(&r->shard_id) == shard_id) {
            spl_bid_fill(r, 0, 0, 0, 0, 0);
            ST_REL(&r->shard_id, 0);
            return 0;
        }
    }
    return -1;
}

/* Election; returns the winner's record index or -1. */
static int spl_elect_index(uint64_t now) {
    bool protective = false;
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        if (LD_ACQ(&r->shard_id) == 0 || spl_bid_expired(r, now)) continue;
        uint8_t in = LD_ACQ(&r->intent);
        if (in == SPL_INTENT_WILLNEED || in == SPL_INTENT_SEQUENTIAL) protective = true;
    }
    int best = -1;
    uint8_t best_prio = 0;
    uint64_t best_at = 0;
    uint32_t best_pid = 0;
    for (int b = 0; b < SPLINTER_MAX_SHARDS; b++) {
        struct splinter_shard_bid *r = spl_bid(b);
        if (LD_ACQ(&r->shard_id) == 0 || spl_bid_expired(r, now)) continue;
        if (protective && LD_ACQ(&r->intent) == SPL_INTENT_DONTNEED) continue;
        uint8_t prio = LD_ACQ(&r->priority);
        uint64_t at = LD_ACQ(&r->claimed_at);
        uint32_t pid = LD_ACQ(&r->pid);
        if (best < 0 || prio > best_prio || (prio == best_prio && at < best_at) ||
            (prio == best_prio && at == best_at && pid < best_pid)) {
            best = b;
            best_prio = prio;
            best_at = at;
            best_pid = pid;
        }
    }
    return best;
}

uint32_t spl_election(uint64_t now, uint8_t *out_intent) {
    int b = spl_elect_index(now);
    if (b < 0) return 0;
    if (out_intent != NULL) *out_intent = LD_ACQ(&spl_bid(b)->intent);
    return LD_ACQ(&spl_bid(b)->shard_id);
}

SPLINTER_API uint32_t splinter_shard_election(uint8_t *out_intent) {
    if (out_intent != NULL) *out_intent = 0;
    if (!spl_have_store()) return 0;
    return spl_election(splinter_now(), out_intent);
}

SPLINTER_API int splinter_shard_is_sovereign(uint32_t shard_id) {
    if (!spl_have_store()) return -2;
    return shard_id != 0 && spl_election(splinter_now(), NULL) == shard_id;
}

SPLINTER_API int splinter_shard_table_snapshot(struct splinter_shard_bid_snapshot *out, size_t max) {
    if (!spl_have_store() || out == NULL) return -2;
    uint64_t now = splinter_now();
    uint32_t winner = spl_election(now, NULL);
    size_t n = max < SPLINTER_MAX_SHARDS ? max : SPLINTER_MAX_SHARDS;
    for (size_t b = 0; b < n; b++) {
        struct splinter_shard_bid *r = spl_bid((int)b);
        struct splinter_shard_bid_snapshot *o = &out[b];
        o->shard_id = LD_ACQ(&r->shard_id);
        o->pid = LD_ACQ(&r->pid);
        o->intent = LD_ACQ(&r->intent);
        o->priority = LD_ACQ(&r->priority);
        o->duration_tsc = LD_ACQ(&r->duration_tsc);
        o->claimed_at = LD_ACQ(&r->claimed_at);
        o->expired = o->shard_id == 0 ? 1 : (now - o->claimed_at >= o->duration_tsc);
        o->sovereign = o->shard_id != 0 && o->shard_id == winner;
    }
    return (int)n;
}

SPLINTER_API int splinter_madvise(uint32_t shard_id, void *addr, size_t len, int advice, uint64_t timeout_ticks) {
    if (!spl_have_store()) return -2;
    bool present = false;
    for (int b = 0; shard_id != 0 && b < SPLINTER_MAX_SHARDS; b++)
        if (LD_ACQ(&spl_bid(b)->shard_id) == shard_id) present = true;
    if (!present) {
        errno = EINVAL;
        return -2;
    }
    if (addr == NULL) {
        addr = spl_g.values;
        len = (size_t)spl_g.arena_sz;
    }
    bool forever = timeout_ticks == UINT64_MAX;
    uint64_t deadline;
    /* A huge timeout saturates instead of wrapping into the past (divergence 19). */
    if (__builtin_add_overflow(splinter_now(), timeout_ticks, &deadline)) forever = true;
    int fd = spl_bus_open(); /* failure (e.g. ENODEV) is ignored and stays in errno, as upstream */
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)addr;
    uintptr_t off = page > 0 ? a % (uintptr_t)page : 0;
    addr = (void *)(a - off);
    len += off;
    const struct timespec pause = { 0, 5 * 1000000L };
    for (;;) {
        if (spl_election(splinter_now(), NULL) == shard_id) {
            int r = posix_madvise(addr, len, advice);
            if (fd >= 0) (void)close(fd);
            if (r == 0) return 0;
            errno = r;
            return -1;
        }
        if (timeout_ticks == 0) {
            if (fd >= 0) (void)close(fd);
            errno = EAGAIN;
            return -1;
        }
        if (!forever && splinter_now() >= deadline) {
            if (fd >= 0) (void)close(fd);
            errno = ETIMEDOUT;
            return -1;
        }
        if (fd >= 0)
            (void)spl_bus_wait(fd, 5);
        else
            nanosleep(&pause, NULL);
    }
}
