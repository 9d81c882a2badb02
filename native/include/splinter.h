/*
 * splinter.h - public interface of libsplinter 1.2 (shared-memory format v4).
 *
 * Clean-room header of the Splinter.Interop project. It declares the same
 * functions, structures and constants as upstream libsplinter 1.2.0 with the
 * same memory layout, so code built against either header can share a live
 * store. The store is a single mapped region:
 *
 *     [ struct splinter_header | slots x struct splinter_slot | slots x max_val_sz ]
 *
 * and every process that maps it coordinates through per-slot sequence locks
 * (an odd slot epoch means a writer is inside) and an optional eventfd
 * "event bus" owned by one process.
 *
 * Return convention of most functions: 0 on success, -1 when the key is not
 * found, the slot is busy (errno EAGAIN) or a runtime step failed, -2 when an
 * argument is invalid or no store is open. Each declaration below states its
 * own exceptions to that rule.
 */
#ifndef SPLINTER_H
#define SPLINTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#include <atomic>
/* std::atomic of an integer has the size and alignment of the integer on the
 * platforms we support, so C and C++ see the same layout. */
#define SPLINTER_ATOMIC(T) std::atomic<T>
#define SPLINTER_ALIGN64 alignas(64)
extern "C" {
#else
#include <stdatomic.h>
#define SPLINTER_ATOMIC(T) _Atomic(T)
#define SPLINTER_ALIGN64 _Alignas(64)
#endif

#if !defined(SPLINTER_API)
#if defined(__GNUC__)
#define SPLINTER_API __attribute__((visibility("default")))
#else
#define SPLINTER_API
#endif
#endif

/* ---------------------------------------------------------------------------
 * Constants
 * ------------------------------------------------------------------------- */

/** Magic number at offset 0 of every store (bytes 54 4E 4C 53 in memory). */
#define SPLINTER_MAGIC 0x534C4E54u
/** Data-format version recorded in the header (not the library version). */
#define SPLINTER_VER 4
/** Size of a slot's key field including its terminating NUL: keys hold at most 63 bytes. */
#define SPLINTER_KEY_MAX 64
/** Nanoseconds in one millisecond. */
#define NS_PER_MS 1000000ULL
#ifdef SPLINTER_EMBEDDINGS
/** Number of floats in the embedding vector carried by every slot. */
#define SPLINTER_EMBED_DIM 768
#endif
/** Number of signal groups; valid group ids are 0..63. */
#define SPLINTER_MAX_GROUPS 64
/** Number of shard-bid records in the header. */
#define SPLINTER_MAX_SHARDS 32
/** Slot indices covered by the event-bus dirty mask (indices alias modulo this value; not a store size limit). */
#define SPLINTER_MAX_SLOTS 1024
/** Number of 64-bit words in the event-bus dirty mask. */
#define SPLINTER_EVENT_BUS_MASK_WORDS (SPLINTER_MAX_SLOTS / 64)

/** Core flag: scrub value regions on write and delete. */
#define SPL_SYS_AUTO_SCRUB 0x01
/** Core flag: scrub only the 64-byte-rounded written length (hybrid scrub). */
#define SPL_SYS_HYBRID_SCRUB 0x02
/** Reserved core flag; no code uses it. */
#define SPL_SYS_RESERVED_2 0x04
/** Reserved core flag; no code uses it. */
#define SPL_SYS_RESERVED_3 0x08
/** Store-level user flag 1; never interpreted by the library. */
#define SPL_SUSR1 0x10
/** Store-level user flag 2; never interpreted by the library. */
#define SPL_SUSR2 0x20
/** Store-level user flag 3; never interpreted by the library. */
#define SPL_SUSR3 0x40
/** Store-level user flag 4; never interpreted by the library. */
#define SPL_SUSR4 0x80

/** Slot type bit: no particular type (the type of a fresh or freed slot). */
#define SPL_SLOT_TYPE_VOID 0x01
/** Slot type bit: signed big integer (informational only). */
#define SPL_SLOT_TYPE_BIGINT 0x02
/** Slot type bit: unsigned 64-bit integer; enables splinter_integer_op. */
#define SPL_SLOT_TYPE_BIGUINT 0x04
/** Slot type bit: JSON text (informational only). */
#define SPL_SLOT_TYPE_JSON 0x08
/** Slot type bit: opaque binary (also set by splinter_set_as_system). */
#define SPL_SLOT_TYPE_BINARY 0x10
/** Slot type bit: image data (informational only). */
#define SPL_SLOT_TYPE_IMGDATA 0x20
/** Slot type bit: audio data (informational only). */
#define SPL_SLOT_TYPE_AUDIO 0x40
/** Slot type bit: variable-length text (informational only). */
#define SPL_SLOT_TYPE_VARTEXT 0x80
/** Type given to fresh and freed slots. */
#define SPL_SLOT_DEFAULT_TYPE SPL_SLOT_TYPE_VOID

/** Per-slot user flag 1; never interpreted by the library. */
#define SPL_FUSR1 0x01
/** Per-slot user flag 2; never interpreted by the library. */
#define SPL_FUSR2 0x02
/** Per-slot user flag 3; never interpreted by the library. */
#define SPL_FUSR3 0x04
/** Per-slot user flag 4; never interpreted by the library. */
#define SPL_FUSR4 0x08
/** Per-slot user flag 5; never interpreted by the library. */
#define SPL_FUSR5 0x10
/** Per-slot user flag 6; never interpreted by the library. */
#define SPL_FUSR6 0x20
/** Per-slot user flag 7; never interpreted by the library. */
#define SPL_FUSR7 0x40
/** Per-slot user flag 8; never interpreted by the library. */
#define SPL_FUSR8 0x80

/** Mode of splinter_set_slot_time: write the creation time. */
#define SPL_TIME_CTIME 0
/** Mode of splinter_set_slot_time: write the access time. */
#define SPL_TIME_ATIME 1

/** Separator between a tandem base key and its order number ("car" -> "car.1"). */
#define SPL_ORDER_ACCESSOR "."

/* ---------------------------------------------------------------------------
 * Enumerations (both are 4-byte int)
 * ------------------------------------------------------------------------- */

/** Access intent recorded with a shard bid. Not the POSIX_MADV_* numbering. */
typedef enum splinter_intent {
    SPL_INTENT_NONE = 0,
    SPL_INTENT_WILLNEED = 1,
    SPL_INTENT_SEQUENTIAL = 2,
    SPL_INTENT_RANDOM = 3,
    SPL_INTENT_DONTNEED = 4
} splinter_intent_t;

/** Operation applied by splinter_integer_op to a BIGUINT slot. */
typedef enum splinter_integer_op {
    SPL_OP_AND = 0,
    SPL_OP_OR = 1,
    SPL_OP_XOR = 2,
    SPL_OP_NOT = 3,
    SPL_OP_INC = 4,
    SPL_OP_DEC = 5
} splinter_integer_op_t;

/* ---------------------------------------------------------------------------
 * Shared-memory structures. Layout is the format: do not reorder.
 * ------------------------------------------------------------------------- */

/** One signal group's pulse counter, alone on a cache line. */
struct splinter_signal_node {
    /** Number of pulses this group received; only ever increases. */
    SPLINTER_ALIGN64 SPLINTER_ATOMIC(uint64_t) counter;
};

/** Event-bus state kept in the header. */
struct splinter_event_bus {
    /** Cumulative dirty bitmap: bit b of word w stands for slot index (w * 64 + b) modulo 1024. Never cleared. */
    SPLINTER_ATOMIC(uint64_t) dirty_mask[SPLINTER_EVENT_BUS_MASK_WORDS];
    /** Descriptor number of the owner's eventfd inside the owner process, or -1. */
    SPLINTER_ATOMIC(int32_t) owner_fd;
    /** Process id of the owner, or 0. */
    SPLINTER_ATOMIC(int32_t) owner_pid;
};

/** One record of the logic-shard bid table. */
struct splinter_shard_bid {
    /** Shard id holding this record; 0 marks a free record. */
    SPLINTER_ATOMIC(uint32_t) shard_id;
    /** Process id of the claimant (last election tie-break). */
    SPLINTER_ATOMIC(uint32_t) pid;
    /** A splinter_intent_t value (not validated). */
    SPLINTER_ATOMIC(uint8_t) intent;
    /** Bid priority; higher wins. */
    SPLINTER_ATOMIC(uint8_t) priority;
    /** Explicit padding, zero. */
    SPLINTER_ATOMIC(uint8_t) _pad[2];
    /** Length of the bid window in splinter_now() ticks. */
    SPLINTER_ATOMIC(uint64_t) duration_tsc;
    /** splinter_now() value when the bid was made or renewed. */
    SPLINTER_ATOMIC(uint64_t) claimed_at;
};

/** The store header at offset 0 of the mapping. */
struct splinter_header {
    /** SPLINTER_MAGIC. */
    uint32_t magic;
    /** SPLINTER_VER. */
    uint32_t version;
    /** Number of slots (geometry). */
    uint32_t slots;
    /** Bytes of value space per slot (geometry). */
    uint32_t max_val_sz;
    /** Store-wide epoch; starts at 1 and advances on most writes. */
    SPLINTER_ATOMIC(uint64_t) epoch;
    /** SPL_SYS_* bits (the mop mode). */
    SPLINTER_ATOMIC(uint8_t) core_flags;
    /** SPL_SUSR* bits; zeroed at create, never written by the library. */
    SPLINTER_ATOMIC(uint8_t) user_flags;
    /** Bump-allocator cursor of upstream's BIGUINT promotion; 0 at create. */
    SPLINTER_ATOMIC(uint32_t) val_brk;
    /** Total mapping size in bytes at create, truncated to 32 bits. */
    uint32_t val_sz;
    /** Never written; always 0. */
    uint32_t alignment;
    /** Diagnostics counter; zeroed at create, never otherwise written. */
    SPLINTER_ATOMIC(uint64_t) parse_failures;
    /** Diagnostics value; zeroed at create, never otherwise written. */
    SPLINTER_ATOMIC(uint64_t) last_failure_epoch;
    /** Label bit -> signal group map; 0xFF (any value >= 64) means unmapped. */
    SPLINTER_ATOMIC(uint8_t) bloom_watches[64];
    /** The 64 signal-group counters. */
    SPLINTER_ALIGN64 struct splinter_signal_node signal_groups[SPLINTER_MAX_GROUPS];
    /** Event-bus dirty mask and owner. */
    SPLINTER_ALIGN64 struct splinter_event_bus event_bus;
    /** Logic-shard bid table. */
    SPLINTER_ALIGN64 struct splinter_shard_bid shard_bids[SPLINTER_MAX_SHARDS];
};

/** One slot of the slot array. */
struct splinter_slot {
    /** FNV-1a 64 hash of the key; 0 marks an empty slot. */
    SPLINTER_ALIGN64 SPLINTER_ATOMIC(uint64_t) hash;
    /** Sequence lock: odd while a writer holds the slot. */
    SPLINTER_ATOMIC(uint64_t) epoch;
    /** Offset of this slot's value from the start of the value arena. */
    uint32_t val_off;
    /** Length of the current value in bytes. */
    SPLINTER_ATOMIC(uint32_t) val_len;
    /** SPL_SLOT_TYPE_* bits. */
    SPLINTER_ATOMIC(uint8_t) type_flag;
    /** SPL_FUSR* bits. */
    SPLINTER_ATOMIC(uint8_t) user_flag;
    /** Bit g set: writes to this slot pulse signal group g. */
    SPLINTER_ATOMIC(uint64_t) watcher_mask;
    /** Caller-supplied creation time. */
    SPLINTER_ATOMIC(uint64_t) ctime;
    /** Caller-supplied access time. */
    SPLINTER_ATOMIC(uint64_t) atime;
    /** 64-bit label mask. */
    SPLINTER_ATOMIC(uint64_t) bloom;
    /** NUL-terminated key, at most 63 bytes. */
    char key[SPLINTER_KEY_MAX];
#ifdef SPLINTER_EMBEDDINGS
    /** Embedding vector. */
    float embedding[SPLINTER_EMBED_DIM];
#endif
};

/** Copy of the header's scalar fields (splinter_get_header_snapshot). */
typedef struct splinter_header_snapshot {
    /** SPLINTER_MAGIC. */
    uint32_t magic;
    /** Format version. */
    uint32_t version;
    /** Number of slots. */
    uint32_t slots;
    /** Bytes of value space per slot. */
    uint32_t max_val_sz;
    /** Store-wide epoch. */
    uint64_t epoch;
    /** SPL_SYS_* bits. */
    uint8_t core_flags;
    /** SPL_SUSR* bits. */
    uint8_t user_flags;
    /** Diagnostics counter. */
    uint64_t parse_failures;
    /** Diagnostics value. */
    uint64_t last_failure_epoch;
} splinter_header_snapshot_t;

/** Consistent copy of one slot's metadata (splinter_get_slot_snapshot); has no watcher mask. */
typedef struct splinter_slot_snapshot {
    /** Hash of the key. */
    uint64_t hash;
    /** Slot epoch at the time of the copy (always even). */
    uint64_t epoch;
    /** Offset of the value in the value arena. */
    uint32_t val_off;
    /** Value length in bytes. */
    uint32_t val_len;
    /** SPL_SLOT_TYPE_* bits. */
    uint8_t type_flag;
    /** SPL_FUSR* bits. */
    uint8_t user_flag;
    /** Creation time. */
    uint64_t ctime;
    /** Access time. */
    uint64_t atime;
    /** Label mask. */
    uint64_t bloom;
    /** The key, NUL-padded. */
    char key[SPLINTER_KEY_MAX];
#ifdef SPLINTER_EMBEDDINGS
    /** Embedding vector. */
    float embedding[SPLINTER_EMBED_DIM];
#endif
} splinter_slot_snapshot_t;

/** Copy of one shard-bid record with its evaluated state (splinter_shard_table_snapshot). */
struct splinter_shard_bid_snapshot {
    /** Shard id; 0 for a free record. */
    uint32_t shard_id;
    /** Claimant process id. */
    uint32_t pid;
    /** splinter_intent_t value. */
    uint8_t intent;
    /** Bid priority. */
    uint8_t priority;
    /** Bid window in ticks. */
    uint64_t duration_tsc;
    /** Tick count at claim or re-bid. */
    uint64_t claimed_at;
    /** 1 if the record is free or its window has passed. */
    int expired;
    /** 1 if the record belongs to the current election winner. */
    int sovereign;
};

/* ---------------------------------------------------------------------------
 * Tick counter
 * ------------------------------------------------------------------------- */

/**
 * Reads the raw tick counter the library uses for shard bids and deadlines:
 * the TSC on x86, the virtual counter on ARM, CLOCK_MONOTONIC_RAW nanoseconds elsewhere.
 * Units are platform ticks, not nanoseconds. Header-only: libsplinter does not export it.
 */
#if defined(__x86_64__) || defined(__i386__)
static inline uint64_t splinter_now(void) {
    return (uint64_t)__builtin_ia32_rdtsc();
}
#elif defined(__aarch64__)
static inline uint64_t splinter_now(void) {
    uint64_t ticks;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(ticks));
    return ticks;
}
#elif defined(__arm__)
static inline uint64_t splinter_now(void) {
    uint32_t low, high;
    __asm__ __volatile__("mrrc p15, 1, %0, %1, c14" : "=r"(low), "=r"(high));
    return ((uint64_t)high << 32) | low;
}
#else
#include <time.h>
static inline uint64_t splinter_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
#endif

