/* support.c - see support.h. */
#define _GNU_SOURCE
#include "support.h"
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPL_MAX_NAMES 96
#define SPL_MAX_MAPS 32
#define SPL_MAX_SPAWNED 16

struct spl_name {
    char name[PATH_MAX];
    char path[PATH_MAX];
};

static struct spl_name names[SPL_MAX_NAMES];
static size_t name_count;
static struct {
    void *base;
    size_t len;
} maps[SPL_MAX_MAPS];
static size_t map_count;
static pid_t spawned[SPL_MAX_SPAWNED];
static size_t spawned_count;
static int name_counter;

const char *spl_new_name(void) {
    SPL_CHECK_MSG(name_count < SPL_MAX_NAMES, "too many store names in one test");
    struct spl_name *n = &names[name_count++];
    int id = name_counter++;
#ifdef SPLINTER_TEST_PERSISTENT
    snprintf(n->name, sizeof n->name, "%s/spl_t_%d_%d", spl_test_dir(), (int)getpid(), id);
    snprintf(n->path, sizeof n->path, "%s/spl_t_%d_%d", spl_test_dir(), (int)getpid(), id);
#else
    snprintf(n->name, sizeof n->name, "/spl_t_%d_%d", (int)getpid(), id);
    snprintf(n->path, sizeof n->path, "/dev/shm/spl_t_%d_%d", (int)getpid(), id);
#endif
    return n->name;
}

const char *spl_path_of(const char *name) {
    for (size_t i = 0; i < name_count; i++) {
        if (strcmp(names[i].name, name) == 0) return names[i].path;
    }
#ifdef SPLINTER_TEST_PERSISTENT
    return name;
#else
    static char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "/dev/shm/%.200s", name[0] == '/' ? name + 1 : name);
    return buf;
#endif
}

const char *spl_create_store(size_t slots, size_t max_val_sz) {
    const char *name = spl_new_name();
    int rc = splinter_create(name, slots, max_val_sz);
    SPL_CHECK_MSG(rc == 0, "splinter_create(%s, %zu, %zu) returned %d", name, slots, max_val_sz, rc);
    return name;
}

void spl_write_object(const char *name, const void *bytes, size_t len) {
    int fd = open(spl_path_of(name), O_RDWR | O_CREAT | O_TRUNC, 0600);
    SPL_CHECK_MSG(fd >= 0, "cannot create %s", spl_path_of(name));
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, (const char *)bytes + done, len - done);
        SPL_CHECK(w > 0);
        done += (size_t)w;
    }
    close(fd);
}

void spl_remove_object(const char *name) {
#ifdef SPLINTER_TEST_PERSISTENT
    unlink(spl_path_of(name));
#else
    shm_unlink(name);
#endif
}

struct splinter_header *spl_map_raw(const char *name) {
    SPL_CHECK_MSG(map_count < SPL_MAX_MAPS, "too many raw mappings in one test");
    int fd = open(spl_path_of(name), O_RDWR);
    SPL_CHECK_MSG(fd >= 0, "cannot open %s", spl_path_of(name));
    struct stat st;
    SPL_CHECK(fstat(fd, &st) == 0);
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    SPL_CHECK(base != MAP_FAILED);
    maps[map_count].base = base;
    maps[map_count].len = (size_t)st.st_size;
    map_count++;
    return (struct splinter_header *)base;
}

struct splinter_slot *spl_slot_at(struct splinter_header *hdr, size_t index) {
    return (struct splinter_slot *)((char *)hdr + SPL_HEADER_BYTES + index * SPL_SLOT_BYTES);
}

unsigned char *spl_values_of(struct splinter_header *hdr) {
    return (unsigned char *)hdr + SPL_HEADER_BYTES + (size_t)hdr->slots * SPL_SLOT_BYTES;
}

struct splinter_header *spl_lib_header(const char *key) {
    size_t sz = 0;
    uint64_t epoch = 0;
    const unsigned char *value = splinter_get_raw_ptr(key, &sz, &epoch);
    SPL_CHECK_MSG(value != NULL, "raw pointer of %s", key);
    splinter_slot_snapshot_t snap;
    SPL_CHECK(splinter_get_slot_snapshot(key, &snap) == 0);
    splinter_header_snapshot_t hs;
    SPL_CHECK(splinter_get_header_snapshot(&hs) == 0);
    const unsigned char *arena = value - snap.val_off;
    return (struct splinter_header *)(arena - (size_t)hs.slots * SPL_SLOT_BYTES - SPL_HEADER_BYTES);
}

size_t spl_slot_index_of(const char *key) {
    splinter_slot_snapshot_t snap;
    SPL_CHECK_MSG(splinter_get_slot_snapshot(key, &snap) == 0, "snapshot of %s", key);
    splinter_header_snapshot_t hs;
    SPL_CHECK(splinter_get_header_snapshot(&hs) == 0);
    return snap.val_off / hs.max_val_sz;
}

uint64_t spl_fnv1a(const char *key) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t spl_header_epoch(void) {
    splinter_header_snapshot_t hs;
    SPL_CHECK(splinter_get_header_snapshot(&hs) == 0);
    return hs.epoch;
}

void spl_key_with_index(char *out, size_t out_sz, const char *prefix, size_t slots, size_t index, int skip) {
    for (int n = 0; n < 1000000; n++) {
        snprintf(out, out_sz, "%s%d", prefix, n);
        if (spl_fnv1a(out) % slots == index) {
            if (skip-- == 0) return;
        }
    }
    spl_fail(__FILE__, __LINE__, "no key with prefix %s maps to index %zu", prefix, index);
}

int spl_count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    SPL_CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') n++;
    }
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

pid_t spl_spawn(const char *command, const char *const *args) {
    const char *argv[32];
    size_t n = 0;
    argv[n++] = spl_self_path();
    argv[n++] = "--child";
    argv[n++] = command;
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 31; i++) argv[n++] = args[i];
    argv[n] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    SPL_CHECK(pid >= 0);
    if (pid == 0) {
        execv(spl_self_path(), (char *const *)argv);
        _exit(127);
    }
    if (spawned_count < SPL_MAX_SPAWNED) spawned[spawned_count++] = pid;
    return pid;
}

static void forget_spawned(pid_t pid) {
    for (size_t i = 0; i < spawned_count; i++) {
        if (spawned[i] == pid) {
            spawned[i] = spawned[--spawned_count];
            return;
        }
    }
}

int spl_wait_child(pid_t pid, int timeout_s) {
    int status = 0;
    long waited_ms = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            forget_spawned(pid);
            return -1;
        }
        if (waited_ms >= (long)timeout_s * 1000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            forget_spawned(pid);
            return -1;
        }
        spl_sleep_ms(5);
        waited_ms += 5;
    }
    forget_spawned(pid);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

void spl_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void spl_test_cleanup(void) {
    splinter_close();
    for (size_t i = 0; i < spawned_count; i++) {
        kill(spawned[i], SIGKILL);
        waitpid(spawned[i], NULL, 0);
    }
    spawned_count = 0;
    for (size_t i = 0; i < map_count; i++) munmap(maps[i].base, maps[i].len);
    map_count = 0;
    for (size_t i = 0; i < name_count; i++) spl_remove_object(names[i].name);
    name_count = 0;
}
