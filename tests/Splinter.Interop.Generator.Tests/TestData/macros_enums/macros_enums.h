/* Golden input: macros clang evaluates (and ones it must skip) and enums. */
#ifndef GOLDEN_MACROS_ENUMS_H
#define GOLDEN_MACROS_ENUMS_H
#include <stdint.h>

/** An int. */
#define GM_INT 42
/** Hex, unsigned. */
#define GM_HEX 0x534C4E54u
/** Unsigned long long. */
#define GM_ULL 1000000ULL
#define GM_NEG (-5)
/** An expression over another macro. */
#define GM_EXPR (GM_INT * 2 + 1)
#define GM_SHIFT (1u << 31)
#define GM_LONG_MIN (-9223372036854775807LL - 1)
#define GM_CAST ((uint64_t)7)
/** A string. */
#define GM_STRING "a.b"
#define GM_ESCAPED "tab\there \"q\" \\"
#define GM_DOUBLE 1.5
#define GM_FLOAT 2.5f
#define GM_FROM_DEFINE GOLDEN_DEFINED
#define GM_FUNCTION(x) ((x) + 1)
#define GM_ATTRIBUTE __attribute__((unused))
#define GM_TYPE unsigned int
#define GM_UNDEFINED GM_MISSING_NAME

/** Colors. */
typedef enum gm_color {
    /** Red. */
    GM_RED,
    GM_GREEN = 5,
    GM_BLUE
} gm_color_t;

/** Signed members. */
enum gm_signed { GM_MINUS = -1, GM_PLUS = 1 };

/** Anonymous, typedef'd, unsigned. */
typedef enum { GM_ANON_HIGH = 1u << 31, GM_ANON_LOW = 3 } gm_anon_t;

/* Anonymous without a typedef: its members become constants. */
enum { GM_LOOSE_A = 10, GM_LOOSE_B = 20 };

#endif