/* ---------------------------------------------------------------------------
 * Store lifecycle. One store is open per process (per loaded library).
 * ------------------------------------------------------------------------- */

/**
 * Creates a new store and makes it the current store.
 * @param name_or_path shm object name (shm build) or file path (persistent build).
 * @param slots number of slots; 0 is refused.
 * @param max_value_sz bytes of value space per slot; 0 is refused.
 * @return 0; -2 with errno ENOTSUP for a zero geometry; -1 with errno from the system (EEXIST if it exists).
 */
SPLINTER_API int splinter_create(const char *name_or_path, size_t slots, size_t max_value_sz);

/**
 * Opens an existing store and makes it the current store.
 * @param name_or_path shm object name or file path.
 * @return 0; -1 with errno from the system, or with errno unchanged when the magic or version is wrong.
 */
SPLINTER_API int splinter_open(const char *name_or_path);

/**
 * Creates the store, or opens it when creating fails.
 * @return 0 when either step succeeded, else the result of the open.
 */
SPLINTER_API int splinter_create_or_open(const char *name_or_path, size_t slots, size_t max_value_sz);

/**
 * Opens the store, or creates it when opening fails.
 * @return 0 when either step succeeded, else the result of the create.
 */
SPLINTER_API int splinter_open_or_create(const char *name_or_path, size_t slots, size_t max_value_sz);

