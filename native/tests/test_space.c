/*
 * Create reserves the whole object (native/README.md, divergence row "create reserves the
 * whole object"): on a file system that is too small, create fails with -1 / ENOSPC and
 * leaves nothing behind; a store that fits can be filled completely without SIGBUS.
 *
 * Each test enters a private mount namespace (unshare, / made private) and mounts a small
 * file system there, so nothing is visible outside the test process and everything goes
 * away with it. The shm variant mounts over /dev/shm (its size cannot be changed in place);
 * the persistent variant mounts a folder inside the test's temporary folder. Where the
 * mount is refused (no CAP_SYS_ADMIN, no user namespaces) the test is skipped with the
 * reason. create and the filling run in forked children, so a SIGBUS shows as the child's
 * exit status instead of ending the test.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

#define SMALL_FS_BYTES (4u << 20)

static char mount_dir[4096];

/* Mounts `fstype` in a private mount namespace where stores of this variant are created;
 * skips the test with the reason when that is refused. */
static void mount_private(const char *fstype, const char *options) {
    static char reason[512];
#ifdef SPLINTER_TEST_PERSISTENT
    snprintf(mount_dir, sizeof mount_dir, "%s/fs", spl_test_dir());
    SPL_CHECK(mkdir(mount_dir, 0700) == 0);
#else
    snprintf(mount_dir, sizeof mount_dir, "/dev/shm");
#endif
    if (unshare(CLONE_NEWNS) != 0) {
        snprintf(reason, sizeof reason, "cannot enter a private mount namespace: unshare(CLONE_NEWNS): %s",
                 strerror(errno));
        SPL_SKIP(reason);
    }
    /* Source and type are ignored for a propagation change; valgrind wants them readable. */
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(reason, sizeof reason, "cannot make / private in the new mount namespace: %s", strerror(errno));
        SPL_SKIP(reason);
    }
    if (mount(fstype, mount_dir, fstype, MS_NOSUID | MS_NODEV, options) != 0) {
        snprintf(reason, sizeof reason, "mount -t %s %s refused: %s", fstype, mount_dir, strerror(errno));
        SPL_SKIP(reason);
    }
}

/* A store name of this variant that lives on the mounted file system. */
static const char *name_on_mount(const char *base) {
    static char name[4200];
#ifdef SPLINTER_TEST_PERSISTENT
    snprintf(name, sizeof name, "%s/%s", mount_dir, base);
#else
    snprintf(name, sizeof name, "/%s_%d", base, (int)getpid());
#endif
    return name;
}

static int entries_in(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static unsigned long long free_bytes(void) {
    struct statvfs vfs;
    SPL_CHECK(statvfs(mount_dir, &vfs) == 0);
    return (unsigned long long)vfs.f_bavail * vfs.f_frsize;
}

/* Runs fn in a forked child; returns its exit status, or 128 + the signal that ended it. */
static int in_child(int (*fn)(const char *), const char *name) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    SPL_CHECK(pid >= 0);
    if (pid == 0) _exit(fn(name));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) SPL_CHECK(errno == EINTR);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "    child ended by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

/* 16 x 512 KiB: 8 MiB of values, twice the file system. */
static int create_too_big(const char *name) {
    errno = 0;
    int rc = splinter_create(name, 16, 512u << 10);
    int err = errno;
    if (rc == -1 && err == ENOSPC) return 0;
    fprintf(stderr, "    create of an 8 MiB store on a 4 MiB file system: rc %d, errno %d (%s)\n", rc, err,
            strerror(err));
    if (rc != 0) return 3;
    /* It should not have worked; show what filling it does (a library that leaves the
     * object sparse dies here with SIGBUS). */
    static unsigned char value[512u << 10];
    memset(value, 'x', sizeof value);
    for (int k = 0; k < 16; k++) {
        char key[16];
        snprintf(key, sizeof key, "big%d", k);
        if (splinter_set(key, value, sizeof value) != 0) return 4;
    }
    return 2;
}

