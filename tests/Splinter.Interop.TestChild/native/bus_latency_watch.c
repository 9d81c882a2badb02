/*
 * bus_latency_watch.c - the C baseline of the latency probe (LatencyProbe.cs, mode "c").
 *
 * Waits the way a C consumer of libsplinter would: poll(2) on its event-bus descriptor, then
 * read(2) the counter (it is the only reader in the probe, so the read never blocks). On every
 * wake it takes CLOCK_MONOTONIC and subtracts the writer's stamp from key "stamp" (the writer's
 * .NET Stopwatch, which is CLOCK_MONOTONIC in nanoseconds on Linux). Prints the same summary
 * line as the C# watchers.
 *
 * usage: bus_latency_watch STORE
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "splinter.h"

#define WARMUP 1000
#define MAX_SAMPLES (1 << 20)

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_ms(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bus_latency_watch STORE\n");
        return 2;
    }
    if (splinter_open(argv[1]) != 0) {
        perror("splinter_open");
        return 4;
    }
    int fd = splinter_event_bus_open();
    if (fd < 0) {
        perror("splinter_event_bus_open");
        return 4;
    }
    int64_t *samples = calloc(MAX_SAMPLES, sizeof *samples);
    if (samples == NULL) return 4;
    printf("ready\n");
    fflush(stdout);

    size_t count = 0;
    long wakes = 0;
    double cpu_start = 0;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
        int r = poll(&p, 1, 10000);
        int64_t woke = now_ns();
        if (r <= 0) {
            fprintf(stderr, "bus_latency_watch: no wake-up for 10 s\n");
            return 3;
        }
        uint64_t counter;
        if (read(fd, &counter, sizeof counter) != (ssize_t)sizeof counter) continue;
        if (splinter_get_epoch("done") != 0) break;
        wakes++;
        if (wakes == WARMUP) cpu_start = cpu_ms();
        int64_t stamp = 0;
        size_t length = 0;
        if (wakes > WARMUP && count < MAX_SAMPLES &&
            splinter_get("stamp", &stamp, sizeof stamp, &length) == 0 && length == sizeof stamp)
            samples[count++] = woke - stamp;
    }
    double cpu = cpu_ms() - cpu_start;
    qsort(samples, count, sizeof *samples, compare);
#define PCT(f) (count ? samples[(size_t)((f) * count) < count ? (size_t)((f) * count) : count - 1] / 1e3 : 0.0)
    long measured = wakes > WARMUP ? wakes - WARMUP : 1;
    printf("C     wake latency us: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  (samples %zu, wakes %ld, CPU %.1f ms per 1000 wakes)\n",
           PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0), count, measured, cpu * 1000 / measured);
    splinter_event_bus_close(fd);
    splinter_close();
    free(samples);
    return 0;
}