/** Unmaps the current store and closes this process's event-bus descriptor. Never removes the store. */
SPLINTER_API void splinter_close(void);

/* ---------------------------------------------------------------------------
 * Mop (scrub) mode
 * ------------------------------------------------------------------------- */

/**
 * Sets the scrub mode: 0 none, 1 hybrid (default), 2 full (only reachable from mode 0).
 * @return 0; -1 with errno EOPNOTSUPP for another mode; -2 without a store.
 */
SPLINTER_API int splinter_set_mop(unsigned int mode);

/**
 * Reports the scrub mode.
 * @return 1 if hybrid scrub is set, 2 if only auto scrub is set, 0 otherwise; -2 without a store.
 */
SPLINTER_API int splinter_get_mop(void);

/** Zeroes the unused tail of every idle slot's value region; advances each idle slot's epoch by 2. */
SPLINTER_API void splinter_purge(void);

/* ---------------------------------------------------------------------------
 * Key/value operations
 * ------------------------------------------------------------------------- */

/**
 * Writes a value under a key, inserting the key if needed.
 * @param key NUL-terminated key; bytes past 63 are dropped when stored.
 * @param val value bytes.
 * @param len value length, 1..max_val_sz.
 * @return 0; -1 (errno unchanged) for a bad length or a full store; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_set(const char *key, const void *val, size_t len);

/**
 * Removes a key.
 * @return the removed value's length; -1 when not found or busy (EAGAIN); -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_unset(const char *key);

/**
 * Copies a key's value.
 * @param buf destination, or NULL to query the length only.
 * @param buf_sz capacity of buf.
 * @param out_sz receives the value length (also when buf is too small).
 * @return 0; -1 with errno EMSGSIZE (buffer too small) or EAGAIN (torn read), or errno unchanged when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_get(const char *key, void *buf, size_t buf_sz, size_t *out_sz);

/**
 * Lists the keys of non-empty slots in slot order.
 * @param out_keys receives pointers to the key fields inside the shared mapping.
 * @param max_keys capacity of out_keys.
 * @param out_count receives the number of pointers written.
 * @return 0; -2 for NULL arguments or no store.
 */
