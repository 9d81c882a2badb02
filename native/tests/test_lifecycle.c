/* Checklist items 6-16: create, open, close, the initial image, umask, persistent paths. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

static off_t object_size(const char *name) {
    struct stat st;
    SPL_CHECK_MSG(stat(spl_path_of(name), &st) == 0, "stat %s", spl_path_of(name));
    return st.st_size;
}

static int object_exists(const char *name) {
    struct stat st;
    return stat(spl_path_of(name), &st) == 0;
}

static mode_t object_mode(const char *name) {
    struct stat st;
    SPL_CHECK(stat(spl_path_of(name), &st) == 0);
    return st.st_mode & 0777;
}

SPL_TEST(c06_create_8x100_object_is_7264_bytes) {
    const char *name = spl_new_name();
    SPL_CHECK_EQ(splinter_create(name, 8, 100), 0);
    SPL_CHECK_EQ(object_size(name), 7264);
    /* The rest of the geometry (native/FORMAT.md, "Regions"). */
    splinter_close();
    const char *other = spl_new_name();
    SPL_CHECK_EQ(splinter_create(other, 4, 64), 0);
    SPL_CHECK_EQ(object_size(other), 6208);
}

SPL_TEST(c07_zero_geometry_returns_minus2_enotsup_creates_nothing) {
    const char *name = spl_new_name();
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, 0, 64), -2);
    SPL_CHECK_ERRNO(ENOTSUP);
    SPL_CHECK(!object_exists(name));
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, 8, 0), -2);
    SPL_CHECK_ERRNO(ENOTSUP);
    SPL_CHECK(!object_exists(name));
    SPL_CHECK_EQ(splinter_get_mop(), -2); /* nothing installed */
}

SPL_TEST(c08_create_existing_fails_eexist_contents_unchanged) {
    const char *name = spl_create_store(8, 100);
    SPL_CHECK_EQ(splinter_set("keep", "original", 8), 0);
    splinter_close();
    errno = 0;
    SPL_CHECK_EQ(splinter_create(name, 4, 64), -1);
    SPL_CHECK_ERRNO(EEXIST);
    SPL_CHECK_EQ(object_size(name), 7264);
    SPL_CHECK_EQ(splinter_open(name), 0);
    char buf[16] = {0};
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("keep", buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 8);
    SPL_CHECK(memcmp(buf, "original", 8) == 0);
    splinter_header_snapshot_t hs;
    SPL_CHECK_EQ(splinter_get_header_snapshot(&hs), 0);
    SPL_CHECK_EQ(hs.slots, 8);
    SPL_CHECK_EQ(hs.max_val_sz, 100);
}

SPL_TEST(c09_header_snapshot_after_create) {
    spl_create_store(8, 100);
    splinter_header_snapshot_t hs;
    memset(&hs, 0xAA, sizeof hs);
    SPL_CHECK_EQ(splinter_get_header_snapshot(&hs), 0);
    SPL_CHECK_EQ(hs.magic, 0x534C4E54u);
    SPL_CHECK_EQ(hs.version, 4);
    SPL_CHECK_EQ(hs.slots, 8);
    SPL_CHECK_EQ(hs.max_val_sz, 100);
    SPL_CHECK_EQ(hs.epoch, 1);
    SPL_CHECK_EQ(hs.core_flags, 3);
    SPL_CHECK_EQ(hs.user_flags, 0);
    SPL_CHECK_EQ(hs.parse_failures, 0);
    SPL_CHECK_EQ(hs.last_failure_epoch, 0);
}

SPL_TEST(c10_get_mop_after_create_is_1) {
    spl_create_store(8, 100);
    SPL_CHECK_EQ(splinter_get_mop(), 1);
}

