/*
 * support.h - helpers shared by the conformance tests: unique store names per variant,
 * a second raw mapping of a store's backing object, pointers derived from the library's
 * own mapping, descriptor counting and re-execution of this binary as a second process.
 *
 * Variant: compiled with -DSPLINTER_TEST_PERSISTENT the names are file paths inside the
 * test's private folder; otherwise they are shm names "/spl_t_<pid>_<n>".
 */
#ifndef SPLINTER_TEST_SUPPORT_H
#define SPLINTER_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "splinter.h"

struct spl_counts {
    int passed;
    int failed;
    int skipped;
};

/* Golden comparison (test_golden.c): adds one result per line of expected.txt. */
void spl_run_golden(struct spl_counts *counts);

/* Closes the store, unmaps raw mappings, reaps spawned children, removes every store. */
void spl_test_cleanup(void);

#define SPL_HEADER_BYTES 5440u
#define SPL_SLOT_BYTES sizeof(struct splinter_slot)

/* A new unique store name for this variant, removed at cleanup (whether it exists or not). */
const char *spl_new_name(void);
/* Path of the backing object of a store name (/dev/shm/... or the file itself). */
const char *spl_path_of(const char *name);
/* Creates a store with a new name (checked) and returns the name. */
const char *spl_create_store(size_t slots, size_t max_val_sz);
/* Writes a backing object by hand (for bad-magic and truncated stores). */
void spl_write_object(const char *name, const void *bytes, size_t len);
/* Removes a store's backing object now. */
void spl_remove_object(const char *name);

/* A second read/write MAP_SHARED mapping of the whole backing object; unmapped at cleanup. */
struct splinter_header *spl_map_raw(const char *name);
struct splinter_slot *spl_slot_at(struct splinter_header *hdr, size_t index);
unsigned char *spl_values_of(struct splinter_header *hdr);

/* The header inside the LIBRARY's mapping, derived from a live key (raw pointer - val_off). */
struct splinter_header *spl_lib_header(const char *key);
/* Physical slot index of a live key (from its slot snapshot; values never move in our build). */
size_t spl_slot_index_of(const char *key);

uint64_t spl_fnv1a(const char *key);
uint64_t spl_header_epoch(void);
/* Finds a key "<prefix><n>" whose start index in a store of `slots` slots is `index`. */
void spl_key_with_index(char *out, size_t out_sz, const char *prefix, size_t slots, size_t index, int skip);

int spl_count_fds(void);
/* Re-executes this binary as "--child <command> args..." (args NULL-terminated). */
pid_t spl_spawn(const char *command, const char *const *args);
/* Waits for a spawned child: its exit status, 128+signal, or -1 after timeout_s (child killed). */
int spl_wait_child(pid_t pid, int timeout_s);

void spl_sleep_ms(long ms);

#endif