SPLINTER_API int splinter_list(char **out_keys, size_t max_keys, size_t *out_count);

/**
 * Waits until a key's slot epoch changes, checking every 10 ms.
 * @return 0 on change; -1 with errno ETIMEDOUT, EAGAIN (busy at entry), or unchanged when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_poll(const char *key, uint64_t timeout_ms);

/**
 * Copies the header's scalar fields.
 * @return 0; -2 without a store.
 */
SPLINTER_API int splinter_get_header_snapshot(splinter_header_snapshot_t *snapshot);

/**
 * Copies one slot's metadata consistently (never a torn copy).
 * @return 0; -1 when not found; -2 for NULL arguments or no store.
 */
SPLINTER_API int splinter_get_slot_snapshot(const char *key, splinter_slot_snapshot_t *snapshot);

/* ---------------------------------------------------------------------------
 * Flag helpers on raw pointers into a mapping (no NULL checks)
 * ------------------------------------------------------------------------- */

/** Atomically sets bits of the header's core flags. */
SPLINTER_API void splinter_config_set(struct splinter_header *hdr, uint8_t mask);
/** Atomically clears bits of the header's core flags. */
SPLINTER_API void splinter_config_clear(struct splinter_header *hdr, uint8_t mask);
/**
 * Tests bits of the header's core flags.
 * @return 1 if any bit of mask is set, else 0.
 */