SPL_TEST(c11_raw_header_after_create) {
    const char *name = spl_create_store(8, 100);
    struct splinter_header *h = spl_map_raw(name);
    for (int b = 0; b < 64; b++) SPL_CHECK_EQ(atomic_load(&h->bloom_watches[b]), 0xFF);
    SPL_CHECK_EQ(atomic_load(&h->event_bus.owner_fd), -1);
    SPL_CHECK_EQ(atomic_load(&h->event_bus.owner_pid), 0);
    SPL_CHECK_EQ(atomic_load(&h->val_brk), 0);
    SPL_CHECK_EQ(h->val_sz, 7264);
    SPL_CHECK_EQ(h->alignment, 0);
    for (int g = 0; g < 64; g++) SPL_CHECK_EQ(atomic_load(&h->signal_groups[g].counter), 0);
    for (int w = 0; w < 16; w++) SPL_CHECK_EQ(atomic_load(&h->event_bus.dirty_mask[w]), 0);
    for (int b = 0; b < 32; b++) {
        SPL_CHECK_EQ(atomic_load(&h->shard_bids[b].shard_id), 0);
        SPL_CHECK_EQ(atomic_load(&h->shard_bids[b].claimed_at), 0);
    }
}

SPL_TEST(c12_raw_slots_after_create) {
    const char *name = spl_create_store(8, 100);
    struct splinter_header *h = spl_map_raw(name);
    for (size_t i = 0; i < 8; i++) {
        struct splinter_slot *s = spl_slot_at(h, i);
        SPL_CHECK_EQ(s->val_off, i * 100);
        SPL_CHECK_EQ(atomic_load(&s->type_flag), 1);
        SPL_CHECK_EQ(atomic_load(&s->epoch), 0);
        SPL_CHECK_EQ(atomic_load(&s->hash), 0);
        SPL_CHECK_EQ(atomic_load(&s->val_len), 0);
        SPL_CHECK_EQ(s->key[0], 0);
    }
}

SPL_TEST(c13_close_then_open_keeps_keys_and_object) {
    const char *name = spl_create_store(8, 100);
    SPL_CHECK_EQ(splinter_set("a", "alpha", 5), 0);
    SPL_CHECK_EQ(splinter_set("b", "beta", 4), 0);
    splinter_close();
    SPL_CHECK_EQ(splinter_get_epoch("a"), 0); /* closed: no store */
    /* shm: the object is still in /dev/shm; persistent: the file is still on disk. */
    SPL_CHECK(object_exists(name));
    SPL_CHECK_EQ(splinter_open(name), 0);
    char buf[16];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("a", buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 5);
    SPL_CHECK(memcmp(buf, "alpha", 5) == 0);
    SPL_CHECK_EQ(splinter_get("b", buf, sizeof buf, &n), 0);
    SPL_CHECK(memcmp(buf, "beta", 4) == 0);
    SPL_CHECK_EQ(splinter_get_epoch("a"), 2);
}

static void write_store_image(const char *name, uint32_t magic, uint32_t version) {
    /* A well-sized 8 x 100 image whose header carries the given magic/version. */
    size_t len = 7264;
    unsigned char *img = calloc(1, len);
    SPL_CHECK(img != NULL);
    struct splinter_header *h = (struct splinter_header *)img;
    h->magic = magic;
    h->version = version;
    h->slots = 8;
    h->max_val_sz = 100;
    h->val_sz = (uint32_t)len;
    spl_write_object(name, img, len);
    free(img);
}

SPL_TEST(c14_open_bad_magic_returns_minus1_errno_unchanged) {
    const char *name = spl_new_name();
    write_store_image(name, 0x12345678u, 4);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_open(name), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    splinter_close();
    /* Same for a wrong data-format version. */
    const char *old = spl_new_name();
    write_store_image(old, 0x534C4E54u, 3);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_open(old), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
}

SPL_TEST(c15_default_umask_env) {
    umask(022);
    setenv("SPLINTER_DEFAULT_UMASK", "077", 1);
    const char *a = spl_create_store(4, 64);
    SPL_CHECK_EQ(object_mode(a), 0600);
    mode_t now = umask(022);
    SPL_CHECK_EQ(now, 022); /* the process umask was restored */
    splinter_close();

    setenv("SPLINTER_DEFAULT_UMASK", "027", 1);
    const char *b = spl_create_store(4, 64);
    SPL_CHECK_EQ(object_mode(b), 0640);
    splinter_close();

    setenv("SPLINTER_DEFAULT_UMASK", "abc", 1);
    const char *c = spl_create_store(4, 64);
    SPL_CHECK_EQ(object_mode(c), 0644); /* ignored: follows the inherited umask 022 */
    splinter_close();

    setenv("SPLINTER_DEFAULT_UMASK", "999", 1);
    const char *d = spl_create_store(4, 64);
    SPL_CHECK_EQ(object_mode(d), 0644);
    splinter_close();

    setenv("SPLINTER_DEFAULT_UMASK", "0", 1);
    const char *e = spl_create_store(4, 64);
    SPL_CHECK_EQ(object_mode(e), 0666);
    now = umask(022);
    SPL_CHECK_EQ(now, 022);
    unsetenv("SPLINTER_DEFAULT_UMASK");
}

