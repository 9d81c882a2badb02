/*
 * test_platform.c - the library's own shm_open/shm_unlink (native/src/compat.h), which
 * replace libc's so that the files run on glibc 2.27 and musl 1.2.3: glibc's name rules
 * and errno values, the same on every platform. Shm variant only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/compat.h"
#include "harness.h"
#include "support.h"

#ifndef SPLINTER_TEST_PERSISTENT

/* A new store name padded with 'x' to exactly `len` bytes after its leading '/'. */
static const char *name_of_length(char *out, size_t out_sz, size_t len) {
    const char *base = spl_new_name();
    size_t have = strlen(base + 1);
    SPL_CHECK(len >= have && len + 2 <= out_sz);
    memcpy(out, base, have + 1);
    memset(out + 1 + have, 'x', len - have);
    out[1 + len] = '\0';
    return out;
}

SPL_TEST(p_shm_names_empty_or_with_inner_slash_are_einval) {
    const char *refused[] = { "", "/", "///", "a/b", "/a/", "//spl_t_x/" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        errno = 0;
        SPL_CHECK_MSG(splinter_create(refused[i], 4, 64) == -1, "create('%s') succeeded", refused[i]);
        SPL_CHECK_MSG(errno == EINVAL, "create('%s'): errno %d, want EINVAL", refused[i], errno);
        errno = 0;
        SPL_CHECK_MSG(splinter_open(refused[i]) == -1, "open('%s') succeeded", refused[i]);
        SPL_CHECK_MSG(errno == EINVAL, "open('%s'): errno %d, want EINVAL", refused[i], errno);
        errno = 0;
        SPL_CHECK_EQ(spl_shm_unlink(refused[i]), -1);
        SPL_CHECK_MSG(errno == ENOENT, "unlink('%s'): errno %d, want ENOENT", refused[i], errno);
    }
}

SPL_TEST(p_shm_leading_slashes_name_the_same_object) {
    const char *name = spl_create_store(4, 64); /* "/spl_t_..." */
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    splinter_close();
    char more[128];
    snprintf(more, sizeof more, "///%s", name + 1);
    SPL_CHECK_EQ(splinter_open(more), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
    splinter_close();
    SPL_CHECK_EQ(spl_shm_unlink(more), 0);
    SPL_CHECK(access(spl_path_of(name), F_OK) != 0);
}

SPL_TEST(p_shm_name_of_name_max_bytes_works_one_more_is_enametoolong) {
    char name[400];
    name_of_length(name, sizeof name, NAME_MAX);
    SPL_CHECK_EQ(splinter_create(name, 4, 64), 0);
    splinter_close();
    SPL_CHECK_EQ(splinter_open(name), 0);
    splinter_close();
    SPL_CHECK_EQ(spl_shm_unlink(name), 0);

    size_t too_long[] = { NAME_MAX + 1, NAME_MAX + 5, 300 };
    for (size_t i = 0; i < sizeof too_long / sizeof too_long[0]; i++) {
        name_of_length(name, sizeof name, too_long[i]);
        errno = 0;
        SPL_CHECK_EQ(splinter_create(name, 4, 64), -1);
        SPL_CHECK_MSG(errno == ENAMETOOLONG, "create of %zu bytes: errno %d", too_long[i], errno);
        errno = 0;
        SPL_CHECK_EQ(splinter_open(name), -1);
        SPL_CHECK_MSG(errno == ENAMETOOLONG, "open of %zu bytes: errno %d", too_long[i], errno);
        errno = 0;
        SPL_CHECK_EQ(spl_shm_unlink(name), -1);
        SPL_CHECK_MSG(errno == ENAMETOOLONG, "unlink of %zu bytes: errno %d", too_long[i], errno);
    }
}

SPL_TEST(p_shm_dot_names_open_einval_create_eexist) {
    const char *dots[] = { ".", "..", "/.", "//.." };
    for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++) {
        errno = 0;
        SPL_CHECK_EQ(splinter_open(dots[i]), -1);
        SPL_CHECK_MSG(errno == EINVAL, "open('%s'): errno %d, want EINVAL", dots[i], errno);
        errno = 0;
        SPL_CHECK_EQ(splinter_create(dots[i], 4, 64), -1);
        SPL_CHECK_MSG(errno == EEXIST, "create('%s'): errno %d, want EEXIST", dots[i], errno);
    }
}

SPL_TEST(p_shm_open_does_not_follow_a_symlink) {
    const char *store = spl_create_store(4, 64);
    splinter_close();
    const char *link = spl_new_name();
    SPL_CHECK(symlink(spl_path_of(store), spl_path_of(link)) == 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_open(link), -1);
    SPL_CHECK_ERRNO(ELOOP);
    SPL_CHECK_EQ(splinter_open(store), 0);
}

SPL_TEST(p_shm_descriptor_is_close_on_exec) {
    const char *name = spl_create_store(4, 64);
    splinter_close();
    int fd = spl_shm_open(name, O_RDWR, 0);
    SPL_CHECK(fd >= 0);
    int flags = fcntl(fd, F_GETFD);
    close(fd);
    SPL_CHECK(flags >= 0 && (flags & FD_CLOEXEC) != 0);
}

SPL_TEST(p_shm_unlink_of_another_users_object_is_eacces) {
    if (geteuid() != 0) SPL_SKIP("needs root to create an object another user cannot remove");
    const char *name = spl_create_store(4, 64);
    splinter_close();
    pid_t pid = fork();
    SPL_CHECK(pid >= 0);
    if (pid == 0) {
        /* An unprivileged user in /dev/shm (sticky): the kernel answers EPERM, shm_unlink EACCES. */
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
        errno = 0;
        int r = spl_shm_unlink(name);
        _exit(r == -1 && errno == EACCES ? 0 : r == 0 ? 11 : errno == EPERM ? 12 : 13);
    }
    int status = 0;
    SPL_CHECK(waitpid(pid, &status, 0) == pid);
    SPL_CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "child status %d (10 setuid failed, 11 removed, 12 EPERM, 13 other errno)", status);
    SPL_CHECK(access(spl_path_of(name), F_OK) == 0);
}

SPL_TEST(p_shm_missing_object_is_enoent) {
    const char *name = spl_new_name();
    errno = 0;
    SPL_CHECK_EQ(spl_shm_open(name, O_RDWR, 0), -1);
    SPL_CHECK_ERRNO(ENOENT);
    errno = 0;
    SPL_CHECK_EQ(spl_shm_unlink(name), -1);
    SPL_CHECK_ERRNO(ENOENT);
}

#endif