SPLINTER_API int splinter_config_test(struct splinter_header *hdr, uint8_t mask);
/**
 * Reads the header's core flags.
 * @return the core flags.
 */
SPLINTER_API uint8_t splinter_config_snapshot(struct splinter_header *hdr);
/** Atomically sets bits of a slot's 8-bit user flags (the mask's high byte is ignored). */
SPLINTER_API void splinter_slot_usr_set(struct splinter_slot *slot, uint16_t mask);
/** Atomically clears bits of a slot's 8-bit user flags (the mask's high byte is ignored). */
SPLINTER_API void splinter_slot_usr_clear(struct splinter_slot *slot, uint16_t mask);
/**
 * Tests bits of a slot's user flags.
 * @return 1 if any bit of mask is set, else 0.
 */
SPLINTER_API int splinter_slot_usr_test(struct splinter_slot *slot, uint16_t mask);
/**
 * Reads a slot's user flags.
 * @return the user flags, zero-extended.
 */
SPLINTER_API uint16_t splinter_slot_usr_snapshot(struct splinter_slot *slot);

/* ---------------------------------------------------------------------------
 * Types, times, integers, system slots
 * ------------------------------------------------------------------------- */

/**
 * Replaces a slot's type with the low 8 bits of mask; BIGUINT converts a value shorter than 8 bytes to a 64-bit integer.
 * @return 0; -1 when not found, busy (EAGAIN) or the conversion cannot fit (EMSGSIZE); -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_set_named_type(const char *key, uint16_t mask);

/**
 * Sets a slot's creation (mode SPL_TIME_CTIME) or access (SPL_TIME_ATIME) time to epoch - offset.
 * @return 0; -1 when not found or busy (EAGAIN); -2 with errno ENOTSUP for another mode, or for a NULL key or no store.
 */
