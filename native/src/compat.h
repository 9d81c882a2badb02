/*
 * compat.h - libc calls whose usual symbols would raise the oldest C library the
 * native files run on (glibc 2.27 on x64 and arm64, musl 1.2.3; see README.md,
 * "Platforms"), written with calls every one of those libraries has.
 *
 * - shm_open and shm_unlink are GLIBC_2.34 symbols (glibc moved them from librt into
 *   libc then); before that they lived in librt. A POSIX shared-memory object on
 *   Linux is a file in /dev/shm, so spl_shm_open/spl_shm_unlink are open/unlink of
 *   that file with the name rules and errno values of glibc's own functions:
 *     every leading '/' is dropped; an empty rest or a '/' inside it is refused
 *     (EINVAL from open, ENOENT from unlink, as glibc); a rest longer than NAME_MAX
 *     bytes is ENAMETOOLONG; the file is opened with O_NOFOLLOW and O_CLOEXEC added;
 *     open's EISDIR (the names "." and "..") becomes EINVAL and unlink's EPERM (the
 *     sticky /dev/shm refusing another user's object) becomes EACCES.
 *   glibc 2.36 answers EINVAL instead of ENAMETOOLONG for names of 260 bytes or more;
 *   the kernel already answers ENAMETOOLONG from 256 on, and so do these helpers.
 *   musl refuses "." and ".." itself with EINVAL; here open gives EINVAL for them too
 *   (through EISDIR) but an exclusive create gives EEXIST, as glibc. The same rules
 *   on every platform keep stores interchangeable between processes.
 * - fstat is a GLIBC_2.33 symbol (older glibc had __fxstat behind an inline fstat):
 *   spl_fstat is the fstat system call, whose struct stat is the C library's own on
 *   x86_64 and aarch64 (checked below).
 * - preadv2 is missing from musl 1.2.3 (glibc has it since 2.26): spl_preadv2 is the
 *   system call, with glibc's answer EOPNOTSUPP when the kernel lacks it (ENOSYS) and
 *   flags were given.
 *
 * Header-only, so libsplinter_shim.so (native/shim) shares it. native/tests/run.sh
 * and ./build.sh check the symbol versions of every shipped file.
 */
#ifndef SPLINTER_COMPAT_H
#define SPLINTER_COMPAT_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
_Static_assert(sizeof(struct stat) == 144, "struct stat is the kernel's (x86_64)");
#elif defined(__aarch64__)
_Static_assert(sizeof(struct stat) == 128, "struct stat is the kernel's (aarch64)");
#endif

#define SPL_SHM_DIR "/dev/shm/"

/* "/dev/shm/" + at most NAME_MAX name bytes + NUL. */
typedef struct {
    char path[sizeof SPL_SHM_DIR + NAME_MAX];
} spl_shm_path;

/* Builds /dev/shm/<name>; on a refused name sets errno (invalid_errno for an empty
 * name or an inner '/') and returns -1. */
static inline int spl_shm_path_of(const char *name, spl_shm_path *out, int invalid_errno) {
    while (*name == '/') name++;
    size_t len = strlen(name);
    if (len == 0 || memchr(name, '/', len) != NULL) {
        errno = invalid_errno;
        return -1;
    }
    if (len > NAME_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(out->path, SPL_SHM_DIR, sizeof SPL_SHM_DIR - 1);
    memcpy(out->path + sizeof SPL_SHM_DIR - 1, name, len + 1);
    return 0;
}

static inline int spl_shm_open(const char *name, int oflag, mode_t mode) {
    spl_shm_path p;
    if (spl_shm_path_of(name, &p, EINVAL) != 0) return -1;
    int fd = open(p.path, oflag | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 && errno == EISDIR) errno = EINVAL;
    return fd;
}

static inline int spl_shm_unlink(const char *name) {
    spl_shm_path p;
    if (spl_shm_path_of(name, &p, ENOENT) != 0) return -1;
    int r = unlink(p.path);
    if (r != 0 && errno == EPERM) errno = EACCES;
    return r;
}

static inline int spl_fstat(int fd, struct stat *st) { return (int)syscall(SYS_fstat, fd, st); }

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

/* The offset travels as two longs (low, high); on a 64-bit target the high one is 0. */
static inline ssize_t spl_preadv2(int fd, const struct iovec *iov, int count, off_t offset, int flags) {
    _Static_assert(sizeof(long) == 8, "64-bit targets only");
    long r = syscall(SYS_preadv2, fd, iov, count, (long)offset, 0L, flags);
    if (r < 0 && errno == ENOSYS && flags != 0) errno = EOPNOTSUPP;
    return (ssize_t)r;
}

#endif
