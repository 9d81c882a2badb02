/*
 * splinter.h, respelled the way the upstream libsplinter 1.2 header writes its declarations.
 *
 * Test input of Splinter.Interop, not a header anyone builds the library with: it declares exactly the
 * ABI of native/include/splinter.h (same functions, struct tags, typedef names, constants and layout),
 * but spells it differently on purpose:
 *   - flag macros are unsigned shifts, (1u << n), so their C type is unsigned int;
 *   - most sizes are members of anonymous enums, so they are enumerators and not macros;
 *   - the magic has no suffix, so its C type is int;
 *   - atomic fields use the <stdatomic.h> typedefs (atomic_uint_least64_t and friends);
 *   - alignment is written with alignas from <stdalign.h>;
 *   - enums are anonymous and known only by their typedefs;
 *   - the tick counter is a static inline function built on the compiler intrinsics header.
 * ./build.sh test installs our library with THIS header into a temporary prefix and builds and runs the
 * .NET tests against it (see tests/upstream-header/README.md).
 */
#ifndef SPLINTER_H
#define SPLINTER_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- identity and sizes ---- */

/** Store magic ('TNLS' read as a little-endian 32-bit word). */
#define SPLINTER_MAGIC 0x534C4E54
/** Version of the shared-memory format. */
#define SPLINTER_VER 4
/** Nanoseconds per millisecond. */
#define NS_PER_MS 1000000ULL

enum {
    /** Bytes of a slot's key, the NUL included. */
    SPLINTER_KEY_MAX = 64,
    /** Signal groups per store. */
    SPLINTER_MAX_GROUPS = 64,
    /** Records in the shard-bid table. */
    SPLINTER_MAX_SHARDS = 32,
    /** Slot indices the event-bus mask tells apart. */
    SPLINTER_MAX_SLOTS = 1024,
    /** 64-bit words of the event-bus mask. */
    SPLINTER_EVENT_BUS_MASK_WORDS = SPLINTER_MAX_SLOTS / 64
};

#ifdef SPLINTER_EMBEDDINGS
enum {
    /** Floats in a slot's embedding. */
    SPLINTER_EMBED_DIM = 768
};
#endif

/* ---- store core flags (header core_flags) and store user flags (header user_flags) ---- */

#define SPL_SYS_AUTO_SCRUB   (1u << 0)
#define SPL_SYS_HYBRID_SCRUB (1u << 1)
#define SPL_SYS_RESERVED_2   (1u << 2)
#define SPL_SYS_RESERVED_3   (1u << 3)
#define SPL_SUSR1            (1u << 4)
#define SPL_SUSR2            (1u << 5)
#define SPL_SUSR3            (1u << 6)
#define SPL_SUSR4            (1u << 7)

/* ---- slot type bits (slot type_flag) ---- */

#define SPL_SLOT_TYPE_VOID    (1u << 0)
#define SPL_SLOT_TYPE_BIGINT  (1u << 1)
#define SPL_SLOT_TYPE_BIGUINT (1u << 2)
#define SPL_SLOT_TYPE_JSON    (1u << 3)
#define SPL_SLOT_TYPE_BINARY  (1u << 4)
#define SPL_SLOT_TYPE_IMGDATA (1u << 5)
#define SPL_SLOT_TYPE_AUDIO   (1u << 6)
#define SPL_SLOT_TYPE_VARTEXT (1u << 7)
#define SPL_SLOT_DEFAULT_TYPE SPL_SLOT_TYPE_VOID

/* ---- per-slot user flags (slot user_flag) ---- */

#define SPL_FUSR1 (1u << 0)
#define SPL_FUSR2 (1u << 1)
#define SPL_FUSR3 (1u << 2)
#define SPL_FUSR4 (1u << 3)
#define SPL_FUSR5 (1u << 4)
#define SPL_FUSR6 (1u << 5)
#define SPL_FUSR7 (1u << 6)
#define SPL_FUSR8 (1u << 7)

/** Modes of splinter_set_slot_time. */
enum {
    SPL_TIME_CTIME = 0,
    SPL_TIME_ATIME = 1
};

/** Joins a tandem base key and its order number. */
#define SPL_ORDER_ACCESSOR "."

typedef enum {
    SPL_INTENT_NONE = 0,
    SPL_INTENT_WILLNEED,
    SPL_INTENT_SEQUENTIAL,
    SPL_INTENT_RANDOM,
    SPL_INTENT_DONTNEED
} splinter_intent_t;

