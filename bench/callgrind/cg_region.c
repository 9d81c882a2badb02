/*
 * cg_region.c - gives callgrind a native function to toggle collection on while a managed loop runs.
 *
 * JIT-compiled C# has no symbols callgrind can name in --toggle-collect, so the benchmark app
 * (mode "callgrind") passes its loop as an [UnmanagedCallersOnly] function pointer to
 * bench_cg_region and runs callgrind with --toggle-collect=bench_cg_region: everything executed
 * inside that call (the loop, the P/Invoke transitions, libsplinter) is counted, nothing else.
 * bench_cg_warm runs the same body outside the collected region first, so JIT compilation and
 * first-call binding never land in the figure.
 *
 * bench_cg_toggle brackets a measured stretch of a process that is not a loop (the wake-latency watcher under
 * bench/latency/callgrind-wake.sh, run with --collect-atstart=no): collection on when its warm-up ends, off at its end.
 *
 * bench_cg_instrument starts callgrind's instrumentation, for runs under --instr-atstart=no: the
 * runtime's start-up then runs uninstrumented, which makes the whole valgrind run about 3x shorter.
 * Outside valgrind (or without valgrind's headers) it does nothing.
 */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

#define BENCH_CG_EXPORT __attribute__((visibility("default"), noinline))

BENCH_CG_EXPORT void bench_cg_instrument(void) {
#ifdef BENCH_HAVE_CALLGRIND
    CALLGRIND_START_INSTRUMENTATION;
#endif
}

BENCH_CG_EXPORT void bench_cg_warm(void (*body)(long), long ops) {
    body(ops);
}

BENCH_CG_EXPORT void bench_cg_region(void (*body)(long), long ops) {
    body(ops);
    /* Keep the call from becoming a tail jump, so the region's exit is where the body returns. */
    __asm__ volatile("" ::: "memory");
}

BENCH_CG_EXPORT void bench_cg_toggle(void) {
#ifdef BENCH_HAVE_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
}
