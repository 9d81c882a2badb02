/* Golden input in the style of upstream libsplinter's header: unsigned shift flags, an unsuffixed magic, sizes in
 * anonymous enums, atomic typedefs, alignas, a non-static inline function, an anonymous typedef'd enum.
 * ours_style/ours_style.h declares the same in this project's spelling: both must give the same C# types. */
#ifndef UPSTREAM_STYLE_H
#define UPSTREAM_STYLE_H
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>

/** Store magic. */
#define UP_MAGIC 0x534C4E54
/** Nanoseconds per millisecond. */
#define UP_NS_PER_MS 1000000ULL
/** A type bit. */
#define UP_TYPE_JSON (1u << 3)
/** The highest type bit. */
#define UP_TYPE_HIGH (1u << 31)
/** Separator of tandem keys. */
#define UP_ACCESSOR "."

enum {
    /** Key bytes. */
    UP_KEY_MAX = 32,
    /** Words of a mask. */
    UP_MASK_WORDS = 1024 / 64
};

enum { UP_BELOW = -2 };

typedef enum { UP_NONE = 0, UP_SOME = 1 } up_mode_t;

/** A slot. */
struct up_slot {
    /** Hash of the key. */
    atomic_uint_least64_t hash;
    atomic_uint_least32_t len;
    atomic_uint_least8_t flags;
    alignas(64) atomic_uint_least64_t epoch;
    char key[UP_KEY_MAX];
};

/** Tick counter; header-only. */
inline uint64_t up_now(void) {
    return 42;
}

/** Looks a key up. */
int up_get(const char *key, up_mode_t mode, struct up_slot *slot);

/** Replaces a key's type bits. */
int up_set_type(const char *key, uint16_t mask);

#endif