typedef enum {
    SPL_OP_AND = 0,
    SPL_OP_OR,
    SPL_OP_XOR,
    SPL_OP_NOT,
    SPL_OP_INC,
    SPL_OP_DEC
} splinter_integer_op_t;

/* ---- the mapped region ---- */

struct splinter_signal_node {
    alignas(64) atomic_uint_least64_t counter;
};

struct splinter_event_bus {
    atomic_uint_least64_t dirty_mask[SPLINTER_EVENT_BUS_MASK_WORDS];
    atomic_int_least32_t owner_fd;
    atomic_int_least32_t owner_pid;
};

struct splinter_shard_bid {
    atomic_uint_least32_t shard_id;
    atomic_uint_least32_t pid;
    atomic_uint_least8_t intent;
    atomic_uint_least8_t priority;
    atomic_uint_least8_t _pad[2];
    atomic_uint_least64_t duration_tsc;
    atomic_uint_least64_t claimed_at;
};

struct splinter_header {
    uint32_t magic;
    uint32_t version;
    uint32_t slots;
    uint32_t max_val_sz;
    atomic_uint_least64_t epoch;
    atomic_uint_least8_t core_flags;
    atomic_uint_least8_t user_flags;
    atomic_uint_least32_t val_brk;
    uint32_t val_sz;
    uint32_t alignment;
    atomic_uint_least64_t parse_failures;
    atomic_uint_least64_t last_failure_epoch;
    atomic_uint_least8_t bloom_watches[64];
    alignas(64) struct splinter_signal_node signal_groups[SPLINTER_MAX_GROUPS];
    alignas(64) struct splinter_event_bus event_bus;
    alignas(64) struct splinter_shard_bid shard_bids[SPLINTER_MAX_SHARDS];
};

struct splinter_slot {
    alignas(64) atomic_uint_least64_t hash;
    atomic_uint_least64_t epoch;
    uint32_t val_off;
    atomic_uint_least32_t val_len;
    atomic_uint_least8_t type_flag;
    atomic_uint_least8_t user_flag;
    atomic_uint_least64_t watcher_mask;
    atomic_uint_least64_t ctime;
    atomic_uint_least64_t atime;
    atomic_uint_least64_t bloom;
    char key[SPLINTER_KEY_MAX];
#ifdef SPLINTER_EMBEDDINGS
    float embedding[SPLINTER_EMBED_DIM];
#endif
};

/* ---- copies handed to callers ---- */

typedef struct splinter_header_snapshot {
    uint32_t magic;
    uint32_t version;
    uint32_t slots;
    uint32_t max_val_sz;
    uint64_t epoch;
    uint8_t core_flags;
    uint8_t user_flags;
    uint64_t parse_failures;
    uint64_t last_failure_epoch;
} splinter_header_snapshot_t;

typedef struct splinter_slot_snapshot {
    uint64_t hash;
    uint64_t epoch;
    uint32_t val_off;
    uint32_t val_len;
    uint8_t type_flag;
    uint8_t user_flag;
    uint64_t ctime;
    uint64_t atime;
    uint64_t bloom;
    char key[SPLINTER_KEY_MAX];
#ifdef SPLINTER_EMBEDDINGS
    float embedding[SPLINTER_EMBED_DIM];
#endif
} splinter_slot_snapshot_t;

struct splinter_shard_bid_snapshot {
    uint32_t shard_id;
    uint32_t pid;
    uint8_t intent;
    uint8_t priority;
    uint64_t duration_tsc;
    uint64_t claimed_at;
    int expired;
    int sovereign;
};

/* ---- tick counter (not exported by the library) ---- */

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t splinter_now(void)
{
    return (uint64_t)__rdtsc();
}
#elif defined(__aarch64__)
static inline uint64_t splinter_now(void)
{
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
}
#else
#include <time.h>
static inline uint64_t splinter_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_RAW, &now);
    return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}
#endif

/* ---- lifecycle ---- */

int splinter_create(const char *name_or_path, size_t slots, size_t max_value_sz);
int splinter_open(const char *name_or_path);
int splinter_create_or_open(const char *name_or_path, size_t slots, size_t max_value_sz);
int splinter_open_or_create(const char *name_or_path, size_t slots, size_t max_value_sz);
void splinter_close(void);

