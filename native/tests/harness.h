/*
 * harness.h - the tiny test harness of the libsplinter C conformance suite.
 *
 * Every test runs in its own forked process, so a crash, a hang (per-test alarm) or a
 * store left installed cannot leak into the next test. After the child ends, the parent
 * removes everything the test may have left behind: shm objects named "spl_t_<child pid>_*"
 * and the test's private temporary folder. Helpers that need a second, independent process
 * re-execute this binary with "--child <command> ..." (see SPL_CHILD_COMMAND).
 *
 * In a test: SPL_CHECK(cond), SPL_CHECK_EQ(a, b) (integers), SPL_CHECK_ERRNO(e), SPL_SKIP(reason).
 */
#ifndef SPLINTER_TEST_HARNESS_H
#define SPLINTER_TEST_HARNESS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*spl_test_fn)(void);
typedef int (*spl_child_fn)(int argc, char **argv);

void spl_register_test(const char *name, spl_test_fn fn);
void spl_register_child(const char *name, spl_child_fn fn);

/* Defines and registers a test. The name says which checklist item it covers. */
#define SPL_TEST(name)                                                                 \
    static void name(void);                                                            \
    __attribute__((constructor)) static void name##_register(void) {                   \
        spl_register_test(#name, name);                                                \
    }                                                                                  \
    static void name(void)

/* Defines a sub-command run by "<binary> --child <name> args...": a real second process. */
#define SPL_CHILD_COMMAND(name)                                                        \
    static int child_##name(int argc, char **argv);                                    \
    __attribute__((constructor)) static void child_##name##_register(void) {           \
        spl_register_child(#name, child_##name);                                       \
    }                                                                                  \
    static int child_##name(int argc, char **argv)

__attribute__((noreturn, format(printf, 3, 4)))
void spl_fail(const char *file, int line, const char *fmt, ...);
__attribute__((noreturn)) void spl_skip(const char *reason);

#define SPL_CHECK(cond)                                                                \
    do {                                                                               \
        if (!(cond)) spl_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                 \
    } while (0)

#define SPL_CHECK_MSG(cond, ...)                                                       \
    do {                                                                               \
        if (!(cond)) spl_fail(__FILE__, __LINE__, __VA_ARGS__);                        \
    } while (0)

/* Integer equality; both sides are printed in decimal and hex on failure. */
#define SPL_CHECK_EQ(actual, expected)                                                 \
    do {                                                                               \
        unsigned long long spl_a_ = (unsigned long long)(actual);                      \
        unsigned long long spl_e_ = (unsigned long long)(expected);                    \
        if (spl_a_ != spl_e_)                                                          \
            spl_fail(__FILE__, __LINE__, "%s == %s: got %lld (0x%llx), want %lld (0x%llx)", \
                     #actual, #expected, (long long)spl_a_, spl_a_, (long long)spl_e_,  \
                     spl_e_);                                                          \
    } while (0)

#define SPL_CHECK_ERRNO(expected)                                                      \
    do {                                                                               \
        int spl_en_ = errno;                                                           \
        if (spl_en_ != (expected))                                                     \
            spl_fail(__FILE__, __LINE__, "errno: got %d, want %s (%d)", spl_en_,      \
                     #expected, (int)(expected));                                      \
    } while (0)

#define SPL_SKIP(reason) spl_skip(reason)

/* Errno value used as "untouched" sentinel: no library call ever sets EDOM. */
#define SPL_ERRNO_SENTINEL EDOM

/* Per-test private temporary folder (exists while the test runs; removed afterwards). */
const char *spl_test_dir(void);
/* Absolute path of this test binary, for re-execution. */
const char *spl_self_path(void);
/* Divides loop counts when running under valgrind (env SPLINTER_TEST_SLOW=1). */
long spl_scaled(long iterations);
/* 1 when running under valgrind (env SPLINTER_TEST_SLOW=1). */
int spl_slow(void);
/* Seconds a test may run before the harness stops it (SPLINTER_TEST_TIMEOUT, else 20, or 180 when slow). */
unsigned spl_test_timeout(void);

#endif
