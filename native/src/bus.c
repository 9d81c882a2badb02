/*
 * bus.c - the eventfd event bus (native/FORMAT.md, "The event bus").
 */
#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

void spl_notify_slow(size_t idx) {
    size_t mapped = idx % SPLINTER_MAX_SLOTS;
    atomic_fetch_or_explicit(&spl_g.hdr->event_bus.dirty_mask[mapped / 64], 1ULL << (mapped % 64),
                             memory_order_release);
    uint64_t one = 1;
    int saved = errno;
    ssize_t r = write(spl_g.bus_fd, &one, sizeof one);
    (void)r; /* errors are ignored, as upstream */
    errno = saved;
}

void spl_bus_disarm(void) {
    if (spl_g.bus_fd >= 0) {
        int saved = errno;
        (void)close(spl_g.bus_fd);
        errno = saved;
        spl_g.bus_fd = -1;
    }
}

SPLINTER_API int splinter_event_bus_init(void) {
    if (!spl_have_store()) return -1;
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) return -1;
    /* Upstream leaks the descriptor of an earlier init; close it (divergence 17). */
    spl_bus_disarm();
    ST_REL(&spl_g.hdr->event_bus.owner_fd, fd);
    ST_REL(&spl_g.hdr->event_bus.owner_pid, (int32_t)getpid());
    spl_g.bus_fd = fd;
    return 0;
}

int spl_bus_open(void) {
    if (!spl_have_store()) return -1;
    int32_t fd = LD_ACQ(&spl_g.hdr->event_bus.owner_fd);
    int32_t pid = LD_ACQ(&spl_g.hdr->event_bus.owner_pid);
    if (fd < 0 || pid <= 0) {
        errno = ENODEV;
        return -1;
    }
    if (pid == (int32_t)getpid()) return dup(fd); /* plain dup, no FD_CLOEXEC, as upstream */
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (pidfd < 0) return -1;
    int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    int saved = errno;
    (void)close(pidfd);
    errno = saved;
    return got;
#else
    errno = ENOSYS;
    return -1;
#endif
}

SPLINTER_API int splinter_event_bus_open(void) { return spl_bus_open(); }

static uint64_t spl_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

/*
 * Waits for readiness, then reads without blocking for this call only
 * (RWF_NOWAIT; the shared file stays blocking). If another reader drained the
 * counter first, it goes back to waiting for the rest of the timeout instead
 * of blocking in read (divergence 18).
 */
int spl_bus_wait(int fd, uint64_t timeout_ms) {
    if (fd < 0) return -1;
    int saved = errno;
    bool forever = timeout_ms == UINT64_MAX;
    uint64_t limit = timeout_ms > INT_MAX ? INT_MAX : timeout_ms;
    uint64_t start = spl_mono_ms();
    for (;;) {
        int wait_ms = -1;
        if (!forever) {
            uint64_t spent = spl_mono_ms() - start;
            wait_ms = spent >= limit ? 0 : (int)(limit - spent);
        }
        struct pollfd p = { .fd = fd, .events = POLLIN, .revents = 0 };
        int r = poll(&p, 1, wait_ms);
        if (r < 0) return -1;
        if (r == 0) {
            errno = saved;
            return -1;
        }
        uint64_t count = 0;
        struct iovec iov = { .iov_base = &count, .iov_len = sizeof count };
        ssize_t n = spl_preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
        if (n < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) n = read(fd, &count, sizeof count); /* old kernel */
        if (n == (ssize_t)sizeof count) {
            errno = saved;
            return 0;
        }
        if (n < 0 && errno == EAGAIN) {
            if (!forever && wait_ms == 0) {
                errno = saved;
                return -1;
            }
            continue;
        }
        return -1;
    }
}

SPLINTER_API int splinter_event_bus_wait(int fd, uint64_t timeout_ms) { return spl_bus_wait(fd, timeout_ms); }

SPLINTER_API void splinter_event_bus_close(int fd) {
    if (fd >= 0) (void)close(fd);
}

SPLINTER_API void splinter_event_bus_get_dirty(uint64_t *out, size_t words) {
    if (!spl_have_store() || out == NULL) return;
    size_t n = words < SPLINTER_EVENT_BUS_MASK_WORDS ? words : SPLINTER_EVENT_BUS_MASK_WORDS;
    for (size_t w = 0; w < n; w++) out[w] = LD_ACQ(&spl_g.hdr->event_bus.dirty_mask[w]);
}
