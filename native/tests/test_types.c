/*
 * Checklist items 46-53: slot times, named types and BIGUINT promotion, integer ops,
 * system slots, raw pointers; plus the raw-pointer flag helpers and the tandem helpers.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "support.h"

static uint64_t read_u64(const char *key) {
    uint64_t v = 0;
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(key, &v, sizeof v, &n), 0);
    SPL_CHECK_EQ(n, 8);
    return v;
}

static uint8_t type_of(const char *key) {
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot(key, &snap), 0);
    return snap.type_flag;
}

SPL_TEST(c46_set_slot_time_ctime_atime_and_bad_mode) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_CTIME, 1000, 10), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_ATIME, 5, 10), 0);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.ctime, 990);
    SPL_CHECK_EQ(snap.atime, 18446744073709551611ULL); /* 5 - 10 wraps */
    errno = 0;
    SPL_CHECK_EQ(splinter_set_slot_time("k", 2, 1, 0), -2);
    SPL_CHECK_ERRNO(ENOTSUP);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_set_slot_time("missing", 2, 1, 0), -1); /* not found wins */
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    SPL_CHECK_EQ(splinter_set_slot_time(NULL, 0, 1, 0), -2);
}

static void promote_and_expect(const char *key, const char *text, uint64_t want) {
    SPL_CHECK_EQ(splinter_set(key, text, strlen(text)), 0);
    SPL_CHECK_EQ(splinter_set_named_type(key, SPL_SLOT_TYPE_BIGUINT), 0);
    SPL_CHECK_EQ(type_of(key), SPL_SLOT_TYPE_BIGUINT);
    SPL_CHECK_MSG(read_u64(key) == want, "promotion of \"%s\": got 0x%llx, want 0x%llx", text,
                  (unsigned long long)read_u64(key), (unsigned long long)want);
}

SPL_TEST(c47_biguint_promotion_values) {
    const char *name = spl_create_store(16, 64);
    struct splinter_header *h = spl_map_raw(name);
    promote_and_expect("p42", "42", 42);
    promote_and_expect("p010", "010", 8);
    promote_and_expect("p0x1f", "0x1f", 31);
    promote_and_expect("pabc", "abc", 0x636261);
    promote_and_expect("p1234567", "1234567", 1234567);
    /* 8 bytes or more: not moved, only reinterpreted. */
    SPL_CHECK_EQ(splinter_set("p8", "12345678", 8), 0);
    splinter_slot_snapshot_t before;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("p8", &before), 0);
    uint32_t brk = atomic_load(&h->val_brk);
    SPL_CHECK_EQ(splinter_set_named_type("p8", SPL_SLOT_TYPE_BIGUINT), 0);
    splinter_slot_snapshot_t after;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("p8", &after), 0);
    SPL_CHECK_EQ(after.val_off, before.val_off);
    SPL_CHECK_EQ(atomic_load(&h->val_brk), brk);
    SPL_CHECK_EQ(read_u64("p8"), 0x3837363534333231ULL);
}

/*
 * Replaces checklist item 48. Upstream relocates a promoted value to VALUES + val_brk
 * (val_brk starting at 0), overwriting slot 0's value. Our library promotes in place
 * inside the slot's own region and leaves val_brk alone (native/README.md, divergence 1), so: the slot keeps its val_off, val_brk stays 0,
 * and slot 0's value survives the promotion and later integer ops.
 */
SPL_TEST(c48_promotion_in_place_keeps_slot_0_and_val_brk) {
    const char *name = spl_create_store(8, 64);
    struct splinter_header *h = spl_map_raw(name);
    char zero_key[32], num_key[32];
    spl_key_with_index(zero_key, sizeof zero_key, "zero", 8, 0, 0);
    spl_key_with_index(num_key, sizeof num_key, "num", 8, 4, 0);
    SPL_CHECK_EQ(splinter_set(zero_key, "slot zero value", 15), 0);
    SPL_CHECK_EQ(spl_slot_index_of(zero_key), 0);
    SPL_CHECK_EQ(splinter_set(num_key, "42", 2), 0);
    SPL_CHECK_EQ(splinter_set_named_type(num_key, SPL_SLOT_TYPE_BIGUINT), 0);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot(num_key, &snap), 0);
    SPL_CHECK_EQ(snap.val_off, 4 * 64);
    SPL_CHECK_EQ(snap.val_len, 8);
    SPL_CHECK_EQ(atomic_load(&h->val_brk), 0);
    uint64_t one = 1;
    for (int i = 0; i < 3; i++) SPL_CHECK_EQ(splinter_integer_op(num_key, SPL_OP_INC, &one), 0);
    SPL_CHECK_EQ(read_u64(num_key), 45);
    char buf[32];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(zero_key, buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 15);
    SPL_CHECK(memcmp(buf, "slot zero value", 15) == 0);
}

/* Divergence companion of item 48 (native/README.md row 1): a BIGUINT cannot fit a region
 * smaller than 8 bytes, so promotion fails with EMSGSIZE. */
