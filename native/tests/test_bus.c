/*
 * Checklist items 59-65 (event bus) and the two-process cases: a store created in one
 * process and read in another, and an owner-armed bus waking a waiter in another process.
 * The second process is this binary re-executed with "--child <command>" (fork + exec),
 * so it shares nothing with the test but the store's name.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

/* Exit codes of the child commands. */
enum { CHILD_OK = 0, CHILD_NO_CLOEXEC = 10, CHILD_BUS_OPEN_FAILED = 20, CHILD_BUS_ENOSYS = 21,
       CHILD_WAIT_FAILED = 30 };

SPL_CHILD_COMMAND(set_key) {
    SPL_CHECK(argc == 4);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    SPL_CHECK_EQ(splinter_set(argv[2], argv[3], strlen(argv[3])), 0);
    splinter_close();
    return CHILD_OK;
}

SPL_CHILD_COMMAND(read_store) {
    /* read_store <name> <key> <expected value> <new key> <new value> */
    SPL_CHECK(argc == 6);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    char buf[256];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(argv[2], buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, strlen(argv[3]));
    SPL_CHECK(memcmp(buf, argv[3], n) == 0);
    SPL_CHECK_EQ(splinter_get_epoch(argv[2]), 2);
    SPL_CHECK_EQ(splinter_set(argv[4], argv[5], strlen(argv[5])), 0);
    splinter_close();
    return CHILD_OK;
}

static int open_bus_or_report(void) {
    int fd = splinter_event_bus_open();
    if (fd < 0) {
        int e = errno;
        fprintf(stderr, "    child: splinter_event_bus_open failed, errno %d (%s)\n", e, strerror(e));
        return e == ENOSYS ? -CHILD_BUS_ENOSYS : -CHILD_BUS_OPEN_FAILED;
    }
    return fd;
}

SPL_CHILD_COMMAND(bus_cloexec) {
    SPL_CHECK(argc == 2);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    int fd = open_bus_or_report();
    if (fd < 0) return -fd;
    int flags = fcntl(fd, F_GETFD);
    splinter_event_bus_close(fd);
    splinter_close();
    return (flags & FD_CLOEXEC) ? CHILD_OK : CHILD_NO_CLOEXEC;
}

SPL_CHILD_COMMAND(bus_wait) {
    /* bus_wait <name> <ready fd>: open the owner's bus, say "ready", wait for one event. */
    SPL_CHECK(argc == 3);
    int ready = atoi(argv[2]);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    int fd = open_bus_or_report();
    if (fd < 0) return -fd;
    SPL_CHECK(write(ready, "r", 1) == 1);
    close(ready);
    int rc = splinter_event_bus_wait(fd, 20000);
    splinter_event_bus_close(fd);
    splinter_close();
    return rc == 0 ? CHILD_OK : CHILD_WAIT_FAILED;
}

static void skip_if_bus_unsupported(int status) {
    if (status == CHILD_BUS_ENOSYS && spl_slow())
        SPL_SKIP("pidfd_getfd is not implemented by this valgrind (ENOSYS); runs in plain/asan");
}

SPL_TEST(c59_bus_open_before_init_enodev) {
    spl_create_store(8, 32);
    errno = 0;
    SPL_CHECK_EQ(splinter_event_bus_open(), -1);
    SPL_CHECK_ERRNO(ENODEV);
}

SPL_TEST(c60_bus_init_records_owner_pid_and_descriptor) {
    const char *name = spl_create_store(8, 32);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    SPL_CHECK_EQ(atomic_load(&h->event_bus.owner_pid), getpid());
    int owner_fd = atomic_load(&h->event_bus.owner_fd);
    SPL_CHECK(owner_fd >= 0);
    char link[64], target[PATH_MAX] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", owner_fd);
    SPL_CHECK(readlink(link, target, sizeof target - 1) > 0);
    SPL_CHECK_MSG(strstr(target, "eventfd") != NULL, "owner_fd %d is %s", owner_fd, target);
    /* The library's own eventfd is close-on-exec (created with EFD_CLOEXEC). */
    SPL_CHECK(fcntl(owner_fd, F_GETFD) & FD_CLOEXEC);
}

SPL_TEST(c61_owner_two_sets_wake_once) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    SPL_CHECK_EQ(splinter_set("a", "1", 1), 0);
    SPL_CHECK_EQ(splinter_set("b", "2", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), 0);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL); /* timeout leaves errno alone */
    /* Label changes and integer ops notify too; unset does not (table 6.3). */
    SPL_CHECK_EQ(splinter_set_label("a", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), 0);
    SPL_CHECK_EQ(splinter_unset("b"), 1);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), -1);
    splinter_event_bus_close(fd);
    SPL_CHECK(fcntl(fd, F_GETFD) < 0); /* bus_close closed it */
}

