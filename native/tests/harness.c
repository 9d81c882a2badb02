/*
 * harness.c - runs every registered test in a forked child, cleans up after it, counts.
 *
 * Usage: <binary> [--label NAME] [--list] [substring ...]
 *        <binary> --child <command> [args...]      (used by tests that need a second process)
 * Environment: SPLINTER_TEST_TIMEOUT (seconds per test, default 20),
 *              SPLINTER_TEST_SLOW=1 (valgrind: fewer loop iterations, longer timeout).
 * Exit status: 0 when nothing failed, 1 otherwise.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "support.h"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPL_MAX_TESTS 256
#define SPL_MAX_CHILDREN 64
#define SPL_EXIT_SKIP 77

struct spl_test_entry {
    const char *name;
    spl_test_fn fn;
};
struct spl_child_entry {
    const char *name;
    spl_child_fn fn;
};

static struct spl_test_entry tests[SPL_MAX_TESTS];
static size_t test_count;
static struct spl_child_entry children[SPL_MAX_CHILDREN];
static size_t child_count;
static char test_dir[PATH_MAX];
static char self_path[PATH_MAX];
static int in_test_child;

void spl_register_test(const char *name, spl_test_fn fn) {
    if (test_count == SPL_MAX_TESTS) {
        fprintf(stderr, "harness: too many tests (raise SPL_MAX_TESTS)\n");
        abort();
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void spl_register_child(const char *name, spl_child_fn fn) {
    if (child_count == SPL_MAX_CHILDREN) {
        fprintf(stderr, "harness: too many child commands\n");
        abort();
    }
    children[child_count].name = name;
    children[child_count].fn = fn;
    child_count++;
}

const char *spl_test_dir(void) { return test_dir; }

/* Overridden by test_golden.c in the main suite; the embeddings suite has no golden data. */
__attribute__((weak)) void spl_run_golden(struct spl_counts *counts) { (void)counts; }
const char *spl_self_path(void) { return self_path; }

int spl_slow(void) {
    const char *slow = getenv("SPLINTER_TEST_SLOW");
    return slow != NULL && strcmp(slow, "1") == 0;
}

long spl_scaled(long iterations) {
    long n = spl_slow() ? iterations / 50 : iterations;
    return n > 0 ? n : 1;
}

void spl_fail(const char *file, int line, const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    fprintf(stderr, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (errno now %d)\n", saved);
    if (in_test_child) {
        spl_test_cleanup();
        exit(1);
    }
    /* A check failing inside a child command: report through the exit status. */
    exit(1);
}

void spl_skip(const char *reason) {
    fprintf(stderr, "    skipped: %s\n", reason);
    if (in_test_child) spl_test_cleanup();
    exit(SPL_EXIT_SKIP);
}

static int compare_tests(const void *a, const void *b) {
    const struct spl_test_entry *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *path) {
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes shm objects a test child (pid) may have left behind, even after a crash. */
static void remove_child_shm(pid_t pid) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "spl_t_%d_", (int)pid);
    DIR *d = opendir("/dev/shm");
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "/dev/shm/%s", e->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

unsigned spl_test_timeout(void) {
    const char *t = getenv("SPLINTER_TEST_TIMEOUT");
    if (t != NULL && atoi(t) > 0) return (unsigned)atoi(t);
    return spl_slow() ? 180u : 20u;
}

/* Runs one test in a forked child. Returns 0 pass, 1 fail, 2 skip. */
static int run_one(const struct spl_test_entry *t, const char *root, size_t index) {
    snprintf(test_dir, sizeof test_dir, "%s/%zu", root, index);
    if (mkdir(test_dir, 0700) != 0) {
        fprintf(stderr, "harness: mkdir %s: %s\n", test_dir, strerror(errno));
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "harness: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        in_test_child = 1;
        alarm(spl_test_timeout());
        t->fn();
        spl_test_cleanup();
        fflush(stdout);
        exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    remove_child_shm(pid);
    remove_tree(test_dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);

    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("PASS %s (%ld ms)\n", t->name, ms);
        return 0;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == SPL_EXIT_SKIP) {
        printf("SKIP %s (%ld ms)\n", t->name, ms);
        return 2;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        printf("FAIL %s (%s, %ld ms)\n", t->name, sig == SIGALRM ? "timed out" : strsignal(sig), ms);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 99) {
        printf("FAIL %s (valgrind reported errors, %ld ms)\n", t->name, ms);
    } else {
        printf("FAIL %s (exit status %d, %ld ms)\n", t->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1, ms);
    }
    return 1;
}

static void resolve_self(const char *argv0) {
    if (strchr(argv0, '/') != NULL && realpath(argv0, self_path) != NULL) return;
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n > 0) {
        self_path[n] = '\0';
        return;
    }
    snprintf(self_path, sizeof self_path, "%s", argv0);
}

static int run_child_command(int argc, char **argv) {
    for (size_t i = 0; i < child_count; i++) {
        if (strcmp(children[i].name, argv[0]) == 0) return children[i].fn(argc, argv);
    }
    fprintf(stderr, "harness: unknown child command %s\n", argv[0]);
    return 2;
}

static int selected(const char *name, int argc, char **argv, int first) {
    if (first >= argc) return 1;
    for (int i = first; i < argc; i++) {
        if (strstr(name, argv[i]) != NULL) return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    resolve_self(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && strcmp(argv[1], "--child") == 0) {
        return run_child_command(argc - 2, argv + 2);
    }

    const char *label = "native-tests";
    int first = 1;
    int list_only = 0;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--label") == 0 && first + 1 < argc) {
            label = argv[first + 1];
            first += 2;
        } else if (strcmp(argv[first], "--list") == 0) {
            list_only = 1;
            first++;
        } else {
            fprintf(stderr, "usage: %s [--label NAME] [--list] [substring ...]\n", argv[0]);
            return 2;
        }
    }

    qsort(tests, test_count, sizeof tests[0], compare_tests);
    if (list_only) {
        for (size_t i = 0; i < test_count; i++) printf("%s\n", tests[i].name);
        return 0;
    }

    char root[] = "/tmp/spl_tests_XXXXXX";
    if (mkdtemp(root) == NULL) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        return 1;
    }

    struct spl_counts counts = {0, 0, 0};
    for (size_t i = 0; i < test_count; i++) {
        if (!selected(tests[i].name, argc, argv, first)) continue;
        int r = run_one(&tests[i], root, i);
        if (r == 0) counts.passed++;
        else if (r == 1) counts.failed++;
        else counts.skipped++;
    }
    /* Extra result producers (the golden comparison: one result per expected line). */
    if (selected("golden", argc, argv, first)) {
        snprintf(test_dir, sizeof test_dir, "%s/golden", root);
        if (mkdir(test_dir, 0700) == 0) {
            spl_run_golden(&counts);
            remove_tree(test_dir);
        } else {
            counts.failed++;
        }
    }
    remove_tree(root);

    if (counts.skipped > 0)
        printf("%s: %d passed, %d failed, %d skipped\n", label, counts.passed, counts.failed, counts.skipped);
    else
        printf("%s: %d passed, %d failed\n", label, counts.passed, counts.failed);
    return counts.failed == 0 ? 0 : 1;
}
