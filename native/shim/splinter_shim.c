/*
 * splinter_shim.c - the hand-written part of libsplinter_shim.so. The generated part (errno wrappers
 * and the layout table) is compiled next to it from the build's Generated/native folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../src/compat.h"
#include "splinter.h"
#include "splinter_shim.h"

SPLINTER_SHIM_API uint64_t SplinterShim_now(void)
{
    /* NOTE: the header defines splinter_now as inline, so this copy always matches the header in use. */
    return splinter_now();
}

SPLINTER_SHIM_API int SplinterShim_remove_shm(const char *name)
{
    if (name == NULL) {
        return -EINVAL;
    }
    return spl_shm_unlink(name) == 0 ? 0 : -errno;
}

SPLINTER_SHIM_API int SplinterShim_remove_file(const char *path)
{
    if (path == NULL) {
        return -EINVAL;
    }
    return unlink(path) == 0 ? 0 : -errno;
}

/* The gated hot write: one relaxed load of the entry and a tail call (clang makes it a single indirect jump).
 * Relaxed is enough: a thread that still reads the library's function is inside native code in cooperative mode, and
 * the suspension Dispose forces waits for it to return (see splinter_shim.h). */
#define GATE_ENTRY(gate, field, type) ((type *)__atomic_load_n(&(gate)->field, __ATOMIC_RELAXED))

static int closed_set(const char *key, const void *val, size_t len)
{
    (void)key, (void)val, (void)len;
    return SPLINTER_SHIM_GATE_CLOSED;
}

static int closed_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len)
{
    (void)key, (void)key_len, (void)hash, (void)val, (void)len;
    return SPLINTER_SHIM_GATE_CLOSED;
}

SPLINTER_SHIM_API void SplinterShim_gate_close(SplinterShim_gate *gate)
{
    if (gate == NULL) {
        return;
    }
    /* set_hashed first: a hashed call that finds no extension goes on to read set. */
    __atomic_store_n(&gate->set_hashed, (uintptr_t)&closed_set_hashed, __ATOMIC_SEQ_CST);
    __atomic_store_n(&gate->set, (uintptr_t)&closed_set, __ATOMIC_SEQ_CST);
}

SPLINTER_SHIM_API int SplinterShim_gated_set(const char *key, const void *val, size_t len, const SplinterShim_gate *gate)
{
    return GATE_ENTRY(gate, set, __typeof__(splinter_set))(key, val, len);
}

SPLINTER_SHIM_API int SplinterShim_gated_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len,
                                                    const SplinterShim_gate *gate)
{
    SplinterShim_set_hashed_fn *hashed = GATE_ENTRY(gate, set_hashed, SplinterShim_set_hashed_fn);
    if (hashed != NULL) {
        return hashed(key, key_len, hash, val, len);
    }
    return GATE_ENTRY(gate, set, __typeof__(splinter_set))(key, val, len);
}