SPL_TEST(c62_owner_set_marks_dirty_bit_of_slot_mod_1024) {
    spl_create_store(1100, 8);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    char low[32], mid[32], high[32];
    spl_key_with_index(low, sizeof low, "low", 1100, 5, 0);
    spl_key_with_index(mid, sizeof mid, "mid", 1100, 67, 0);
    spl_key_with_index(high, sizeof high, "high", 1100, 1031, 0);
    SPL_CHECK_EQ(splinter_set(low, "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_set(mid, "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_set(high, "12345678", 8), 0);
    SPL_CHECK_EQ(spl_slot_index_of(high), 1031);
    uint64_t want[16] = {0};
    want[0] = (1ULL << 5) | (1ULL << 7); /* 1031 mod 1024 = 7 */
    want[1] = 1ULL << 3;                 /* 67 = word 1, bit 3 */
    uint64_t got[16];
    splinter_event_bus_get_dirty(got, 16);
    for (int w = 0; w < 16; w++) SPL_CHECK_EQ(got[w], want[w]);
}

SPL_TEST(c63_set_in_non_owner_process_changes_nothing) {
    const char *name = spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    uint64_t before[16], after[16];
    splinter_event_bus_get_dirty(before, 16);
    const char *args[] = {name, "from_child", "hello", NULL};
    int status = spl_wait_child(spl_spawn("set_key", args), 60);
    SPL_CHECK_EQ(status, 0);
    SPL_CHECK_EQ(splinter_get_epoch("from_child"), 2); /* the child's set did happen */
    splinter_event_bus_get_dirty(after, 16);
    SPL_CHECK(memcmp(before, after, sizeof before) == 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), -1);
    splinter_event_bus_close(fd);
}

SPL_TEST(c64_get_dirty_writes_16_words_wait_on_negative_fd) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    uint64_t out[20];
    memset(out, 0xCD, sizeof out);
    splinter_event_bus_get_dirty(out, 20);
    uint64_t any = 0;
    for (int w = 0; w < 16; w++) any |= out[w];
    SPL_CHECK(any != 0 && any != 0xCDCDCDCDCDCDCDCDULL);
    for (int w = 16; w < 20; w++) SPL_CHECK_EQ(out[w], 0xCDCDCDCDCDCDCDCDULL);
    /* Fewer words: only those are written. */
    memset(out, 0xCD, sizeof out);
    splinter_event_bus_get_dirty(out, 1);
    SPL_CHECK_EQ(out[1], 0xCDCDCDCDCDCDCDCDULL);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_event_bus_wait(-1, 10), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
}

SPL_TEST(c65_bus_descriptor_cloexec_in_other_process_not_in_owner) {
    const char *name = spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    SPL_CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0); /* owner: plain dup */
    splinter_event_bus_close(fd);
    const char *args[] = {name, NULL};
    int status = spl_wait_child(spl_spawn("bus_cloexec", args), 60);
    skip_if_bus_unsupported(status);
    SPL_CHECK_EQ(status, CHILD_OK);
}

SPL_TEST(x_two_processes_store_created_here_read_there) {
    const char *name = spl_create_store(16, 64);
    SPL_CHECK_EQ(splinter_set("greeting", "hello from parent", 17), 0);
    const char *args[] = {name, "greeting", "hello from parent", "reply", "hi parent", NULL};
    int status = spl_wait_child(spl_spawn("read_store", args), 60);
    SPL_CHECK_EQ(status, 0);
    char buf[32];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("reply", buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 9);
    SPL_CHECK(memcmp(buf, "hi parent", 9) == 0);
}

SPL_TEST(x_two_processes_owner_set_wakes_waiter_in_other_process) {
    const char *name = spl_create_store(16, 64);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int pipefd[2];
    SPL_CHECK(pipe(pipefd) == 0);
    char ready_fd[16];
    snprintf(ready_fd, sizeof ready_fd, "%d", pipefd[1]);
    const char *args[] = {name, ready_fd, NULL};
    pid_t child = spl_spawn("bus_wait", args);
    close(pipefd[1]);
    char byte = 0;
    ssize_t got = read(pipefd[0], &byte, 1); /* 0 = the child ended before "ready" */
    close(pipefd[0]);
    if (got == 1) SPL_CHECK_EQ(splinter_set("wake", "up", 2), 0);
    int status = spl_wait_child(child, 60);
    skip_if_bus_unsupported(status);
    SPL_CHECK_EQ(got, 1);
    SPL_CHECK_EQ(status, CHILD_OK);
}

SPL_TEST(x_second_bus_init_takes_over_and_bus_close_is_safe) {
    const char *name = spl_create_store(8, 32);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int first = atomic_load(&h->event_bus.owner_fd);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int second = atomic_load(&h->event_bus.owner_fd);
    SPL_CHECK(second >= 0);
    SPL_CHECK(first != second || fcntl(first, F_GETFD) >= 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), 0);
    splinter_event_bus_close(fd);
    splinter_event_bus_close(-1);
}
