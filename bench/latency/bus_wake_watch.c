/*
 * bus_wake_watch.c - the C baseline of the wake-latency benchmark (bench/run.sh).
 *
 * A C consumer of libsplinter waiting on the event bus: poll(2) on the descriptor from
 * splinter_event_bus_open, then read(2) the counter (this watcher is the bus's only reader, so
 * the read does not block). At each wake it takes CLOCK_MONOTONIC and subtracts the stamp the
 * owner wrote into key "stamp" (the owner's Stopwatch ticks, CLOCK_MONOTONIC nanoseconds).
 * The first WARMUP wakes are not measured. When key "done" exists it prints one JSON line:
 *   {"mode":"c","p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,"samples":..,"wakes":..,
 *    "cpu_ms_per_1000":..,"alloc_bytes_per_wait":0}
 * CPU is getrusage(RUSAGE_SELF) user+system over the measured wakes.
 *
 * usage: bus_wake_watch STORE WARMUP
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "splinter.h"

#define MAX_SAMPLES (1 << 20)

static int64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static double cpu_ms(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double user = (double)usage.ru_utime.tv_sec * 1e3 + (double)usage.ru_utime.tv_usec / 1e3;
    double system = (double)usage.ru_stime.tv_sec * 1e3 + (double)usage.ru_stime.tv_usec / 1e3;
    return user + system;
}

static int by_value(const void *a, const void *b) {
    int64_t left = *(const int64_t *)a, right = *(const int64_t *)b;
    return (left > right) - (left < right);
}

static double percentile_us(const int64_t *sorted, size_t count, double fraction) {
    if (count == 0) return 0.0;
    size_t index = (size_t)(fraction * (double)count);
    if (index >= count) index = count - 1;
    return (double)sorted[index] / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bus_wake_watch STORE WARMUP\n");
        return 2;
    }
    long warmup = atol(argv[2]);
    if (splinter_open(argv[1]) != 0) {
        fprintf(stderr, "bus_wake_watch: splinter_open(%s): %s\n", argv[1], strerror(errno));
        return 4;
    }
    int bus = splinter_event_bus_open();
    if (bus < 0) {
        fprintf(stderr, "bus_wake_watch: splinter_event_bus_open: %s\n", strerror(errno));
        return 4;
    }
    int64_t *samples = malloc(MAX_SAMPLES * sizeof *samples);
    if (samples == NULL) return 4;
    puts("ready");
    fflush(stdout);

    size_t count = 0;
    long wakes = 0;
    double cpu_start = cpu_ms();
    for (;;) {
        struct pollfd waiting = { .fd = bus, .events = POLLIN };
        int ready = poll(&waiting, 1, 10000);
        int64_t woke = monotonic_ns();
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            fprintf(stderr, "bus_wake_watch: no wake-up for 10 s\n");
            return 3;
        }
        uint64_t counter;
        if (read(bus, &counter, sizeof counter) != (ssize_t)sizeof counter) continue;
        if (splinter_get_epoch("done") != 0) break;
        wakes++;
        if (wakes == warmup) cpu_start = cpu_ms();
        int64_t stamp = 0;
        size_t length = 0;
        if (wakes > warmup && count < MAX_SAMPLES &&
            splinter_get("stamp", &stamp, sizeof stamp, &length) == 0 && length == sizeof stamp)
            samples[count++] = woke - stamp;
    }
    double cpu = cpu_ms() - cpu_start;
    qsort(samples, count, sizeof *samples, by_value);
    long measured = wakes > warmup ? wakes - warmup : 1;
    printf("{\"mode\":\"c\",\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f,"
           "\"samples\":%zu,\"wakes\":%ld,\"cpu_ms_per_1000\":%.2f,\"alloc_bytes_per_wait\":0}\n",
           percentile_us(samples, count, 0.50), percentile_us(samples, count, 0.90),
           percentile_us(samples, count, 0.99), percentile_us(samples, count, 1.0),
           count, measured, cpu * 1000.0 / (double)measured);
    splinter_event_bus_close(bus);
    splinter_close();
    free(samples);
    return 0;
}
