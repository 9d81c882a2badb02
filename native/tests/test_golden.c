/*
 * The golden check: /work/shared/tools/golden/golden.c (built by run.sh against the library
 * under test, path in env SPLINTER_GOLDEN) drives fixed operation sequences and prints one
 * line per store dump: "<file> <size> <fnv1a>". Each line of
 * <shared>/testdata/golden-1.2.0/expected.txt is one test result here.
 * <shared> = env SPLINTER_SHARED (run.sh defaults it to ../shared beside the repository).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

#define GOLDEN_MAX_LINES 32

static int read_lines(FILE *f, char lines[][256], int max) {
    int n = 0;
    while (n < max && fgets(lines[n], 256, f) != NULL) {
        lines[n][strcspn(lines[n], "\r\n")] = '\0';
        if (lines[n][0] != '\0') n++;
    }
    return n;
}

static void result(struct spl_counts *counts, const char *name, int ok, const char *why) {
    if (ok) {
        printf("PASS golden_%s\n", name);
        counts->passed++;
    } else {
        printf("FAIL golden_%s (%s)\n", name, why);
        counts->failed++;
    }
}

void spl_run_golden(struct spl_counts *counts) {
    const char *shared = getenv("SPLINTER_SHARED");
    const char *golden = getenv("SPLINTER_GOLDEN");
    if (shared == NULL || golden == NULL) {
        printf("SKIP golden (SPLINTER_SHARED / SPLINTER_GOLDEN not set: run through run.sh)\n");
        counts->skipped++;
        return;
    }
    char expected_path[4096];
    snprintf(expected_path, sizeof expected_path, "%s/testdata/golden-1.2.0/expected.txt", shared);
    FILE *ef = fopen(expected_path, "r");
    if (ef == NULL) {
        printf("FAIL golden (cannot read %s)\n", expected_path);
        counts->failed++;
        return;
    }
    static char expected[GOLDEN_MAX_LINES][256];
    static char actual[GOLDEN_MAX_LINES][256];
    int n_expected = read_lines(ef, expected, GOLDEN_MAX_LINES);
    fclose(ef);

    int out[2];
    if (pipe(out) != 0) {
        printf("FAIL golden (pipe)\n");
        counts->failed++;
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
#ifdef SPLINTER_TEST_PERSISTENT
        execl(golden, golden, "-p", spl_test_dir(), (char *)NULL);
#else
        execl(golden, golden, spl_test_dir(), (char *)NULL);
#endif
        _exit(127);
    }
    close(out[1]);
    FILE *af = fdopen(out[0], "r");
    int n_actual = af != NULL ? read_lines(af, actual, GOLDEN_MAX_LINES) : 0;
    if (af != NULL) fclose(af);
    int status = 0;
    waitpid(pid, &status, 0);
    /* golden removes its stores itself; these are left only if it died half-way. */
    char leftover[64];
    snprintf(leftover, sizeof leftover, "/golden_core_%d", (int)pid);
    shm_unlink(leftover);
    snprintf(leftover, sizeof leftover, "/golden_bus_%d", (int)pid);
    shm_unlink(leftover);

    char why[300];
    snprintf(why, sizeof why, "golden exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    int clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    for (int i = 0; i < n_expected; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(expected[i], " "), expected[i]);
        for (char *p = name; *p; p++) {
            if (*p == '.') *p = '_';
        }
        if (i < n_actual && strcmp(actual[i], expected[i]) == 0) {
            result(counts, name, 1, "");
        } else {
            char detail[600];
            snprintf(detail, sizeof detail, "want \"%s\", got \"%s\"%s%s", expected[i],
                     i < n_actual ? actual[i] : "(no line)", clean_exit ? "" : "; ", clean_exit ? "" : why);
            result(counts, name, 0, detail);
        }
    }
    if (n_actual > n_expected) result(counts, "extra_lines", 0, "golden printed more lines than expected");
    if (!clean_exit && n_actual >= n_expected) result(counts, "exit_status", 0, why);
}
