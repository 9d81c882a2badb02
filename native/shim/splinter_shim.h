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
