/*
 * store.c - store lifecycle: create, open, close.
 *
 * Divergences from upstream 1.2.0 (see native/README.md): the create/open
 * descriptor is closed once mapped; a half-made object is removed when create
 * fails after creating it; open validates size and geometry before installing
 * anything; a successful create/open replaces (unmaps) the previously installed
 * store; geometries that 32-bit offsets cannot address are refused; magic is
 * written last so a concurrent opener never accepts a half-initialised store;
 * create reserves the whole object, so a full file system is ENOSPC at create
 * and never SIGBUS later.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "compat.h"
#include "internal.h"

struct spl_store spl_g = { .bus_fd = -1 };

#ifdef SPLINTER_PERSISTENT
static int spl_obj_create(const char *name) {
    return open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
}
static int spl_obj_open(const char *name) { return open(name, O_RDWR | O_CLOEXEC); }
static void spl_obj_remove(const char *name) { (void)unlink(name); }
#else
static int spl_obj_create(const char *name) { return spl_shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0666); }
static int spl_obj_open(const char *name) { return spl_shm_open(name, O_RDWR, 0666); }
static void spl_obj_remove(const char *name) { (void)spl_shm_unlink(name); }
#endif

/* Parses SPLINTER_DEFAULT_UMASK; returns -1 when unset or not accepted. */
static long spl_env_umask(void) {
    const char *s = getenv("SPLINTER_DEFAULT_UMASK");
    if (s == NULL || *s == '\0') return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 8);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 0777) return -1;
    return v;
}

/* Total object size for a geometry, 0 when it overflows size_t. */
static size_t spl_total_size(uint64_t slots, uint64_t max_val) {
    size_t slot_bytes, arena, total;
    if (__builtin_mul_overflow(slots, (uint64_t)SPL_SLOT_SZ, &slot_bytes)) return 0;
    if (__builtin_mul_overflow(slots, max_val, &arena)) return 0;
    if (__builtin_add_overflow(slot_bytes, arena, &total)) return 0;
    if (__builtin_add_overflow(total, (size_t)SPL_HDR_SZ, &total)) return 0;
    return total;
}

/*
 * Reserves backing storage for the WHOLE object (header, slots and value
 * arena), so a full tmpfs or disk fails here with ENOSPC instead of raising
 * SIGBUS at the first write into a page that cannot be allocated (upstream
 * only extends the object with ftruncate, leaving it sparse). fallocate where
 * the file system has it; elsewhere one byte is written into every block,
 * which makes the file system allocate the block now (the bytes are zero
 * already, so nothing visible changes). A file system that stores written
 * zeros as holes (compression, deduplication) can still run out later.
 */
static int spl_reserve(int fd, size_t len) {
    int r;
    do r = fallocate(fd, 0, 0, (off_t)len);
    while (r != 0 && errno == EINTR);
    if (r == 0) return 0;
    if (errno != EOPNOTSUPP && errno != ENOSYS) return -1;
    struct stat st;
    size_t step = 4096;
    if (spl_fstat(fd, &st) == 0 && st.st_blksize >= 512 && (size_t)st.st_blksize < step) step = (size_t)st.st_blksize;
    step &= ~(size_t)511; /* st_blksize is a power of two in practice; stay on 512-byte bounds anyway */
    static const char zero = 0;
    /* No block is shorter than step, so every block of [0, len) holds one of these offsets. */
    for (size_t off = 0; off < len; off += step) {
        ssize_t w;
        do w = pwrite(fd, &zero, 1, (off_t)off);
        while (w < 0 && errno == EINTR);
        if (w != 1) {
            if (w >= 0) errno = ENOSPC;
            return -1;
        }
    }
    return 0;
}

void spl_uninstall(void) {
    spl_bus_disarm();
    if (spl_g.base != NULL) (void)munmap(spl_g.base, spl_g.map_len);
    spl_g.base = NULL;
    spl_g.map_len = 0;
    spl_g.hdr = NULL;
    spl_g.slot = NULL;
    spl_g.values = NULL;
    spl_g.slots = 0;
    spl_g.max_val = 0;
    spl_g.arena_sz = 0;
}

/* Makes a validated mapping the current store, releasing the previous one. */
/* Geometry comes from the caller's validated copy, never re-read from the
 * shared header (another process could change it in between). */
static void spl_install(void *base, size_t len, uint32_t slots, uint32_t max_val) {
    int saved = errno;
    spl_uninstall();
    errno = saved;
    spl_g.base = base;
    spl_g.map_len = len;
    spl_g.hdr = base;
    spl_g.slots = slots;
    spl_g.max_val = max_val;
    spl_g.arena_sz = (uint64_t)slots * max_val;
    spl_g.slot = (struct splinter_slot *)((unsigned char *)base + SPL_HDR_SZ);
    spl_g.values = (unsigned char *)base + SPL_HDR_SZ + (size_t)slots * SPL_SLOT_SZ;
}

