/* Golden input: functions of every parameter shape the generator maps. */
#ifndef GOLDEN_FUNCTIONS_H
#define GOLDEN_FUNCTIONS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GF_API __attribute__((visibility("default")))

/** A point. */
struct gf_point {
    /** Horizontal. */
    int x;
    /** Vertical. */
    int y;
};
typedef struct gf_point gf_point_t;

/** Kinds of things. */
typedef enum gf_kind { GF_KIND_A = 1, GF_KIND_B = 2 } gf_kind_t;

/**
 * Copies a value.
 * @param key NUL-terminated key.
 * @param buf destination, or NULL.
 * @param buf_sz capacity of buf.
 * @param out_sz receives the length.
 * @return 0, or -1 with errno set.
 */
GF_API int gf_get(const char *key, void *buf, size_t buf_sz, size_t *out_sz);

/**
 * Visits every item.
 * @param callback called with the key, its epoch and user_data.
 */
GF_API void gf_visit(void (*callback)(const char *key, uint64_t epoch, void *data), void *user_data);

/** Reads an epoch (fast path). */
GF_API uint64_t gf_epoch(const char *key);

/** Returns a live pointer. */
GF_API const void *gf_raw(const char *key, size_t *out_sz);

/** Uses an enum, a typedef'd struct pointer and a parameter named like a C# keyword. */
GF_API int gf_kind(gf_kind_t kind, gf_point_t *point, struct gf_point *out);

/** Takes nothing, returns nothing. */
GF_API void gf_noargs(void);

/** Scalars by typedef and by builtin name. */
GF_API uint16_t gf_scalars(uint8_t a, int16_t b, unsigned short c, unsigned int d, int e, long long f, double g, float h, _Bool i, char j, unsigned char k, int64_t l, ssize_t m);

/** Pointers to pointers. */
GF_API int gf_lists(const char **names, char **out, const size_t *lengths, size_t count);

/** May be missing from a library. */
GF_API int gf_optional(int value);

/** Parameters without names. */
GF_API int gf_unnamed(int, const char *);

/** Never bound (configuration exclusion). */
GF_API int gf_excluded(void);

/** A limit (a constant for the configuration tests). */
#define GF_LIMIT 300

/** Header-only helper: skipped. */
static inline int gf_inline(void) { return 1; }

#ifdef GOLDEN_OTHER_CONFIGURATION
/** Declared only in a configuration these tests do not build: the configuration may still name it. */
GF_API int gf_elsewhere(int value);
#endif

#endif