int splinter_set_mop(unsigned int mode);
int splinter_get_mop(void);
void splinter_purge(void);

/* ---- values ---- */

int splinter_set(const char *key, const void *val, size_t len);
int splinter_unset(const char *key);
int splinter_get(const char *key, void *buf, size_t buf_sz, size_t *out_sz);
int splinter_list(char **out_keys, size_t max_keys, size_t *out_count);
int splinter_poll(const char *key, uint64_t timeout_ms);
int splinter_get_header_snapshot(splinter_header_snapshot_t *snapshot);
int splinter_get_slot_snapshot(const char *key, splinter_slot_snapshot_t *snapshot);

/* ---- flags through raw pointers ---- */

void splinter_config_set(struct splinter_header *hdr, uint8_t mask);
void splinter_config_clear(struct splinter_header *hdr, uint8_t mask);
int splinter_config_test(struct splinter_header *hdr, uint8_t mask);
uint8_t splinter_config_snapshot(struct splinter_header *hdr);
void splinter_slot_usr_set(struct splinter_slot *slot, uint16_t mask);
void splinter_slot_usr_clear(struct splinter_slot *slot, uint16_t mask);
int splinter_slot_usr_test(struct splinter_slot *slot, uint16_t mask);
uint16_t splinter_slot_usr_snapshot(struct splinter_slot *slot);

/* ---- types, times, integers, system slots ---- */

int splinter_set_named_type(const char *key, uint16_t mask);
int splinter_set_slot_time(const char *key, unsigned short mode, uint64_t epoch, size_t offset);
int splinter_integer_op(const char *key, splinter_integer_op_t op, const void *mask);
const void *splinter_get_raw_ptr(const char *key, size_t *out_sz, uint64_t *out_epoch);
uint64_t splinter_get_epoch(const char *key);
int splinter_bump_slot(const char *key);
int splinter_retrain_slot(const char *key);
int splinter_set_as_system(const char *key);
int splinter_append(const char *key, const void *data, size_t data_len, size_t *new_len);

/* ---- labels ---- */

int splinter_set_label(const char *key, uint64_t mask);
int splinter_unset_label(const char *key, uint64_t mask);
void splinter_enumerate_matches(uint64_t mask, void (*callback)(const char *key, uint64_t epoch, void *data), void *user_data);

/* ---- tandem keys ---- */

int splinter_client_set_tandem(const char *base_key, const void **vals, const size_t *lens, uint8_t orders);
void splinter_client_unset_tandem(const char *base_key, uint8_t orders);

/* ---- signal groups ---- */

int splinter_watch_register(const char *key, uint8_t group_id);
int splinter_watch_unregister(const char *key, uint8_t group_id);
int splinter_watch_label_register(uint64_t bloom_mask, uint8_t group_id);
void splinter_pulse_watchers(struct splinter_slot *slot);
int splinter_pulse_keygroup(const char *key);
uint64_t splinter_get_signal_count(uint8_t group_id);

/* ---- event bus ---- */

int splinter_event_bus_init(void);
int splinter_event_bus_open(void);
int splinter_event_bus_wait(int fd, uint64_t timeout_ms);
void splinter_event_bus_close(int fd);
void splinter_event_bus_get_dirty(uint64_t *out, size_t words);

/* ---- shard bids and madvise ---- */

int splinter_shard_claim(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc);
int splinter_shard_claim_ex(uint32_t shard_id, uint32_t pid, uint8_t intent, uint8_t priority, uint64_t duration_tsc, uint64_t claimed_at);
int splinter_shard_rebid(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc);
int splinter_shard_release(uint32_t shard_id);
uint32_t splinter_shard_election(uint8_t *out_intent);
int splinter_shard_is_sovereign(uint32_t shard_id);
int splinter_shard_table_snapshot(struct splinter_shard_bid_snapshot *out, size_t max);
int splinter_madvise(uint32_t shard_id, void *addr, size_t len, int advice, uint64_t timeout_ticks);

#ifdef SPLINTER_EMBEDDINGS
int splinter_set_embedding(const char *key, const float *embedding);
int splinter_get_embedding(const char *key, float *embedding_out);
#endif

#ifdef SPLINTER_NUMA_AFFINITY
void *splinter_open_numa(const char *name, int target_node);
#endif

#ifdef __cplusplus
}
#endif

#endif /* SPLINTER_H */
