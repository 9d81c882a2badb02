/*
 * splinter_shim.h - Splinter.Interop's own native helpers, next to (never inside) libsplinter.
 *
 * The shim never links against libsplinter: it works with either variant and with a user's own
 * library. Library functions reach it as pointers (see the generated SplinterShim_errno_* wrappers).
 * Everything here is exported under the SplinterShim_ prefix so it never blurs with splinter_*.
 */
#ifndef SPLINTER_SHIM_H
#define SPLINTER_SHIM_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SPLINTER_SHIM_API __attribute__((visibility("default")))
#else
#define SPLINTER_SHIM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** One row of the layout table: a struct (field_name NULL) or one of its fields. */
typedef struct SplinterShim_layout_entry {
    /** Name of the struct as the C# mirror names it (the tag, or the typedef of an anonymous struct). */
    const char *struct_name;
    /** Name of the field, or NULL for the row describing the struct itself. */
    const char *field_name;
    /** offsetof the field (0 for a struct row). */
    size_t offset;
    /** sizeof the field or the struct. */
    size_t size;
    /** alignof the struct (0 for a field row). */
    size_t alignment;
} SplinterShim_layout_entry;

/**
 * The gate of one open store's hot write (SplinterShim_gated_set): the library function it forwards to. The C# layer
 * owns it (pinned memory that lives as long as its SplinterStore), fills it in when the store opens and closes it with
 * SplinterShim_gate_close. (The hot reads need no gate: the C# layer reads its own mapping of the store.)
 *
 * Why it exists: the gated call runs with the .NET runtime in cooperative mode (SuppressGCTransition), so a runtime
 * suspension (a blocking GC) cannot complete while a thread is inside it. SplinterStore.Dispose closes the gate
 * (which swaps the entry for a stub that returns SPLINTER_SHIM_GATE_CLOSED) and then forces such a suspension:
 * afterwards every gated call either has returned or will jump to the stub without touching the store, so the store
 * can be closed. The entry must be read here, in native code: between a read in managed code and the call the thread
 * could be suspended and resumed after the store was closed.
 */
typedef struct SplinterShim_gate {
    /** The library's splinter_set, or the closed stub (a function address stored as an integer: plain data). */
    uintptr_t set;
    /**
     * The library's splinter_set_hashed (the extension of our libsplinter: a SplinterShim_set_hashed_fn), 0 for a
     * library without it, or the closed stub.
     */
    uintptr_t set_hashed;
} SplinterShim_gate;

/**
 * The extension our libsplinter exports beyond upstream's functions (it is not in splinter.h): splinter_set for a key
 * whose byte length and FNV-1a hash the caller keeps. The C# layer looks it up by name in each library copy.
 */
typedef int SplinterShim_set_hashed_fn(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len);

/** What SplinterShim_gated_set returns once the gate is closed (libsplinter returns 0, -1 or -2). */
#define SPLINTER_SHIM_GATE_CLOSED (-1000)

/**
 * Swaps the gate's entries for their closed stubs (atomic stores). Gated calls that read the entry before are still
 * running the library function; the caller must wait them out (see above) before the store is closed.
 * @param gate the gate; NULL is ignored.
 */
SPLINTER_SHIM_API void SplinterShim_gate_close(SplinterShim_gate *gate);

/**
 * splinter_set through a store's gate: a tail call through gate->set.
 * @param key, val, len as for splinter_set.
 * @param gate the store's gate (last, so the library's arguments stay in their registers).
 * @return splinter_set's result, or SPLINTER_SHIM_GATE_CLOSED once the gate is closed.
 */
SPLINTER_SHIM_API int SplinterShim_gated_set(const char *key, const void *val, size_t len, const SplinterShim_gate *gate);

/**
 * splinter_set of a key whose length and hash the caller keeps, through a store's gate: the library's
 * splinter_set_hashed, or splinter_set (which hashes the key again) for a library without it.
 * @param key, key_len, hash the NUL-terminated key, its byte length and its FNV-1a hash.
 * @param val, len as for splinter_set.
 * @param gate the store's gate.
 * @return splinter_set's result, or SPLINTER_SHIM_GATE_CLOSED once the gate is closed.
 */
SPLINTER_SHIM_API int SplinterShim_gated_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len,
                                                    const SplinterShim_gate *gate);

/**
 * Reads the tick counter exactly as the header's inline splinter_now() does (libsplinter does not export it).
 * @return the current tick count.
 */
SPLINTER_SHIM_API uint64_t SplinterShim_now(void);

/**
 * Removes a shared-memory store object (shm_unlink); the library itself never removes stores.
 * @param name the store name as passed to splinter_create (a leading '/' is optional).
 * @return 0, or -errno.
 */
SPLINTER_SHIM_API int SplinterShim_remove_shm(const char *name);

/**
 * Removes a persistent store file (unlink).
 * @param path the store path as passed to splinter_create.
 * @return 0, or -errno.
 */
SPLINTER_SHIM_API int SplinterShim_remove_file(const char *path);

/**
 * Number of rows in the layout table (structs and their fields, as this compiler lays them out).
 * @return the row count.
 */
SPLINTER_SHIM_API size_t SplinterShim_layout_count(void);

/**
 * Copies one row of the layout table.
 * @param index row index, below SplinterShim_layout_count().
 * @param out receives the row; its strings are static.
 * @return 0, or -1 for an index out of range or a NULL out.
 */
SPLINTER_SHIM_API int SplinterShim_layout_get(size_t index, SplinterShim_layout_entry *out);

#ifdef __cplusplus
}
#endif

#endif /* SPLINTER_SHIM_H */