SPL_TEST(d_promotion_refused_when_max_val_sz_below_8) {
    spl_create_store(4, 4);
    SPL_CHECK_EQ(splinter_set("k", "7", 1), 0);
    uint64_t slot = splinter_get_epoch("k");
    errno = 0;
    SPL_CHECK_EQ(splinter_set_named_type("k", SPL_SLOT_TYPE_BIGUINT), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    char buf[4];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("k", buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 1);
    SPL_CHECK_EQ(buf[0], '7');
    SPL_CHECK_EQ(type_of("k"), SPL_SLOT_TYPE_VOID); /* type unchanged */
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);  /* acquired then released, as upstream's failure */
}

SPL_TEST(c49_integer_op_without_biguint_eprototype) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "12345678", 8), 0);
    uint64_t one = 1;
    uint64_t slot = splinter_get_epoch("k");
    errno = 0;
    SPL_CHECK_EQ(splinter_integer_op("k", SPL_OP_INC, &one), -1);
    SPL_CHECK_ERRNO(EPROTOTYPE);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(splinter_integer_op("missing", SPL_OP_INC, &one), -1);
    SPL_CHECK_EQ(splinter_integer_op(NULL, SPL_OP_INC, &one), -2);
}

static void op_and_expect(splinter_integer_op_t op, uint64_t operand, uint64_t want) {
    uint64_t slot = splinter_get_epoch("n");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_integer_op("n", op, &operand), 0);
    SPL_CHECK_EQ(read_u64("n"), want);
    SPL_CHECK_EQ(splinter_get_epoch("n"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
}

SPL_TEST(c50_integer_ops_wrap_not_ignores_operand_epochs_advance) {
    spl_create_store(8, 32);
    uint64_t all = UINT64_MAX;
    SPL_CHECK_EQ(splinter_set("n", &all, 8), 0);
    SPL_CHECK_EQ(splinter_set_named_type("n", SPL_SLOT_TYPE_BIGUINT), 0);
    SPL_CHECK_EQ(read_u64("n"), UINT64_MAX);
    op_and_expect(SPL_OP_INC, 1, 0);
    op_and_expect(SPL_OP_DEC, 1, UINT64_MAX);
    op_and_expect(SPL_OP_AND, 0xF0F0, 0xF0F0);
    op_and_expect(SPL_OP_OR, 0x0F00, 0xFFF0);
    op_and_expect(SPL_OP_XOR, 0x00FF, 0xFF0F);
    op_and_expect(SPL_OP_NOT, 0x1234, ~0xFF0FULL);
    op_and_expect(SPL_OP_INC, 5, ~0xFF0FULL + 5);
    /* NULL operand = 0: INC changes nothing but still advances the epochs. */
    uint64_t slot = splinter_get_epoch("n");
    SPL_CHECK_EQ(splinter_integer_op("n", SPL_OP_INC, NULL), 0);
    SPL_CHECK_EQ(read_u64("n"), ~0xFF0FULL + 5);
    SPL_CHECK_EQ(splinter_get_epoch("n"), slot + 2);
    /* Unknown op: no change, still 0 and epochs advance, as upstream. */
    op_and_expect((splinter_integer_op_t)99, 7, ~0xFF0FULL + 5);
}

SPL_TEST(c51_named_type_stores_low_byte_of_mask) {
    spl_create_store(8, 32);
    SPL_CHECK_EQ(splinter_set("k", "12345678", 8), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_set_named_type("k", 0x104), 0);
    SPL_CHECK_EQ(type_of("k"), 4);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot + 2);
    SPL_CHECK_EQ(spl_header_epoch(), global + 1);
    SPL_CHECK_EQ(splinter_set_named_type("k", 0x0C), 0);
    SPL_CHECK_EQ(type_of("k"), 12); /* replaces, does not OR */
    SPL_CHECK_EQ(splinter_set_named_type("missing", 1), -1);
    SPL_CHECK_EQ(splinter_set_named_type(NULL, 1), -2);
}

SPL_TEST(c52_set_as_system_binary_type_full_length_same_epoch) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "abc", 3), 0);
    uint64_t slot = splinter_get_epoch("k");
    uint64_t global = spl_header_epoch();
    SPL_CHECK_EQ(splinter_set_as_system("k"), 0);
    SPL_CHECK_EQ(type_of("k"), SPL_SLOT_TYPE_BINARY);
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("k", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 64);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(spl_header_epoch(), global);
    SPL_CHECK_EQ(splinter_set_as_system("missing"), -1);
}