SPLINTER_API int splinter_set_slot_time(const char *key, unsigned short mode, uint64_t epoch, size_t offset);

/**
 * Applies an integer operation to the 8 bytes of a BIGUINT slot.
 * @param mask pointer to an 8-byte operand, or NULL for 0.
 * @return 0; -1 when not found, not BIGUINT (EPROTOTYPE) or busy (EAGAIN); -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_integer_op(const char *key, splinter_integer_op_t op, const void *mask);

/**
 * Returns a live pointer to a key's value bytes inside the mapping.
 * @param out_sz receives the value length.
 * @param out_epoch receives the slot epoch (may be odd: check it before and after reading).
 * @return the pointer, or NULL when not found or without a store.
 */
SPLINTER_API const void *splinter_get_raw_ptr(const char *key, size_t *out_sz, uint64_t *out_epoch);

/**
 * Reads a key's slot epoch.
 * @return the epoch (never 0 for a live key), or 0 when not found or without a store.
 */
SPLINTER_API uint64_t splinter_get_epoch(const char *key);

/**
 * Advances a slot's epoch by 2 and pulses its signal groups, without touching the value.
 * @return 0; -1 when not found or busy; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_bump_slot(const char *key);

/**
 * Forces a slot's epoch to 4 (freeing a slot left odd by a dead writer), pulses and notifies.
 * @return 0; -1 when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_retrain_slot(const char *key);

/**
 * Marks a key as a system slot: type BINARY and value length max_val_sz.
 * @return 0; -1 when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_set_as_system(const char *key);

/**
 * Appends bytes to a key's value.
 * @param new_len receives the new length (may be NULL).
 * @return 0; -1 when not found, busy (EAGAIN) or too long (EMSGSIZE); -2 for NULL or empty data, a NULL key, or no store.
 */
