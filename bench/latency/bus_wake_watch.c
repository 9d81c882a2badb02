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
 * With SAMPLES, the measured latencies (int64 nanoseconds, native byte order) are also written to that file, so
 * the benchmark can pool several rounds, and the stamp each of them read to SAMPLES.stamps (same order), so that the
 * benchmark can charge every write, also one that a later write's wake-up covered, the time until a wake-up saw it.
 *
 * --cancel: the C counterpart of cancelling an async wait. A thread waits in epoll_wait(2) on the bus descriptor
 * (edge-triggered, never read) and a private eventfd (the "kick"), as the C# waiter thread does; the main thread, every 200 us (busy-paced), takes CLOCK_MONOTONIC and writes 1 to the
 * kick; the waiter subtracts that stamp from its clock when epoll_wait returns, reads the kick and waits again. WARMUP
 * kicks first, then COUNT measured ones; same JSON line ("mode":"cancel-c"), CPU of the whole process.
 *
 * --epoll: the bus watcher waits the way the C# subscription's waiter does, not the way a plain C consumer does:
 * epoll_wait(2) on an epoll set holding the bus edge-triggered (never read, since other watchers share it) and a
 * private eventfd that nothing writes (where the C# waiter has its disposal signal). Same JSON line ("mode":"c-epoll").
 * It separates what the kernel's epoll path costs from what the managed code adds.
 *
 * --scan (with --epoll in the benchmark): after each wake-up, before it takes the clock, the watcher passes over every
 * slot of the store the way the C# change feed (EventSubscription.ReadChanges) does: the slot's epoch, hash and labels
 * against its own memory of them, and for a slot that changed a sequence-locked copy of those fields (and of the key
 * when the hash moved) into a list of changes. It maps the store file itself, read-only. Mode "c-scan": the change
 * feed's work written in C, so what the C# feed adds over it is the managed code's share.
 *
 * --own: this process creates the store (64 slots x 64 bytes) and arms its bus, and the writer signals the bus from
 * its own process (bench/latency/callgrind-wake.sh: valgrind cannot take another process's descriptor, pidfd_getfd).
 *
 * usage: bus_wake_watch [--own] [--epoll] [--scan] STORE WARMUP [SAMPLES]
 *        bus_wake_watch --cancel STORE WARMUP COUNT [SAMPLES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "splinter.h"

/* Under bench/latency/callgrind-wake.sh (--collect-atstart=no): collection on when the warm-up ends, off at the end. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_TOGGLE_COLLECT
#endif

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

static long minor_faults(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

static int by_value(const void *a, const void *b) {
    int64_t left = *(const int64_t *)a, right = *(const int64_t *)b;
    return (left > right) - (left < right);
}

/* The nearest-rank percentile of sorted (ascending, count > 0): the element at fraction x count, the last at most. */
static int64_t percentile(const int64_t *sorted, size_t count, double fraction) {
    size_t index = (size_t)(fraction * (double)count);
    return sorted[index < count ? index : count - 1];
}

static double percentile_us(const int64_t *sorted, size_t count, double fraction) {
    return count == 0 ? 0.0 : (double)percentile(sorted, count, fraction) / 1e3;
}

static void write_samples(const char *path, const char *suffix, const int64_t *samples, size_t count) {
    if (path == NULL) return;
    char name[4096];
    if (snprintf(name, sizeof name, "%s%s", path, suffix) >= (int)sizeof name) return;
    FILE *file = fopen(name, "wb");
    if (file == NULL) return;
    fwrite(samples, sizeof *samples, count, file);
    fclose(file);
}

/* With path, writes the samples there and, when given, the stamp each of them read to path.stamps. passes: with
 * --scan, how long each counted pass over the slots took (ns); printed as pass_p50_ns and pass_p99_ns. */
static void print_result(const char *mode, int64_t *samples, const int64_t *stamps, size_t count, long measured,
                         double cpu, long faults, const char *path, int64_t *passes, size_t pass_count) {
    write_samples(path, "", samples, count);
    if (stamps != NULL) write_samples(path, ".stamps", stamps, count);
    qsort(samples, count, sizeof *samples, by_value);
    printf("{\"mode\":\"%s\",\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f,"
           "\"samples\":%zu,\"wakes\":%ld,\"cpu_ms_per_1000\":%.2f,\"alloc_bytes_per_wait\":0,"
           "\"minor_faults_per_1000\":%.2f",
           mode, percentile_us(samples, count, 0.50), percentile_us(samples, count, 0.90),
           percentile_us(samples, count, 0.99), percentile_us(samples, count, 1.0),
           count, measured, cpu * 1000.0 / (double)measured, (double)faults * 1000.0 / (double)measured);
    if (pass_count > 0) {
        qsort(passes, pass_count, sizeof *passes, by_value);
        printf(",\"pass_p50_ns\":%lld,\"pass_p99_ns\":%lld", (long long)percentile(passes, pass_count, 0.50),
               (long long)percentile(passes, pass_count, 0.99));
    }
    printf("}\n");
}

/* --cancel: the waiter thread's side. */
struct cancel_run {
    int bus, kick;
    long warmup, total;
    _Atomic int64_t stamp;
    atomic_long woken;
    int64_t *samples;
    size_t count;
};

static void *cancel_waiter(void *arg) {
    struct cancel_run *run = arg;
    /* The shape of an async waiter: the bus edge-triggered (it is shared and never read), the kick level-triggered. */
    int set = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event bus = { .events = EPOLLIN | EPOLLET, .data.u64 = 0 };
    struct epoll_event kick = { .events = EPOLLIN, .data.u64 = 1 };
    if (set < 0 || epoll_ctl(set, EPOLL_CTL_ADD, run->bus, &bus) != 0 || epoll_ctl(set, EPOLL_CTL_ADD, run->kick, &kick) != 0) {
        perror("bus_wake_watch: epoll");
        exit(4);
    }
    for (long wakes = 0; wakes < run->total;) {
        struct epoll_event ready[2];
        int count = epoll_wait(set, ready, 2, 10000);
        int64_t woke = monotonic_ns();
        int kicked = 0;
        for (int i = 0; i < count; i++) kicked |= ready[i].data.u64 == 1;
        if (!kicked) continue;
        uint64_t counter;
        if (read(run->kick, &counter, sizeof counter) != (ssize_t)sizeof counter) continue;
        wakes++;
        if (wakes > run->warmup && run->count < MAX_SAMPLES) run->samples[run->count++] = woke - atomic_load(&run->stamp);
        atomic_store(&run->woken, wakes);
    }
    close(set);
    return NULL;
}

static int run_cancel(const char *store, long warmup, long count, const char *path) {
    if (splinter_open(store) != 0) return 4;
    struct cancel_run run = { .warmup = warmup, .total = warmup + count };
    run.bus = splinter_event_bus_open();
    run.kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    run.samples = malloc(MAX_SAMPLES * sizeof *run.samples);
    if (run.bus < 0 || run.kick < 0 || run.samples == NULL) return 4;
    puts("ready");
    fflush(stdout);
    pthread_t waiter;
    pthread_create(&waiter, NULL, cancel_waiter, &run);
    double cpu_start = cpu_ms();
    long faults_start = minor_faults();
    int64_t next = monotonic_ns();
    for (long i = 0; i < run.total; i++) {
        while (atomic_load(&run.woken) < i) {} /* the previous kick was taken: the waiter is (about to be) in poll */
        next += 200000;
        while (monotonic_ns() < next) {}
        if (i == warmup) {
            cpu_start = cpu_ms();
            faults_start = minor_faults();
        }
        atomic_store(&run.stamp, monotonic_ns());
        uint64_t one = 1;
        if (write(run.kick, &one, sizeof one) != (ssize_t)sizeof one) return 4;
    }
    pthread_join(waiter, NULL);
    print_result("cancel-c", run.samples, NULL, run.count, count > 0 ? count : 1, cpu_ms() - cpu_start,
                 minor_faults() - faults_start, path, NULL, 0);
    splinter_event_bus_close(run.bus);
    splinter_close();
    return 0;
}

/* --scan: what the watcher remembers of one slot, and one change it found. */
struct slot_memory {
    uint64_t epoch, hash, bloom;
};

struct slot_change {
    uint32_t index;
    uint64_t epoch;
    char key[SPLINTER_KEY_MAX];
};

struct scanner {
    const struct splinter_header *header;
    const struct splinter_slot *slots;
    struct slot_memory *memory;
    struct slot_change *changes;
    uint32_t count;
};

/* One pass over the slots; returns the number of changes found (a slot held by a writer is left to the next pass). */
static size_t scan_slots(struct scanner *scanner) {
    size_t found = 0;
    for (uint32_t index = 0; index < scanner->count; index++) {
        const struct splinter_slot *slot = &scanner->slots[index];
        struct slot_memory *memory = &scanner->memory[index];
        uint64_t epoch = atomic_load_explicit(&slot->epoch, memory_order_acquire);
        uint64_t hash = atomic_load_explicit(&slot->hash, memory_order_relaxed);
        uint64_t bloom = atomic_load_explicit(&slot->bloom, memory_order_relaxed);
        if (((epoch ^ memory->epoch) | (hash ^ memory->hash) | (bloom ^ memory->bloom)) == 0) continue;
        struct slot_change *change = &scanner->changes[found];
        for (int attempt = 0; attempt < 64; attempt++) {
            epoch = atomic_load_explicit(&slot->epoch, memory_order_acquire);
            if (epoch & 1) continue;
            hash = atomic_load_explicit(&slot->hash, memory_order_relaxed);
            bloom = atomic_load_explicit(&slot->bloom, memory_order_relaxed);
            if (hash != memory->hash) memcpy(change->key, (const char *)slot->key, sizeof change->key);
            atomic_thread_fence(memory_order_acquire);
            if (atomic_load_explicit(&slot->epoch, memory_order_relaxed) != epoch) continue;
            change->index = index;
            change->epoch = epoch;
            memory->epoch = epoch;
            memory->hash = hash;
            memory->bloom = bloom;
            found++;
            break;
        }
    }
    return found;
}

/* Maps the store read-only (a name with a slash is a file path, as in the library) and records every slot's state. */
static int scanner_open(struct scanner *scanner, const char *store) {
    int fd = strchr(store, '/') != NULL ? open(store, O_RDONLY | O_CLOEXEC) : shm_open(store, O_RDONLY, 0);
    struct stat status;
    if (fd < 0 || fstat(fd, &status) != 0) return -1;
    void *base = mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) return -1;
    scanner->header = base;
    scanner->slots = (const struct splinter_slot *)((const char *)base + sizeof(struct splinter_header));
    scanner->count = scanner->header->slots;
    if (sizeof(struct splinter_header) + (size_t)scanner->count * (sizeof(struct splinter_slot) + scanner->header->max_val_sz) >
        (size_t)status.st_size) {
        errno = EPROTO; /* a store of another slot layout (embeddings) */
        return -1;
    }
    scanner->memory = calloc(scanner->count, sizeof *scanner->memory);
    scanner->changes = calloc(scanner->count, sizeof *scanner->changes);
    if (scanner->memory == NULL || scanner->changes == NULL) return -1;
    scan_slots(scanner);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "--cancel") == 0) {
        return run_cancel(argv[2], atol(argv[3]), atol(argv[4]), argc > 5 ? argv[5] : NULL);
    }
    int own = argc > 1 && strcmp(argv[1], "--own") == 0;
    if (own) {
        argv++;
        argc--;
    }
    int with_epoll = argc > 1 && strcmp(argv[1], "--epoll") == 0;
    if (with_epoll) {
        argv++;
        argc--;
    }
    int with_scan = argc > 1 && strcmp(argv[1], "--scan") == 0;
    if (with_scan) {
        argv++;
        argc--;
    }
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: bus_wake_watch [--own] [--epoll] [--scan] STORE WARMUP [SAMPLES] | --cancel STORE WARMUP COUNT [SAMPLES]\n");
        return 2;
    }
    long warmup = atol(argv[2]);
    const char *path = argc > 3 ? argv[3] : NULL;
    if (own ? splinter_create(argv[1], 64, 64) != 0 || splinter_event_bus_init() != 0 : splinter_open(argv[1]) != 0) {
        fprintf(stderr, "bus_wake_watch: %s(%s): %s\n", own ? "splinter_create" : "splinter_open", argv[1], strerror(errno));
        return 4;
    }
    int bus = splinter_event_bus_open();
    if (bus < 0) {
        fprintf(stderr, "bus_wake_watch: splinter_event_bus_open: %s\n", strerror(errno));
        return 4;
    }
    int64_t *samples = malloc(MAX_SAMPLES * sizeof *samples);
    int64_t *stamps = malloc(MAX_SAMPLES * sizeof *stamps);
    int64_t *passes = with_scan ? malloc(MAX_SAMPLES * sizeof *passes) : NULL;
    if (samples == NULL || stamps == NULL || (with_scan && passes == NULL)) return 4;
    size_t pass_count = 0;
    struct scanner scanner = { 0 };
    if (with_scan && scanner_open(&scanner, argv[1]) != 0) {
        fprintf(stderr, "bus_wake_watch: mapping %s: %s\n", argv[1], strerror(errno));
        return 4;
    }
    size_t changes = 0;
    int set = -1;
    if (with_epoll) {
        int quiet = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        struct epoll_event on_bus = { .events = EPOLLIN | EPOLLET, .data.u64 = 0 };
        struct epoll_event on_quiet = { .events = EPOLLIN, .data.u64 = 1 };
        set = epoll_create1(EPOLL_CLOEXEC);
        if (quiet < 0 || set < 0 || epoll_ctl(set, EPOLL_CTL_ADD, bus, &on_bus) != 0 ||
            epoll_ctl(set, EPOLL_CTL_ADD, quiet, &on_quiet) != 0) {
            perror("bus_wake_watch: epoll");
            return 4;
        }
    }
    puts("ready");
    fflush(stdout);

    size_t count = 0;
    long wakes = 0;
    double cpu_start = cpu_ms();
    long faults_start = minor_faults();
    for (;;) {
        struct pollfd waiting = { .fd = bus, .events = POLLIN };
        struct epoll_event events[2];
        int ready = with_epoll ? epoll_wait(set, events, 2, 10000) : poll(&waiting, 1, 10000);
        if (with_scan && ready > 0) {
            int64_t pass_start = monotonic_ns();
            changes += scan_slots(&scanner);
            int64_t pass = monotonic_ns() - pass_start;
            if (wakes >= warmup && pass_count < MAX_SAMPLES) passes[pass_count++] = pass; /* counted below */
        }
        int64_t woke = monotonic_ns();
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            fprintf(stderr, "bus_wake_watch: no wake-up for 10 s\n");
            return 3;
        }
        uint64_t counter;
        if (!with_epoll && read(bus, &counter, sizeof counter) != (ssize_t)sizeof counter) continue;
        if (splinter_get_epoch("done") != 0) break;
        wakes++;
        if (wakes == warmup) {
            cpu_start = cpu_ms();
            faults_start = minor_faults();
            CALLGRIND_TOGGLE_COLLECT;
        }
        int64_t stamp = 0;
        size_t length = 0;
        if (wakes > warmup && count < MAX_SAMPLES &&
            splinter_get("stamp", &stamp, sizeof stamp, &length) == 0 && length == sizeof stamp) {
            samples[count] = woke - stamp;
            stamps[count++] = stamp;
        }
    }
    CALLGRIND_TOGGLE_COLLECT;
    double cpu = cpu_ms() - cpu_start;
    long measured = wakes > warmup ? wakes - warmup : 1;
    if (with_scan && changes == 0) {
        fprintf(stderr, "bus_wake_watch: the scans found no change\n");
        return 3;
    }
    print_result(with_scan ? "c-scan" : with_epoll ? "c-epoll" : "c", samples, stamps, count, measured, cpu,
                 minor_faults() - faults_start, path, passes, pass_count);
    splinter_event_bus_close(bus);
    splinter_close();
    free(samples);
    free(stamps);
    free(passes);
    return 0;
}
