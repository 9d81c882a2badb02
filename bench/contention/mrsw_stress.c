/*
 * mrsw_stress.c - the C side of the contention benchmark (bench/run.sh): one writer and N readers on a few keys
 * of one store, in the shape of a multi-reader/single-writer stress test.
 *
 *   mrsw_stress threads STORE READERS MILLISECONDS   one process: a writer thread and READERS reader threads
 *   mrsw_stress writer STORE MILLISECONDS            this process is the writer (another process starts the run)
 *   mrsw_stress reader STORE MILLISECONDS            this process is one reader
 *
 * The store exists already (the benchmark app creates it with the keys below and valid values). Every value is 64
 * bytes, eight 64-bit words: w[0] a sequence number, w[1..6] derived from it, w[7] chosen so the XOR of all eight is
 * MRSW_MAGIC. A read that mixed two writes fails that check: an integrity failure (there must be none). The writer
 * cycles over the keys writing sequence numbers 1, 2, 3...; readers cycle over the keys with splinter_get, and a get
 * that answers -1 with EAGAIN (a writer inside the slot, or a torn pass) is retried and counted as a retry.
 * Every role warms up for a fifth of MILLISECONDS (at least 100 ms) before it counts for MILLISECONDS.
 * In the process roles the program prints "ready" and the run starts when key "mrsw:go" exists; the threads role
 * starts at once.
 * Prints one JSON line: {"impl":"c","role":..,"readers":..,"reads":..,"retries":..,"failures":..,"writes":..,"seconds":..}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "splinter.h"

#define MRSW_KEYS 8
#define MRSW_WORDS 8
#define MRSW_MAGIC 0x5A17C0DE5A17C0DEULL
#define MRSW_MULT 0x9E3779B97F4A7C15ULL

static char keys[MRSW_KEYS][16];
/* 0 before the start, 1 warming up (not counted: caches, the first page touches), 2 counting, 3 stop. */
static atomic_int phase;

/* Each thread counts in locals and writes its totals here once, at the stop (no shared line in the loop). */
struct counts {
    uint64_t reads, retries, failures, writes;
};

/* The counters when a thread first saw the counting phase; the result is the difference at the stop. */
struct mark {
    uint64_t reads, retries, failures, writes;
    int seen;
};

static int running(struct mark *m, uint64_t reads, uint64_t retries, uint64_t failures, uint64_t writes) {
    int p = atomic_load_explicit(&phase, memory_order_relaxed);
    if (p == 2 && !m->seen) {
        m->seen = 1;
        m->reads = reads;
        m->retries = retries;
        m->failures = failures;
        m->writes = writes;
    }
    return p != 3;
}

static void finish(struct counts *c, const struct mark *m, uint64_t reads, uint64_t retries, uint64_t failures, uint64_t writes) {
    if (!m->seen) return; /* never scheduled while counting: nothing in the window */
    c->reads = reads - m->reads;
    c->retries = retries - m->retries;
    c->failures = failures - m->failures;
    c->writes = writes - m->writes;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void make_value(uint64_t seq, uint64_t *w) {
    uint64_t x = 0;
    for (int k = 0; k < MRSW_WORDS - 1; k++) {
        w[k] = k == 0 ? seq : seq * MRSW_MULT * (uint64_t)(k + 1);
        x ^= w[k];
    }
    w[MRSW_WORDS - 1] = x ^ MRSW_MAGIC;
}

static int valid(const uint64_t *w) {
    uint64_t x = 0;
    for (int k = 0; k < MRSW_WORDS; k++) x ^= w[k];
    return x == MRSW_MAGIC;
}

static void *writer(void *arg) {
    struct counts *c = arg;
    struct mark m = { 0 };
    uint64_t w[MRSW_WORDS], writes = 0;
    while (atomic_load_explicit(&phase, memory_order_acquire) == 0) {}
    for (uint64_t seq = 1; running(&m, 0, 0, 0, writes); seq++) {
        make_value(seq, w);
        if (splinter_set(keys[seq & (MRSW_KEYS - 1)], w, sizeof w) == 0) writes++;
    }
    finish(c, &m, 0, 0, 0, writes);
    return NULL;
}

static void *reader(void *arg) {
    struct counts *c = arg;
    struct mark m = { 0 };
    uint64_t w[MRSW_WORDS], reads = 0, retries = 0, failures = 0;
    while (atomic_load_explicit(&phase, memory_order_acquire) == 0) {}
    for (uint64_t i = 0; running(&m, reads, retries, failures, 0); i++) {
        size_t length = 0;
        for (;;) {
            if (splinter_get(keys[i & (MRSW_KEYS - 1)], w, sizeof w, &length) == 0) break;
            if (errno != EAGAIN) { failures++; break; }
            retries++;
        }
        reads++;
        if (length != sizeof w || !valid(w)) failures++;
    }
    finish(c, &m, reads, retries, failures, 0);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: mrsw_stress threads STORE READERS MS | writer STORE MS | reader STORE MS\n");
        return 2;
    }
    const char *role = argv[1];
    int threads = strcmp(role, "threads") == 0;
    if (!threads && strcmp(role, "writer") != 0 && strcmp(role, "reader") != 0) return 2;
    if (threads && argc != 5) return 2;
    int readers = threads ? atoi(argv[3]) : strcmp(role, "reader") == 0;
    long ms = atol(argv[threads ? 4 : 3]);
    long warmup_ms = ms / 5 < 100 ? 100 : ms / 5;
    if (splinter_open(argv[2]) != 0) {
        fprintf(stderr, "mrsw_stress: splinter_open(%s): %s\n", argv[2], strerror(errno));
        return 4;
    }
    for (int k = 0; k < MRSW_KEYS; k++) snprintf(keys[k], sizeof keys[k], "mrsw:%02d", k);
    int with_writer = threads || strcmp(role, "writer") == 0;
    int count = readers + with_writer;
    pthread_t ids[64];
    struct counts counts[64];
    if (count > 64) return 2;
    memset(counts, 0, sizeof counts);
    for (int t = 0; t < count; t++)
        pthread_create(&ids[t], NULL, with_writer && t == 0 ? writer : reader, &counts[t]);
    if (!threads) {
        puts("ready");
        fflush(stdout);
        while (splinter_get_epoch("mrsw:go") == 0) usleep(100);
    }
    atomic_store_explicit(&phase, 1, memory_order_release);
    struct timespec warm = { warmup_ms / 1000, (warmup_ms % 1000) * 1000000L };
    nanosleep(&warm, NULL);
    double started = now_s();
    atomic_store_explicit(&phase, 2, memory_order_relaxed);
    struct timespec span = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&span, NULL);
    atomic_store_explicit(&phase, 3, memory_order_relaxed);
    double seconds = now_s() - started;
    struct counts total = { 0, 0, 0, 0 };
    for (int t = 0; t < count; t++) {
        pthread_join(ids[t], NULL);
        total.reads += counts[t].reads;
        total.retries += counts[t].retries;
        total.failures += counts[t].failures;
        total.writes += counts[t].writes;
    }
    printf("{\"impl\":\"c\",\"role\":\"%s\",\"readers\":%d,\"reads\":%llu,\"retries\":%llu,\"failures\":%llu,\"writes\":%llu,\"seconds\":%.4f}\n",
           role, readers, (unsigned long long)total.reads, (unsigned long long)total.retries,
           (unsigned long long)total.failures, (unsigned long long)total.writes, seconds);
    splinter_close();
    return 0;
}
