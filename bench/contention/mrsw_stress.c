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

struct counts {
    uint64_t reads, retries, failures, writes;
    struct { uint64_t reads, retries, failures, writes; } at_count; /* the counters when this thread saw phase 2 */
    int seen_count;
};

/* Each thread notes its counters when it first sees the counting phase; the result is the difference at the stop. */
static int running(struct counts *c) {
    int p = atomic_load_explicit(&phase, memory_order_relaxed);
    if (p == 2 && !c->seen_count) {
        c->seen_count = 1;
        c->at_count.reads = c->reads;
        c->at_count.retries = c->retries;
        c->at_count.failures = c->failures;
        c->at_count.writes = c->writes;
    }
    return p != 3;
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
    uint64_t w[MRSW_WORDS];
    while (atomic_load_explicit(&phase, memory_order_acquire) == 0) {}
    for (uint64_t seq = 1; running(c); seq++) {
        make_value(seq, w);
        if (splinter_set(keys[seq & (MRSW_KEYS - 1)], w, sizeof w) == 0) c->writes++;
    }
    return NULL;
}

static void *reader(void *arg) {
    struct counts *c = arg;
    uint64_t w[MRSW_WORDS];
    while (atomic_load_explicit(&phase, memory_order_acquire) == 0) {}
    for (uint64_t i = 0; running(c); i++) {
        size_t length = 0;
        for (;;) {
            if (splinter_get(keys[i & (MRSW_KEYS - 1)], w, sizeof w, &length) == 0) break;
            if (errno != EAGAIN) { c->failures++; break; }
            c->retries++;
        }
        c->reads++;
        if (length != sizeof w || !valid(w)) c->failures++;
    }
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
    struct counts total;
    memset(&total, 0, sizeof total);
    for (int t = 0; t < count; t++) {
        pthread_join(ids[t], NULL);
        if (!counts[t].seen_count) continue; /* never scheduled while counting: it did nothing in the window */
        total.reads += counts[t].reads - counts[t].at_count.reads;
        total.retries += counts[t].retries - counts[t].at_count.retries;
        total.failures += counts[t].failures - counts[t].at_count.failures;
        total.writes += counts[t].writes - counts[t].at_count.writes;
    }
    printf("{\"impl\":\"c\",\"role\":\"%s\",\"readers\":%d,\"reads\":%llu,\"retries\":%llu,\"failures\":%llu,\"writes\":%llu,\"seconds\":%.4f}\n",
           role, readers, (unsigned long long)total.reads, (unsigned long long)total.retries,
           (unsigned long long)total.failures, (unsigned long long)total.writes, seconds);
    splinter_close();
    return 0;
}