#define FIT_SLOTS 8
#define FIT_VALUE (384u << 10)

/* 8 x 384 KiB = 3 MiB of values: fits. Every slot is filled to its last byte and read back. */
static int create_and_fill(const char *name) {
    if (splinter_create(name, FIT_SLOTS, FIT_VALUE) != 0) {
        fprintf(stderr, "    create of a 3 MiB store failed: errno %d (%s)\n", errno, strerror(errno));
        return 2;
    }
    static unsigned char value[FIT_VALUE], back[FIT_VALUE];
    for (int k = 0; k < FIT_SLOTS; k++) {
        char key[16];
        snprintf(key, sizeof key, "fill%d", k);
        memset(value, 'a' + k, sizeof value);
        if (splinter_set(key, value, sizeof value) != 0) {
            fprintf(stderr, "    set %s failed\n", key);
            return 3;
        }
    }
    for (int k = 0; k < FIT_SLOTS; k++) {
        char key[16];
        snprintf(key, sizeof key, "fill%d", k);
        size_t n = 0;
        memset(value, 'a' + k, sizeof value);
        if (splinter_get(key, back, sizeof back, &n) != 0 || n != sizeof back || memcmp(back, value, n) != 0) {
            fprintf(stderr, "    %s did not read back\n", key);
            return 4;
        }
    }
    splinter_close();
    return 0;
}

SPL_TEST(s_store_bigger_than_the_file_system_fails_enospc_and_leaves_nothing) {
    mount_private("tmpfs", "size=4m");
    unsigned long long before = free_bytes();
    SPL_CHECK(before <= SMALL_FS_BYTES);
    const char *name = name_on_mount("toobig");
    SPL_CHECK_EQ(in_child(create_too_big, name), 0);
    SPL_CHECK_EQ(entries_in(mount_dir), 0);
    SPL_CHECK_EQ(free_bytes(), before);
    /* And this process is unaffected: no store installed, a new one can be made. */
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}

SPL_TEST(s_store_that_fits_is_reserved_at_create_and_fills_without_sigbus) {
    mount_private("tmpfs", "size=4m");
    unsigned long long before = free_bytes();
    const char *name = name_on_mount("fits");
    /* Reserved at create: the file system's free space drops by the whole object now. */
    SPL_CHECK_EQ(splinter_create(name, FIT_SLOTS, FIT_VALUE), 0);
    unsigned long long total = SPL_HEADER_BYTES + FIT_SLOTS * SPL_SLOT_BYTES + (unsigned long long)FIT_SLOTS * FIT_VALUE;
    SPL_CHECK_MSG(before - free_bytes() >= total, "only %llu of %llu bytes reserved at create",
                  before - free_bytes(), total);
    splinter_close();
    spl_remove_object(name);
    SPL_CHECK_EQ(free_bytes(), before);
    SPL_CHECK_EQ(in_child(create_and_fill, name), 0);
}

/*
 * ramfs has no fallocate: the fallback must still allocate every block of the object at
 * create (ramfs has no size limit, so this checks the allocation, not ENOSPC).
 */
SPL_TEST(s_create_reserves_every_block_without_fallocate) {
    mount_private("ramfs", NULL);
    const char *name = name_on_mount("ramfs");
    SPL_CHECK_EQ(splinter_create(name, 8, 64u << 10), 0);
    char path[4300];
#ifdef SPLINTER_TEST_PERSISTENT
    snprintf(path, sizeof path, "%s", name);
#else
    snprintf(path, sizeof path, "/dev/shm%s", name);
#endif
    struct stat st;
    SPL_CHECK(stat(path, &st) == 0);
    SPL_CHECK_MSG((unsigned long long)st.st_blocks * 512 >= (unsigned long long)st.st_size,
                  "%lld of %lld bytes allocated", (long long)st.st_blocks * 512, (long long)st.st_size);
    splinter_close();
    spl_remove_object(name);
}
