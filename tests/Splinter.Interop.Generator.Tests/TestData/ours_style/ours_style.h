/* Golden input: upstream_style/upstream_style.h in this project's spelling (hex flags, suffixed magic, macros for
 * sizes, _Atomic(T), _Alignas, a static inline function, a tagged enum). Both must give the same C# types. */
#ifndef OURS_STYLE_H
#define OURS_STYLE_H
#include <stdatomic.h>
#include <stdint.h>

/** Store magic. */
#define UP_MAGIC 0x534C4E54u
/** Nanoseconds per millisecond. */
#define UP_NS_PER_MS 1000000ULL
/** A type bit. */
#define UP_TYPE_JSON 0x08
/** The highest type bit. */
#define UP_TYPE_HIGH 0x80000000u
/** Separator of tandem keys. */
#define UP_ACCESSOR "."
/** Key bytes. */
#define UP_KEY_MAX 32
/** Words of a mask. */
#define UP_MASK_WORDS (1024 / 64)
#define UP_BELOW (-2)

typedef enum up_mode { UP_NONE = 0, UP_SOME = 1 } up_mode_t;

/** A slot. */
struct up_slot {
    /** Hash of the key. */
    _Atomic(uint64_t) hash;
    _Atomic(uint32_t) len;
    _Atomic(uint8_t) flags;
    _Alignas(64) _Atomic(uint64_t) epoch;
    char key[UP_KEY_MAX];
};

/** Tick counter; header-only. */
static inline uint64_t up_now(void) {
    return 42;
}

/** Looks a key up. */
int up_get(const char *key, up_mode_t mode, struct up_slot *slot);

/** Replaces a key's type bits. */
int up_set_type(const char *key, uint16_t mask);

#endif
