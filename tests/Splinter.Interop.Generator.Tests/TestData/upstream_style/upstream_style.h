/* Golden input in the style of upstream libsplinter's header: atomic typedefs, non-static inline, anonymous enums. */
#ifndef UPSTREAM_STYLE_H
#define UPSTREAM_STYLE_H
#include <stdatomic.h>
#include <stdint.h>

typedef enum { UP_NONE = 0, UP_SOME = 1 } up_mode_t;

/** A slot. */
struct up_slot {
    /** Hash of the key. */
    atomic_uint_least64_t hash;
    atomic_uint_least32_t len;
    atomic_uint_least8_t flags;
    _Alignas(64) atomic_uint_least64_t epoch;
    char key[32];
};

/** Tick counter; header-only. */
inline uint64_t up_now(void) {
    return 42;
}

/** Looks a key up. */
int up_get(const char *key, up_mode_t mode, struct up_slot *slot);

#endif
