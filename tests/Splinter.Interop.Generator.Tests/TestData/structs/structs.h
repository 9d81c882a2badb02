/* Golden input: layouts (alignas, atomics, arrays, arrays of structs, unions, anonymous typedef'd structs). */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/** One counter alone on a cache line. */
struct gs_node {
    /** Pulse counter. */
    _Alignas(64) _Atomic(uint64_t) counter;
};

/** Padding between a 4- and an 8-byte field. */
struct gs_pair {
    uint32_t a;
    uint64_t b;
};

/** Known only by its typedef. */
typedef struct {
    int16_t x;
    int16_t y;
} gs_anon_t;

/** Three views of eight bytes. */
union gs_value {
    uint64_t u;
    double d;
    unsigned char bytes[8];
};

/** Every field shape. */
struct gs_all {
    uint8_t tag;
    /** Atomic array. */
    _Atomic(uint32_t) flags[4];
    char name[16];
    float weights[3];
    struct gs_node nodes[2];
    gs_anon_t anon;
    gs_anon_t anons[3];
    union gs_value value;
    size_t sizes[2];
    void *ptr;
    void (*fn)(int code);
    _Alignas(64) struct gs_pair pairs[2];
    _Bool ok;
};
