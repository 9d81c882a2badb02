/*
 * splinter_bench - microbenchmark of libsplinter's hot paths.
 *
 * Workload: a store of 1024 slots x 256-byte values holding 512 keys
 * "key:000000".."key:000511" with 64-byte values. Each operation cycles over
 * the 512 keys: splinter_set (64 bytes), splinter_get (256-byte buffer),
 * splinter_get_epoch, splinter_get_raw_ptr. "open" opens a second store of the
 * same geometry (splinter_open, which closes the store opened before it): the
 * cost of switching a process's one store, the C counterpart of opening an
 * extra store from .NET. The main store is opened again after that loop.
 *
 *   splinter_bench [--ops N] [--runs R] [--only set|get|get_epoch|get_raw_ptr|open] [--json]
 *
 * Default: every operation, R = 5 runs of N = 2000000 ops, prints the median
 * ns/op (CLOCK_MONOTONIC). Under callgrind, run one operation with
 * --only NAME --runs 1 and collect with --toggle-collect=bench_loop_NAME: each
 * operation has its own loop function, so instructions/op = Ir / N.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "splinter.h"

#define BENCH_SLOTS 1024
#define BENCH_MAX_VAL 256
#define BENCH_KEYS 512
#define BENCH_VAL_LEN 64

static char keys[BENCH_KEYS][16];
static unsigned char value[BENCH_VAL_LEN];
static char store_name[64];
static char open_name[64];
static volatile uint64_t sink;

/* Each loop is its own non-inlined function so callgrind can toggle on it. */
__attribute__((noinline)) void bench_loop_set(long ops) {
    int failures = 0;
    for (long i = 0; i < ops; i++) failures += splinter_set(keys[i & (BENCH_KEYS - 1)], value, BENCH_VAL_LEN) != 0;
    sink += (uint64_t)failures;
}

__attribute__((noinline)) void bench_loop_get(long ops) {
    unsigned char buf[BENCH_MAX_VAL];
    size_t n = 0;
    int failures = 0;
    for (long i = 0; i < ops; i++) failures += splinter_get(keys[i & (BENCH_KEYS - 1)], buf, sizeof buf, &n) != 0;
    sink += (uint64_t)failures + n;
}

__attribute__((noinline)) void bench_loop_get_epoch(long ops) {
    uint64_t acc = 0;
    for (long i = 0; i < ops; i++) acc += splinter_get_epoch(keys[i & (BENCH_KEYS - 1)]);
    sink += acc;
}

__attribute__((noinline)) void bench_loop_get_raw_ptr(long ops) {
    uint64_t acc = 0;
    size_t n = 0;
    uint64_t e = 0;
    for (long i = 0; i < ops; i++) acc += (uintptr_t)splinter_get_raw_ptr(keys[i & (BENCH_KEYS - 1)], &n, &e);
    sink += acc + n + e;
}

__attribute__((noinline)) void bench_loop_open(long ops) {
    int failures = 0;
    for (long i = 0; i < ops; i++) failures += splinter_open(open_name) != 0;
    sink += (uint64_t)failures;
}

struct bench_op {
    const char *name;
    void (*loop)(long);
};

static const struct bench_op bench_ops[] = {
    { "set", bench_loop_set },
    { "get", bench_loop_get },
    { "get_epoch", bench_loop_get_epoch },
    { "get_raw_ptr", bench_loop_get_raw_ptr },
    { "open", bench_loop_open },
};

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void cleanup(void) {
    splinter_close();
    shm_unlink(store_name);
    shm_unlink(open_name);
}

static void usage(void) {
    fprintf(stderr, "usage: splinter_bench [--ops N] [--runs R] [--only set|get|get_epoch|get_raw_ptr|open] [--json]\n");
    exit(2);
}

int main(int argc, char **argv) {
    long ops = 2000000;
    int runs = 5, json = 0;
    const char *only = NULL;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--ops") == 0 && a + 1 < argc) ops = atol(argv[++a]);
        else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc) runs = atoi(argv[++a]);
        else if (strcmp(argv[a], "--only") == 0 && a + 1 < argc) only = argv[++a];
        else if (strcmp(argv[a], "--json") == 0) json = 1;
        else usage();
    }
    if (ops <= 0 || runs <= 0 || runs > 99) usage();

    snprintf(store_name, sizeof store_name, "/spl_bench_%d", (int)getpid());
    snprintf(open_name, sizeof open_name, "/spl_bench_open_%d", (int)getpid());
    shm_unlink(store_name);
    shm_unlink(open_name);
    if (splinter_create(open_name, BENCH_SLOTS, BENCH_MAX_VAL) != 0) {
        perror("splinter_create");
        return 1;
    }
    if (splinter_create(store_name, BENCH_SLOTS, BENCH_MAX_VAL) != 0) {
        perror("splinter_create");
        return 1;
    }
    atexit(cleanup);
    for (int i = 0; i < BENCH_VAL_LEN; i++) value[i] = (unsigned char)('a' + i % 26);
    for (int i = 0; i < BENCH_KEYS; i++) {
        snprintf(keys[i], sizeof keys[i], "key:%06d", i);
        if (splinter_set(keys[i], value, BENCH_VAL_LEN) != 0) {
            fprintf(stderr, "initial set of %s failed\n", keys[i]);
            return 1;
        }
    }

    int matched = 0;
    for (size_t o = 0; o < sizeof bench_ops / sizeof bench_ops[0]; o++) {
        const struct bench_op *op = &bench_ops[o];
        if (only != NULL && strcmp(only, op->name) != 0) continue;
        matched = 1;
        double ns[100];
        for (int r = 0; r < runs; r++) {
            double t0 = now_ns();
            op->loop(ops);
            ns[r] = (now_ns() - t0) / (double)ops;
        }
        if (op->loop == bench_loop_open && splinter_open(store_name) != 0) {
            perror("splinter_open (main store again)");
            return 1;
        }
        qsort(ns, (size_t)runs, sizeof ns[0], cmp_double);
        double median = ns[runs / 2];
        if (json)
            printf("{\"name\":\"%s\",\"ns\":%.2f,\"ops\":%ld,\"runs\":%d}\n", op->name, median, ops, runs);
        else
            printf("%-12s %10.2f ns/op  (median of %d runs x %ld ops)\n", op->name, median, runs, ops);
    }
    if (!matched) usage();
    return 0;
}