static void spl_init_image(void *base, size_t total, uint32_t n, uint32_t m) {
    struct splinter_header *h = base;
    h->slots = n;
    h->max_val_sz = m;
    h->val_sz = (uint32_t)total;
    ST_RLX(&h->val_brk, 0);
    ST_RLX(&h->epoch, 1);
    ST_RLX(&h->core_flags, SPL_SYS_AUTO_SCRUB | SPL_SYS_HYBRID_SCRUB);
    ST_RLX(&h->user_flags, 0);
    ST_RLX(&h->parse_failures, 0);
    ST_RLX(&h->last_failure_epoch, 0);
    for (int w = 0; w < SPLINTER_EVENT_BUS_MASK_WORDS; w++) ST_RLX(&h->event_bus.dirty_mask[w], 0);
    ST_RLX(&h->event_bus.owner_fd, -1);
    ST_RLX(&h->event_bus.owner_pid, 0);
    /* Bid records and slot fields are already zero (fresh object); only the
     * non-zero initial values need writing. */
    for (int b = 0; b < 64; b++) ST_RLX(&h->bloom_watches[b], 0xFF);
    struct splinter_slot *slot = (struct splinter_slot *)((unsigned char *)base + SPL_HDR_SZ);
    for (uint32_t i = 0; i < n; i++) {
        ST_RLX(&slot[i].type_flag, SPL_SLOT_DEFAULT_TYPE);
        slot[i].val_off = i * m;
    }
    /* Magic and version last: an opener that sees them sees a whole store. */
    atomic_thread_fence(memory_order_release);
    h->version = SPLINTER_VER;
    atomic_thread_fence(memory_order_release);
    h->magic = SPLINTER_MAGIC;
}

static int spl_create(const char *name, size_t slots, size_t max_value_sz) {
    if (slots == 0 || max_value_sz == 0) {
        errno = ENOTSUP;
        return -2;
    }
    uint64_t arena;
    /* val_off is 32 bits: every value region must be addressable by it. */
    if (name == NULL || slots > UINT32_MAX || max_value_sz > UINT32_MAX ||
        __builtin_mul_overflow((uint64_t)slots, (uint64_t)max_value_sz, &arena) || arena > UINT32_MAX) {
        errno = EINVAL;
        return -2;
    }
    size_t total = spl_total_size(slots, max_value_sz);
    if (total == 0 || total > (size_t)LONG_MAX) {
        errno = EINVAL;
        return -2;
    }

    long um = spl_env_umask();
    mode_t old = 0;
    if (um >= 0) old = umask((mode_t)um);
    int fd = spl_obj_create(name);
    if (um >= 0) {
        int saved = errno;
        umask(old);
        errno = saved;
    }
    if (fd < 0) return -1;

    void *base = MAP_FAILED;
    if (ftruncate(fd, (off_t)total) == 0 && spl_reserve(fd, total) == 0)
        base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        int saved = errno;
        (void)close(fd);
        spl_obj_remove(name);
        errno = saved;
        return -1;
    }
    (void)close(fd);
    spl_init_image(base, total, (uint32_t)slots, (uint32_t)max_value_sz);
    spl_install(base, total, (uint32_t)slots, (uint32_t)max_value_sz);
    return 0;
}

static int spl_open(const char *name) {
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    int fd = spl_obj_open(name);
    if (fd < 0) return -1;
    struct stat st;
    if (spl_fstat(fd, &st) != 0) {
        int saved = errno;
        (void)close(fd);
        errno = saved;
        return -1;
    }
    /* Only a regular object at least one header long can be a store. */
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)SPL_HDR_SZ) {
        (void)close(fd);
        errno = EINVAL;
        return -1;
    }
    size_t len = (size_t)st.st_size;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int saved = errno;
    (void)close(fd);
    errno = saved;
    if (base == MAP_FAILED) return -1;

    struct splinter_header *h = base;
    if (h->magic != SPLINTER_MAGIC || h->version != SPLINTER_VER) {
        /* errno unchanged, as upstream; but nothing is installed. */
        (void)munmap(base, len);
        errno = saved;
        return -1;
    }
    atomic_thread_fence(memory_order_acquire);
    uint32_t slots = __atomic_load_n(&h->slots, __ATOMIC_RELAXED);
    uint32_t max_val = __atomic_load_n(&h->max_val_sz, __ATOMIC_RELAXED);
    size_t need = spl_total_size(slots, max_val);
    if (slots == 0 || max_val == 0 || need == 0 || len < need) {
        (void)munmap(base, len);
        errno = EINVAL;
        return -1;
    }
    spl_install(base, len, slots, max_val);
    return 0;
}

SPLINTER_API int splinter_create(const char *name_or_path, size_t slots, size_t max_value_sz) {
    return spl_create(name_or_path, slots, max_value_sz);
}

SPLINTER_API int splinter_open(const char *name_or_path) { return spl_open(name_or_path); }

SPLINTER_API int splinter_create_or_open(const char *name_or_path, size_t slots, size_t max_value_sz) {
    if (spl_create(name_or_path, slots, max_value_sz) == 0) return 0;
    return spl_open(name_or_path);
}

SPLINTER_API int splinter_open_or_create(const char *name_or_path, size_t slots, size_t max_value_sz) {
    if (spl_open(name_or_path) == 0) return 0;
    return spl_create(name_or_path, slots, max_value_sz);
}

SPLINTER_API void splinter_close(void) { spl_uninstall(); }