SPL_TEST(c53_raw_ptr_missing_key_null_outputs_untouched) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "abc", 3), 0);
    size_t sz = 777;
    uint64_t ep = 888;
    SPL_CHECK(splinter_get_raw_ptr("missing", &sz, &ep) == NULL);
    SPL_CHECK_EQ(sz, 777);
    SPL_CHECK_EQ(ep, 888);
    SPL_CHECK(splinter_get_raw_ptr(NULL, &sz, &ep) == NULL);
    /* Found: a live pointer to the value, its length and the slot epoch. */
    const char *p = splinter_get_raw_ptr("k", &sz, &ep);
    SPL_CHECK(p != NULL);
    SPL_CHECK_EQ(sz, 3);
    SPL_CHECK_EQ(ep, 2);
    SPL_CHECK(memcmp(p, "abc", 3) == 0);
    SPL_CHECK_EQ(splinter_set("k", "xyz", 3), 0);
    SPL_CHECK(memcmp(p, "xyz", 3) == 0);
}

SPL_TEST(x_config_helpers_on_library_header) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    struct splinter_header *h = spl_lib_header("k");
    SPL_CHECK_EQ(h->magic, 0x534C4E54u);
    SPL_CHECK_EQ(splinter_config_snapshot(h), 3);
    SPL_CHECK_EQ(splinter_config_test(h, SPL_SYS_AUTO_SCRUB), 1);
    SPL_CHECK_EQ(splinter_config_test(h, SPL_SYS_RESERVED_2), 0);
    uint64_t global = spl_header_epoch();
    splinter_config_clear(h, SPL_SYS_HYBRID_SCRUB);
    SPL_CHECK_EQ(splinter_config_snapshot(h), 1);
    SPL_CHECK_EQ(splinter_get_mop(), 2);
    splinter_config_set(h, SPL_SYS_RESERVED_2 | SPL_SYS_HYBRID_SCRUB);
    SPL_CHECK_EQ(splinter_config_snapshot(h), 0x07);
    SPL_CHECK_EQ(splinter_config_test(h, SPL_SYS_RESERVED_2), 1);
    /* HYBRID without AUTO still reports mode 1, as upstream. */
    splinter_config_clear(h, SPL_SYS_AUTO_SCRUB | SPL_SYS_RESERVED_2);
    SPL_CHECK_EQ(splinter_config_snapshot(h), 0x02);
    SPL_CHECK_EQ(splinter_get_mop(), 1);
    SPL_CHECK_EQ(spl_header_epoch(), global);
}

SPL_TEST(x_slot_user_flag_helpers_use_low_byte) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    struct splinter_header *h = spl_lib_header("k");
    struct splinter_slot *s = spl_slot_at(h, spl_slot_index_of("k"));
    SPL_CHECK(strcmp(s->key, "k") == 0);
    uint64_t slot = splinter_get_epoch("k");
    splinter_slot_usr_set(s, 0x0105); /* upper byte ignored */
    SPL_CHECK_EQ(splinter_slot_usr_snapshot(s), 0x05);
    SPL_CHECK_EQ(splinter_slot_usr_test(s, SPL_FUSR3), 1);
    SPL_CHECK_EQ(splinter_slot_usr_test(s, SPL_FUSR2), 0);
    SPL_CHECK_EQ(splinter_slot_usr_test(s, 0x0100), 0);
    splinter_slot_usr_clear(s, 0x0101);
    SPL_CHECK_EQ(splinter_slot_usr_snapshot(s), 0x04);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.user_flag, 0x04);
    SPL_CHECK_EQ(splinter_get_epoch("k"), slot);
    SPL_CHECK_EQ(splinter_unset("k"), 1);
    SPL_CHECK_EQ(splinter_slot_usr_snapshot(s), 0);
}

SPL_TEST(x_tandem_set_and_unset) {
    spl_create_store(16, 32);
    const void *vals[3] = {"a", "bb", "ccc"};
    size_t lens[3] = {1, 2, 3};
    SPL_CHECK_EQ(splinter_client_set_tandem("car", vals, lens, 3), 0);
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("car", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 1);
    SPL_CHECK_EQ(splinter_get("car.1", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 2);
    SPL_CHECK_EQ(splinter_get("car.2", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 3);
    SPL_CHECK_EQ(splinter_get_epoch("car.3"), 0);
    /* orders 0 still writes the base key, as upstream. */
    const void *one[1] = {"solo"};
    size_t one_len[1] = {4};
    SPL_CHECK_EQ(splinter_client_set_tandem("bike", one, one_len, 0), 0);
    SPL_CHECK_EQ(splinter_get("bike", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 4);
    /* A failing write reports -1 (never -2), earlier writes are kept. */
    size_t bad_lens[2] = {1, 0};
    const void *bad_vals[2] = {"x", "y"};
    SPL_CHECK_EQ(splinter_client_set_tandem("bus", bad_vals, bad_lens, 2), -1);
    SPL_CHECK_EQ(splinter_get_epoch("bus"), 2);
    SPL_CHECK_EQ(splinter_client_set_tandem(NULL, vals, lens, 1), -1);

    splinter_client_unset_tandem("car", 3);
    SPL_CHECK_EQ(splinter_get_epoch("car"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("car.1"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("car.2"), 0);
    SPL_CHECK_EQ(splinter_get_epoch("bike"), 2);
}