SPLINTER_API int splinter_append(const char *key, const void *data, size_t data_len, size_t *new_len);

/* ---------------------------------------------------------------------------
 * Labels
 * ------------------------------------------------------------------------- */

/**
 * Adds label bits to a key.
 * @return 0; -1 when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_set_label(const char *key, uint64_t mask);

/**
 * Removes label bits from a key.
 * @return 0; -1 when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_unset_label(const char *key, uint64_t mask);

/**
 * Calls callback for every occupied slot whose labels include all bits of mask, in slot order.
 * @param callback receives a pointer to the key inside the mapping, the slot epoch and user_data; must not be NULL.
 */
SPLINTER_API void splinter_enumerate_matches(uint64_t mask, void (*callback)(const char *key, uint64_t epoch, void *data), void *user_data);

/* ---------------------------------------------------------------------------
 * Tandem keys: base, base.1, base.2, ...
 * ------------------------------------------------------------------------- */

/**
 * Writes vals[0] under base_key and vals[i] under "base_key.i" for i = 1..orders-1.
 * @return 0; -1 when any write fails (earlier writes are kept).
 */
SPLINTER_API int splinter_client_set_tandem(const char *base_key, const void **vals, const size_t *lens, uint8_t orders);

/** Removes base_key and "base_key.i" for i = 1..orders-1, ignoring failures. */
SPLINTER_API void splinter_client_unset_tandem(const char *base_key, uint8_t orders);

/* ---------------------------------------------------------------------------
 * Signal groups
 * ------------------------------------------------------------------------- */

/**
 * Makes writes to a key pulse a signal group.
 * @return 0; -1 when not found; -2 (errno EINVAL for a group id of 64 or more) for bad arguments or no store.
 */
SPLINTER_API int splinter_watch_register(const char *key, uint8_t group_id);

/**
 * Stops writes to a key from pulsing a signal group.
 * @return 0; -1 when not found; -2 for bad arguments or no store.
 */
SPLINTER_API int splinter_watch_unregister(const char *key, uint8_t group_id);

/**
 * Maps every label bit of bloom_mask to a signal group.
 * @return 0; -2 for a group id of 64 or more, or no store.
 */
SPLINTER_API int splinter_watch_label_register(uint64_t bloom_mask, uint8_t group_id);

/** Pulses the signal groups of a slot given by pointer (no checks). */
SPLINTER_API void splinter_pulse_watchers(struct splinter_slot *slot);

/**
 * Pulses the signal groups of a key without changing it.
 * @return 0; -1 when not found; -2 for a NULL key or no store.
 */
SPLINTER_API int splinter_pulse_keygroup(const char *key);

/**
 * Reads a signal group's counter.
 * @return the counter, or 0 for a group id of 64 or more or without a store.
 */
SPLINTER_API uint64_t splinter_get_signal_count(uint8_t group_id);

/* ---------------------------------------------------------------------------
 * Event bus. Only writes made by the owner process (the one that called
 * splinter_event_bus_init) set dirty bits and signal the eventfd.
 * ------------------------------------------------------------------------- */

/**
 * Creates the store's eventfd in this process and records this process as the bus owner.
 * @return 0; -1 without a store (errno unchanged) or when eventfd fails.
 */
SPLINTER_API int splinter_event_bus_init(void);

/**
 * Opens a descriptor for the owner's eventfd (dup in the owner, pidfd_getfd elsewhere). The caller owns it.
 * @return the descriptor; -1 with errno ENODEV (not armed), ESRCH (owner gone), EPERM or EBADF.
 */
SPLINTER_API int splinter_event_bus_open(void);

/**
 * Waits for the bus eventfd to become readable, then reads (and so resets) its counter.
 * @param timeout_ms milliseconds; UINT64_MAX waits forever.
 * @return 0 after a notification; -1 on timeout (errno unchanged) or error.
 */