#ifdef SPLINTER_TEST_PERSISTENT
SPL_TEST(c16_persistent_create_over_existing_path_or_symlink_eexist) {
    const char *plain = spl_new_name();
    spl_write_object(plain, "x", 1);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(plain, 4, 64), -1);
    SPL_CHECK_ERRNO(EEXIST);
    SPL_CHECK_EQ(object_size(plain), 1);

    /* A dangling symlink is refused too, and its target is not created. */
    const char *target = spl_new_name();
    const char *link = spl_new_name();
    SPL_CHECK(symlink(target, link) == 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(link, 4, 64), -1);
    SPL_CHECK_ERRNO(EEXIST);
    SPL_CHECK(access(target, F_OK) != 0);

    /* A symlink to a real store is refused by create but followed by open, as upstream. */
    const char *store = spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    splinter_close();
    const char *link2 = spl_new_name();
    SPL_CHECK(symlink(store, link2) == 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(link2, 4, 64), -1);
    SPL_CHECK_ERRNO(EEXIST);
    SPL_CHECK_EQ(splinter_open(link2), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
}
#else
SPL_TEST(x_shm_name_rules) {
    /* "foo" and "/foo" are the same object; an inner '/' is EINVAL. */
    const char *name = spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    splinter_close();
    SPL_CHECK_EQ(splinter_open(name + 1), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
    splinter_close();
    char bad[128];
    snprintf(bad, sizeof bad, "%s/inner", name);
    errno = 0;
    SPL_CHECK_EQ(splinter_create(bad, 4, 64), -1);
    SPL_CHECK_ERRNO(EINVAL);
    errno = 0;
    SPL_CHECK_EQ(splinter_open(bad), -1);
    SPL_CHECK_ERRNO(EINVAL);
}
#endif

SPL_TEST(x_open_missing_store_enoent) {
    const char *name = spl_new_name();
    errno = 0;
    SPL_CHECK_EQ(splinter_open(name), -1);
    SPL_CHECK_ERRNO(ENOENT);
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}

SPL_TEST(x_create_or_open_and_open_or_create) {
    const char *name = spl_new_name();
    /* create_or_open on a new name creates it. */
    SPL_CHECK_EQ(splinter_create_or_open(name, 8, 100), 0);
    SPL_CHECK_EQ(object_size(name), 7264);
    SPL_CHECK_EQ(splinter_set("k", "first", 5), 0);
    splinter_close();
    /* ... on an existing one opens it: result 0 with errno EEXIST from the failed create. */
    errno = 0;
    SPL_CHECK_EQ(splinter_create_or_open(name, 4, 64), 0);
    SPL_CHECK_ERRNO(EEXIST);
    SPL_CHECK_EQ(object_size(name), 7264);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
    splinter_close();
    /* open_or_create on an existing name opens it... */
    SPL_CHECK_EQ(splinter_open_or_create(name, 4, 64), 0);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 2);
    splinter_close();
    /* ... and on a missing one creates it. */
    const char *fresh = spl_new_name();
    SPL_CHECK_EQ(splinter_open_or_create(fresh, 4, 64), 0);
    SPL_CHECK_EQ(object_size(fresh), 6208);
    SPL_CHECK_EQ(splinter_get_epoch("k"), 0);
    splinter_close();
    /* create_or_open falls through to open after a -2 argument error, as upstream. */
    const char *missing = spl_new_name();
    errno = 0;
    SPL_CHECK_EQ(splinter_create_or_open(missing, 0, 64), -1);
    SPL_CHECK_ERRNO(ENOENT);
    SPL_CHECK(!object_exists(missing));
}

SPL_TEST(x_close_twice_and_without_store_is_harmless) {
    splinter_close();
    spl_create_store(4, 64);
    splinter_close();
    splinter_close();
    SPL_CHECK_EQ(splinter_get_mop(), -2);
}
