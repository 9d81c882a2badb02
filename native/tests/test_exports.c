/*
 * The library under test exports exactly the 56 functions of exports.txt (every one of them
 * is also called by some test), plus the two embedding functions exactly in the embeddings
 * flavour, never splinter_open_numa, and our one extension (exports-extensions.txt), which
 * answers as splinter_set does.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include <string.h>

#include "harness.h"
#include "support.h"

/* The extension is declared in src/internal.h, not in the upstream header the tests include. */
int splinter_set_hashed(const char *key, size_t key_len, uint64_t hash, const void *val, size_t len);

static const char *const exported[] = {
    "splinter_create", "splinter_open", "splinter_create_or_open", "splinter_open_or_create",
    "splinter_close", "splinter_set_mop", "splinter_get_mop", "splinter_purge", "splinter_set",
    "splinter_unset", "splinter_get", "splinter_list", "splinter_poll",
    "splinter_get_header_snapshot", "splinter_get_slot_snapshot", "splinter_config_set",
    "splinter_config_clear", "splinter_config_test", "splinter_config_snapshot",
    "splinter_slot_usr_set", "splinter_slot_usr_clear", "splinter_slot_usr_test",
    "splinter_slot_usr_snapshot", "splinter_set_named_type", "splinter_set_slot_time",
    "splinter_integer_op", "splinter_get_raw_ptr", "splinter_get_epoch", "splinter_bump_slot",
    "splinter_retrain_slot", "splinter_set_label", "splinter_unset_label",
    "splinter_client_set_tandem", "splinter_client_unset_tandem", "splinter_watch_register",
    "splinter_watch_unregister", "splinter_watch_label_register", "splinter_pulse_watchers",
    "splinter_pulse_keygroup", "splinter_get_signal_count", "splinter_enumerate_matches",
    "splinter_event_bus_init", "splinter_event_bus_open", "splinter_event_bus_wait",
    "splinter_event_bus_close", "splinter_event_bus_get_dirty", "splinter_set_as_system",
    "splinter_append", "splinter_shard_claim", "splinter_shard_claim_ex", "splinter_shard_rebid",
    "splinter_shard_release", "splinter_shard_election", "splinter_shard_is_sovereign",
    "splinter_shard_table_snapshot", "splinter_madvise",
};

SPL_TEST(x_exports_the_56_functions) {
    SPL_CHECK_EQ(sizeof exported / sizeof exported[0], 56);
    for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++)
        SPL_CHECK_MSG(dlsym(RTLD_DEFAULT, exported[i]) != NULL, "%s is not exported", exported[i]);
#ifdef SPLINTER_EMBEDDINGS
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_set_embedding") != NULL);
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_get_embedding") != NULL);
#else
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_set_embedding") == NULL);
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_get_embedding") == NULL);
#endif
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_open_numa") == NULL);
}

SPL_TEST(x_set_hashed_answers_as_set) {
    SPL_CHECK(dlsym(RTLD_DEFAULT, "splinter_set_hashed") != NULL);
    spl_create_store(8, 16);
    const char *key = "hashed-key";
    SPL_CHECK_EQ(splinter_set_hashed(key, strlen(key), spl_fnv1a(key), "one", 3), 0);
    char buf[16];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(key, buf, sizeof buf, &n), 0);
    SPL_CHECK(n == 3 && memcmp(buf, "one", 3) == 0);
    uint64_t epoch = splinter_get_epoch(key);
    /* An overwrite finds the key splinter_set would (same slot, epoch +2), and splinter_set finds what it wrote. */
    SPL_CHECK_EQ(splinter_set_hashed(key, strlen(key), spl_fnv1a(key), "two!", 4), 0);
    SPL_CHECK_EQ(splinter_get_epoch(key), epoch + 2);
    SPL_CHECK_EQ(splinter_set(key, "three", 5), 0);
    SPL_CHECK_EQ(splinter_get(key, buf, sizeof buf, &n), 0);
    SPL_CHECK(n == 5 && memcmp(buf, "three", 5) == 0);
    SPL_CHECK_EQ(splinter_get_epoch(key), epoch + 4);
    /* The same answers as splinter_set for bad arguments. */
    SPL_CHECK_EQ(splinter_set_hashed(NULL, 0, 0, "v", 1), -2);
    SPL_CHECK_EQ(splinter_set_hashed(key, strlen(key), spl_fnv1a(key), "v", 0), -1);
    SPL_CHECK_EQ(splinter_set_hashed(key, strlen(key), spl_fnv1a(key), "v", 17), -1);
    SPL_CHECK_EQ(splinter_set_hashed(key, strlen(key), spl_fnv1a(key), NULL, 1), -2);
}