SPLINTER_API int splinter_event_bus_wait(int fd, uint64_t timeout_ms);

/** Closes an event-bus descriptor if it is not negative. */
SPLINTER_API void splinter_event_bus_close(int fd);

/** Copies up to 16 words of the cumulative dirty mask into out. */
SPLINTER_API void splinter_event_bus_get_dirty(uint64_t *out, size_t words);

/* ---------------------------------------------------------------------------
 * Logic-shard bids and cooperative madvise
 * ------------------------------------------------------------------------- */

/**
 * Claims (or refreshes) a shard bid for this process, stamped with splinter_now().
 * @return 0; -1 with errno ENOSPC when the table is full; -2 for shard id 0 or no store.
 */
SPLINTER_API int splinter_shard_claim(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc);

/**
 * Claims (or refreshes) a shard bid with an explicit pid and claim time.
 * @return 0; -1 with errno ENOSPC when the table is full; -2 for shard id 0 or no store.
 */
SPLINTER_API int splinter_shard_claim_ex(uint32_t shard_id, uint32_t pid, uint8_t intent, uint8_t priority, uint64_t duration_tsc, uint64_t claimed_at);

/**
 * Renews an existing bid with a new intent, priority and window starting now.
 * @return 0; -1 when no record holds the id; -2 for id 0 or no store.
 */
SPLINTER_API int splinter_shard_rebid(uint32_t shard_id, uint8_t intent, uint8_t priority, uint64_t duration_tsc);

/**
 * Frees the first record holding the id.
 * @return 0; -1 when no record holds the id; -2 for id 0 or no store.
 */
SPLINTER_API int splinter_shard_release(uint32_t shard_id);

/**
 * Elects the winning live bid: highest priority, then earliest claim, then lowest pid.
 * @param out_intent receives the winner's intent (0 if none); may be NULL.
 * @return the winning shard id, or 0.
 */
SPLINTER_API uint32_t splinter_shard_election(uint8_t *out_intent);

/**
 * Tells whether a shard currently wins the election.
 * @return 1 if it wins, 0 if not; -2 without a store.
 */
SPLINTER_API int splinter_shard_is_sovereign(uint32_t shard_id);

/**
 * Copies up to max bid records with their expiry and sovereignty.
 * @return the number of records written; -2 for a NULL buffer or no store.
 */
SPLINTER_API int splinter_shard_table_snapshot(struct splinter_shard_bid_snapshot *out, size_t max);

/**
 * Waits until shard_id wins the election, then applies posix_madvise(addr, len, advice).
 * @param addr start of the range, or NULL for the whole value arena.
 * @param timeout_ticks 0 tries once, UINT64_MAX waits forever.
 * @return 0; -1 with errno EAGAIN, ETIMEDOUT or the madvise error; -2 (EINVAL) for an unknown shard or no store.
 */
SPLINTER_API int splinter_madvise(uint32_t shard_id, void *addr, size_t len, int advice, uint64_t timeout_ticks);

#ifdef SPLINTER_EMBEDDINGS
/**
 * Replaces a key's embedding vector.
 * @param embedding SPLINTER_EMBED_DIM floats.
 * @return 0; -1 when not found or busy; -2 for NULL arguments or no store.
 */
SPLINTER_API int splinter_set_embedding(const char *key, const float *embedding);

/**
 * Copies a key's embedding vector.
 * @param embedding_out room for SPLINTER_EMBED_DIM floats.
 * @return 0; -1 when not found or torn (EAGAIN); -2 for NULL arguments or no store.
 */
SPLINTER_API int splinter_get_embedding(const char *key, float *embedding_out);
#endif

#ifdef SPLINTER_NUMA_AFFINITY
/**
 * Maps an shm store bound to a NUMA node without making it the current store.
 * Declared for completeness: the Splinter.Interop build of the library does not provide it.
 */
SPLINTER_API void *splinter_open_numa(const char *name, int target_node);
#endif

#ifdef __cplusplus
}
#endif

#endif /* SPLINTER_H */
