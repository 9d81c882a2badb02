/*
 * Observable contract beyond the checklist: busy-slot results, probing details, which
 * operations signal the bus and pulse which groups, environment details, fork inheritance
 * and a stale bus owner.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support.h"

static struct splinter_slot *slot_of(struct splinter_header *h, const char *key) {
    return spl_slot_at(h, spl_slot_index_of(key));
}

/* 6.2: what each operation does when the key's slot is busy (odd epoch). */
SPL_TEST(x_busy_slot_results_per_operation) {
    const char *name = spl_create_store(8, 64);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_set("plain", "v", 1), 0);
    SPL_CHECK_EQ(splinter_set("num", "5", 1), 0);
    SPL_CHECK_EQ(splinter_set_named_type("num", SPL_SLOT_TYPE_BIGUINT), 0);
    struct splinter_slot *p = slot_of(h, "plain"), *n = slot_of(h, "num");
    atomic_fetch_add(&p->epoch, 1);
    atomic_fetch_add(&n->epoch, 1);
    uint64_t busy_epoch = atomic_load(&p->epoch);
    char buf[8];
    size_t len = 0;
    uint64_t one = 1;

    errno = 0;
    SPL_CHECK_EQ(splinter_get("plain", buf, sizeof buf, &len), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_unset("plain"), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_append("plain", "x", 1, NULL), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_set_named_type("plain", SPL_SLOT_TYPE_JSON), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_set_slot_time("plain", SPL_TIME_CTIME, 1, 0), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    errno = 0;
    SPL_CHECK_EQ(splinter_poll("plain", 1000), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    /* integer_op checks the type before the busy state. */
    errno = 0;
    SPL_CHECK_EQ(splinter_integer_op("plain", SPL_OP_INC, &one), -1);
    SPL_CHECK_ERRNO(EPROTOTYPE);
    errno = 0;
    SPL_CHECK_EQ(splinter_integer_op("num", SPL_OP_INC, &one), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    /* bump: -1 with errno untouched. */
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_bump_slot("plain"), -1);
    SPL_CHECK_ERRNO(SPL_ERRNO_SENTINEL);
    /* Labels still change a slot that stays odd (ours after a bounded wait of about 20 ms,
     * native/README.md row 25); the raw pointer and get_epoch report the odd epoch. */
    SPL_CHECK_EQ(splinter_set_label("plain", 0x4), 0);
    uint64_t ep = 0;
    SPL_CHECK(splinter_get_raw_ptr("plain", &len, &ep) != NULL);
    SPL_CHECK_EQ(ep, busy_epoch);
    SPL_CHECK_EQ(splinter_get_epoch("plain"), busy_epoch);
    SPL_CHECK_EQ(atomic_load(&p->epoch), busy_epoch); /* nothing above moved it */
    atomic_fetch_add(&p->epoch, 1);
    atomic_fetch_add(&n->epoch, 1);
    SPL_CHECK_EQ(atomic_load(&p->bloom), 0x4);
}

/* 5.2: set skips a busy candidate slot and keeps probing, which creates a duplicate. */
SPL_TEST(x_set_skips_busy_slot_of_same_key) {
    const char *name = spl_create_store(8, 64);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_set("k", "old", 3), 0);
    size_t first = spl_slot_index_of("k");
    struct splinter_slot *s = spl_slot_at(h, first);
    atomic_fetch_add(&s->epoch, 1);
    SPL_CHECK_EQ(splinter_set("k", "new", 3), 0);
    size_t second = (first + 1) % 8;
    SPL_CHECK(strcmp(spl_slot_at(h, second)->key, "k") == 0);
    SPL_CHECK(memcmp(spl_values_of(h) + spl_slot_at(h, second)->val_off, "new", 3) == 0);
    atomic_fetch_add(&s->epoch, 1);
    char buf[8];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("k", buf, sizeof buf, &n), 0); /* the earlier copy wins */
    SPL_CHECK(memcmp(buf, "old", 3) == 0);
}

/* 5.2: probing wraps around; set_as_system scans from slot 0, not from the hash position. */
SPL_TEST(x_probe_wraps_and_set_as_system_scans_from_slot_0) {
    const char *name = spl_create_store(8, 16);
    struct splinter_header *h = spl_map_raw(name);
    char a[32], b[32];
    spl_key_with_index(b, sizeof b, "wrapB", 8, 7, 0);
    spl_key_with_index(a, sizeof a, "wrapA", 8, 7, 0);
    SPL_CHECK_EQ(splinter_set(b, "b", 1), 0);
    SPL_CHECK_EQ(splinter_set(a, "old", 3), 0);
    SPL_CHECK(strcmp(spl_slot_at(h, 0)->key, a) == 0); /* wrapped to slot 0 */
    SPL_CHECK_EQ(splinter_unset(b), 1);
    SPL_CHECK_EQ(splinter_set(a, "new", 3), 0); /* lands in slot 7: copies at 7 (probe-first) and 0 */
    SPL_CHECK(strcmp(spl_slot_at(h, 7)->key, a) == 0);
    SPL_CHECK_EQ(splinter_set_as_system(a), 0);
    /* The physical-first copy (slot 0) was changed; lookups still see slot 7. */
    SPL_CHECK_EQ(atomic_load(&spl_slot_at(h, 0)->type_flag), SPL_SLOT_TYPE_BINARY);
    SPL_CHECK_EQ(atomic_load(&spl_slot_at(h, 0)->val_len), 16);
    SPL_CHECK_EQ(atomic_load(&spl_slot_at(h, 7)->type_flag), 1);
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(a, NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 3);
    SPL_CHECK_EQ(splinter_unset(a), 3);
    SPL_CHECK_EQ(splinter_get(a, NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 16);
    /* list reports both copies while they exist, in slot order, as upstream. */
    SPL_CHECK_EQ(splinter_set(a, "again", 5), 0);
    char *keys[8];
    size_t count = 0;
    SPL_CHECK_EQ(splinter_list(keys, 8, &count), 0);
    SPL_CHECK_EQ(count, 2);
    SPL_CHECK(strcmp(keys[0], a) == 0 && strcmp(keys[1], a) == 0);
}

SPL_TEST(x_empty_and_utf8_keys) {
    const char *name = spl_create_store(8, 16);
    struct splinter_header *h = spl_map_raw(name);
    /* Both keys start at index 5 ("" hashes to the FNV basis): the second lands in slot 6. */
    SPL_CHECK_EQ(splinter_set("", "empty", 5), 0);
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("", NULL, 0, &n), 0);
    SPL_CHECK_EQ(n, 5);
    SPL_CHECK_EQ(spl_slot_index_of(""), spl_fnv1a("") % 8);
    const char *utf8 = "cl\xc3\xa9_\xe2\x82\xac"; /* "clé_€" */
    SPL_CHECK_EQ(splinter_set(utf8, "u", 1), 0);
    SPL_CHECK_EQ(atomic_load(&slot_of(h, utf8)->hash), spl_fnv1a(utf8));
    SPL_CHECK_EQ(spl_fnv1a(utf8) % 8, 5);
    SPL_CHECK_EQ(spl_slot_index_of(utf8), 6);
    SPL_CHECK_EQ(splinter_unset(""), 5);
    SPL_CHECK_EQ(splinter_get_epoch(utf8), 2);
}

/* Table 6.3, event-bus column, in the owner process. */
SPL_TEST(x_notify_matrix_in_owner) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_set("n", "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    uint64_t one = 1;
    struct {
        const char *what;
        int rc;
        int notifies;
    } steps[16];
    int count = 0;
#define STEP(expr, notify)                                                               \
    do {                                                                                 \
        steps[count].what = #expr;                                                       \
        steps[count].rc = (expr);                                                        \
        steps[count].notifies = (notify);                                                \
        SPL_CHECK_MSG(steps[count].rc >= 0, "%s failed", #expr);                         \
        int woke = splinter_event_bus_wait(fd, 0) == 0;                                  \
        SPL_CHECK_MSG(woke == (notify), "%s: notified %d, want %d", #expr, woke, notify);\
        count++;                                                                         \
    } while (0)
    STEP(splinter_set("k", "abc", 3), 1);
    STEP(splinter_append("k", "d", 1, NULL), 1);
    STEP(splinter_set_named_type("n", SPL_SLOT_TYPE_BIGUINT), 1);
    STEP(splinter_integer_op("n", SPL_OP_INC, &one), 1);
    STEP(splinter_set_label("k", 1), 1);
    STEP(splinter_unset_label("k", 1), 1);
    STEP(splinter_retrain_slot("k"), 1);
    STEP(splinter_bump_slot("k"), 0);
    STEP(splinter_pulse_keygroup("k"), 0);
    STEP(splinter_set_slot_time("k", SPL_TIME_ATIME, 9, 0), 0);
    STEP(splinter_set_as_system("k"), 0);
    STEP(splinter_watch_register("k", 3), 0);
    STEP(splinter_unset("k"), 0);
    STEP(splinter_shard_claim(1, 0, 0, 1000), 0);
    splinter_purge();
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), -1);
#undef STEP
    splinter_event_bus_close(fd);
}

/* Section 9: which operations pulse signal groups. */
SPL_TEST(x_pulse_matrix) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "12345678", 8), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 5), 0);
    uint64_t one = 1;
    uint64_t c = splinter_get_signal_count(5);
#define PULSES(expr, want)                                                               \
    do {                                                                                 \
        SPL_CHECK_MSG((expr) >= 0, "%s failed", #expr);                                  \
        uint64_t now = splinter_get_signal_count(5);                                     \
        SPL_CHECK_MSG(now - c == (want), "%s pulsed %llu, want %d", #expr,              \
                      (unsigned long long)(now - c), want);                             \
        c = now;                                                                         \
    } while (0)
    PULSES(splinter_set("k", "12345678", 8), 1);
    PULSES(splinter_append("k", "9", 1, NULL), 1);
    PULSES(splinter_bump_slot("k"), 1);
    PULSES(splinter_retrain_slot("k"), 1);
    PULSES(splinter_pulse_keygroup("k"), 1);
    PULSES(splinter_set_named_type("k", SPL_SLOT_TYPE_BIGUINT), 0);
    PULSES(splinter_integer_op("k", SPL_OP_INC, &one), 0);
    PULSES(splinter_set_label("k", 8), 0);
    PULSES(splinter_unset_label("k", 8), 0);
    PULSES(splinter_set_slot_time("k", SPL_TIME_CTIME, 1, 0), 0);
    splinter_purge();
    PULSES(0, 0);
    PULSES(splinter_set_as_system("k"), 0);
    PULSES(splinter_unset("k"), 0);
#undef PULSES
}

/* Section 9 example: watch group 5, label bit 3 mapped to group 7. */
SPL_TEST(x_label_mapped_group_pulses_only_when_label_present) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_watch_register("k", 5), 0);
    SPL_CHECK_EQ(splinter_watch_label_register(1ULL << 3, 7), 0);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(5), 1);
    SPL_CHECK_EQ(splinter_get_signal_count(7), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 1ULL << 3), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(7), 0); /* label changes pulse nothing */
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(5), 2);
    SPL_CHECK_EQ(splinter_get_signal_count(7), 1);
    /* Re-mapping a bit replaces its group (one group per bit). */
    SPL_CHECK_EQ(splinter_watch_label_register(1ULL << 3, 8), 0);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_get_signal_count(7), 1);
    SPL_CHECK_EQ(splinter_get_signal_count(8), 1);
}

/* 8.3: dirty bits are cumulative and only set by notifying operations. */
SPL_TEST(x_dirty_bits_only_from_notifying_operations) {
    spl_create_store(64, 16);
    SPL_CHECK_EQ(splinter_set("a", "v", 1), 0);
    SPL_CHECK_EQ(splinter_set("b", "v", 1), 0);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    uint64_t dirty[16];
    splinter_event_bus_get_dirty(dirty, 16);
    for (int w = 0; w < 16; w++) SPL_CHECK_EQ(dirty[w], 0); /* writes before init set nothing */
    SPL_CHECK_EQ(splinter_bump_slot("a"), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("a", 0, 1, 0), 0);
    SPL_CHECK_EQ(splinter_set_as_system("a"), 0);
    splinter_purge();
    SPL_CHECK_EQ(splinter_unset("b"), 1);
    splinter_event_bus_get_dirty(dirty, 16);
    for (int w = 0; w < 16; w++) SPL_CHECK_EQ(dirty[w], 0);
    SPL_CHECK_EQ(splinter_set_label("a", 1), 0);
    size_t ia = spl_slot_index_of("a");
    splinter_event_bus_get_dirty(dirty, 16);
    SPL_CHECK_EQ(dirty[ia / 64], 1ULL << (ia % 64));
    SPL_CHECK_EQ(splinter_unset("a"), 16);
    splinter_event_bus_get_dirty(dirty, 16);
    SPL_CHECK_EQ(dirty[ia / 64], 1ULL << (ia % 64)); /* never cleared */
}

/* 1.1: a forked child (no exec) inherits the armed bus; its writes notify the owner's counter. */
SPL_TEST(x_forked_child_inherits_armed_bus) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    int fd = splinter_event_bus_open();
    SPL_CHECK(fd >= 0);
    pid_t pid = fork();
    SPL_CHECK(pid >= 0);
    if (pid == 0) _exit(splinter_set("from_fork", "v", 1) == 0 ? 0 : 1);
    int status = 0;
    SPL_CHECK(waitpid(pid, &status, 0) == pid);
    SPL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    SPL_CHECK_EQ(splinter_event_bus_wait(fd, 0), 0);
    splinter_event_bus_close(fd);
}

SPL_CHILD_COMMAND(arm_bus_and_exit) {
    SPL_CHECK(argc == 2);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    SPL_CHECK_EQ(splinter_event_bus_init(), 0);
    splinter_close();
    return 0;
}

SPL_CHILD_COMMAND(bus_open_errno) {
    /* Prints nothing; exit status = errno of a failed splinter_event_bus_open, 0 if it worked. */
    SPL_CHECK(argc == 2);
    SPL_CHECK_EQ(splinter_open(argv[1]), 0);
    errno = 0;
    int fd = splinter_event_bus_open();
    int err = errno;
    splinter_event_bus_close(fd);
    splinter_close();
    return fd >= 0 ? 0 : err;
}

/*
 * 8.4: the header still names an owner that has exited: another process's open reports
 * ESRCH. (The opener is a child command so valgrind mode can run it untraced: valgrind 3.19
 * has no pidfd_open.)
 */
SPL_TEST(x_bus_open_after_owner_exit_esrch) {
    const char *name = spl_create_store(8, 64);
    struct splinter_header *h = spl_map_raw(name);
    const char *args[] = {name, NULL};
    pid_t owner = spl_spawn("arm_bus_and_exit", args);
    SPL_CHECK_EQ(spl_wait_child(owner, 60), 0);
    SPL_CHECK_EQ(atomic_load(&h->event_bus.owner_pid), owner); /* close left the owner fields */
    SPL_CHECK(atomic_load(&h->event_bus.owner_fd) >= 0);
    SPL_CHECK_EQ(spl_wait_child(spl_spawn("bus_open_errno", args), 60), ESRCH);
}

/* Without an armed bus, a successful madvise leaves errno ENODEV, as upstream. */
SPL_TEST(x_madvise_success_leaves_enodev_without_bus) {
    spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_shard_claim(3, SPL_INTENT_WILLNEED, 1, 1ULL << 62), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_madvise(3, NULL, 0, 0, 0), 0);
    SPL_CHECK_ERRNO(ENODEV);
}

/* 1.3 details: whitespace, sign, range; errno after a successful create with the variable set. */
SPL_TEST(x_default_umask_parsing_details) {
    umask(022);
    setenv("SPLINTER_DEFAULT_UMASK", " 077", 1);
    const char *a = spl_create_store(4, 64);
    struct stat st;
    SPL_CHECK(stat(spl_path_of(a), &st) == 0);
    SPL_CHECK_EQ(st.st_mode & 0777, 0600);
    splinter_close();
    setenv("SPLINTER_DEFAULT_UMASK", "0777", 1);
    const char *b = spl_new_name();
    errno = SPL_ERRNO_SENTINEL;
    SPL_CHECK_EQ(splinter_create(b, 4, 64), 0);
    SPL_CHECK_ERRNO(0); /* the review addition: errno cleared before parsing */
    SPL_CHECK(stat(spl_path_of(b), &st) == 0);
    SPL_CHECK_EQ(st.st_mode & 0777, 0);
    splinter_close();
    const char *ignored[] = {"-1", "", "077x", "1000"};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        setenv("SPLINTER_DEFAULT_UMASK", ignored[i], 1);
        const char *c = spl_create_store(4, 64);
        SPL_CHECK(stat(spl_path_of(c), &st) == 0);
        SPL_CHECK_MSG((st.st_mode & 0777) == 0644, "\"%s\" gave mode %o", ignored[i], st.st_mode & 0777);
        splinter_close();
    }
    SPL_CHECK_EQ(umask(022), 022);
    unsetenv("SPLINTER_DEFAULT_UMASK");
}

/* 3.9: snapshots never write the caller's padding bytes. */
SPL_TEST(x_snapshots_leave_padding_untouched) {
    spl_create_store(4, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    splinter_header_snapshot_t hs;
    memset(&hs, 0xA5, sizeof hs);
    SPL_CHECK_EQ(splinter_get_header_snapshot(&hs), 0);
    const unsigned char *hb = (const unsigned char *)&hs;
    for (size_t i = 26; i < 32; i++) SPL_CHECK_EQ(hb[i], 0xA5);
    splinter_slot_snapshot_t ss;
    memset(&ss, 0xA5, sizeof ss);
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &ss), 0);
    const unsigned char *sb = (const unsigned char *)&ss;
    for (size_t i = 26; i < 32; i++) SPL_CHECK_EQ(sb[i], 0xA5);
}

/* 7.13: intent values are not validated; an unknown intent competes normally. */
SPL_TEST(x_shard_unknown_intent_competes) {
    spl_create_store(4, 64);
    uint64_t now = splinter_now();
    SPL_CHECK_EQ(splinter_shard_claim_ex(1, 10, 200, 9, 1ULL << 62, now), 0);
    SPL_CHECK_EQ(splinter_shard_claim_ex(2, 10, SPL_INTENT_NONE, 1, 1ULL << 62, now), 0);
    uint8_t intent = 0;
    SPL_CHECK_EQ(splinter_shard_election(&intent), 1);
    SPL_CHECK_EQ(intent, 200);
}

/* Promotion parses with strtoull base 0 up to the first non-digit. */
SPL_TEST(x_promotion_parse_details) {
    spl_create_store(8, 64);
    const struct {
        const char *text;
        uint64_t want;
    } cases[] = {{"09", 0}, {"12ab", 12}, {"7", 7}, {"0", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[16];
        snprintf(key, sizeof key, "p%zu", i);
        SPL_CHECK_EQ(splinter_set(key, cases[i].text, strlen(cases[i].text)), 0);
        SPL_CHECK_EQ(splinter_set_named_type(key, SPL_SLOT_TYPE_BIGUINT), 0);
        uint64_t v = 0;
        size_t n = 0;
        SPL_CHECK_EQ(splinter_get(key, &v, sizeof v, &n), 0);
        SPL_CHECK_EQ(n, 8);
        SPL_CHECK_MSG(v == cases[i].want, "\"%s\" -> %llu, want %llu", cases[i].text,
                      (unsigned long long)v, (unsigned long long)cases[i].want);
    }
}

/* Integer ops work on 8 bytes at val_off even after a shorter set; get returns val_len bytes. */
SPL_TEST(x_integer_op_after_short_set_keeps_biguint) {
    spl_create_store(8, 64);
    uint64_t zero = 0;
    SPL_CHECK_EQ(splinter_set("n", &zero, 8), 0);
    SPL_CHECK_EQ(splinter_set_named_type("n", SPL_SLOT_TYPE_BIGUINT), 0);
    SPL_CHECK_EQ(splinter_set("n", "\x05", 1), 0);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("n", &snap), 0);
    SPL_CHECK_EQ(snap.type_flag, SPL_SLOT_TYPE_BIGUINT); /* set does not change the type */
    uint64_t add = 0x101;
    SPL_CHECK_EQ(splinter_integer_op("n", SPL_OP_INC, &add), 0);
    unsigned char buf[8] = {0};
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get("n", buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 1);
    SPL_CHECK_EQ(buf[0], 0x06);
    const unsigned char *raw = splinter_get_raw_ptr("n", NULL, NULL);
    SPL_CHECK(raw != NULL);
    SPL_CHECK_EQ(raw[1], 0x01); /* the op wrote all 8 bytes */
}

/* Tandem names longer than 63 characters are truncated and can collide. */
SPL_TEST(x_tandem_long_base_names_truncate_and_collide) {
    spl_create_store(16, 32);
    char base[63];
    memset(base, 'b', 62);
    base[62] = '\0';
    const void *vals[3] = {"zero", "one", "two"};
    size_t lens[3] = {4, 3, 3};
    SPL_CHECK_EQ(splinter_client_set_tandem(base, vals, lens, 3), 0);
    char truncated[64];
    snprintf(truncated, sizeof truncated, "%s.", base); /* "base.1" and "base.2" both become "base." */
    char buf[8];
    size_t n = 0;
    SPL_CHECK_EQ(splinter_get(truncated, buf, sizeof buf, &n), 0);
    SPL_CHECK_EQ(n, 3);
    SPL_CHECK(memcmp(buf, "two", 3) == 0);
    char *keys[16];
    size_t count = 0;
    SPL_CHECK_EQ(splinter_list(keys, 16, &count), 0);
    SPL_CHECK_EQ(count, 2);
}

/* Order of checks where several apply at once (sections 7.6, 7.10, 7.11). */
SPL_TEST(x_argument_check_order) {
    const char *name = spl_create_store(8, 16);
    struct splinter_header *h = spl_map_raw(name);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    /* Group id is checked before the lookup. */
    errno = 0;
    SPL_CHECK_EQ(splinter_watch_register("missing", 64), -2);
    SPL_CHECK_ERRNO(EINVAL);
    SPL_CHECK_EQ(splinter_watch_unregister("missing", 64), -2);
    /* set_slot_time: a busy slot is reported before an invalid mode. */
    struct splinter_slot *s = spl_slot_at(h, spl_slot_index_of("k"));
    atomic_fetch_add(&s->epoch, 1);
    errno = 0;
    SPL_CHECK_EQ(splinter_set_slot_time("k", 7, 1, 0), -1);
    SPL_CHECK_ERRNO(EAGAIN);
    atomic_fetch_add(&s->epoch, 1);
    /* A system slot is full: appending to it overflows. */
    SPL_CHECK_EQ(splinter_set_as_system("k"), 0);
    errno = 0;
    SPL_CHECK_EQ(splinter_append("k", "x", 1, NULL), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    /* get into a too-small buffer without out_sz. */
    char buf[4];
    errno = 0;
    SPL_CHECK_EQ(splinter_get("k", buf, sizeof buf, NULL), -1);
    SPL_CHECK_ERRNO(EMSGSIZE);
    /* get_dirty with a NULL output is a no-op. */
    splinter_event_bus_get_dirty(NULL, 16);
    SPL_CHECK_EQ(splinter_unset("k"), 16); /* returns the system slot's full length */
}

/* 7.3 / 7.7: set, append and retrain keep the slot's metadata (type, user flag, labels, times). */
SPL_TEST(x_writes_keep_slot_metadata) {
    spl_create_store(8, 64);
    SPL_CHECK_EQ(splinter_set("k", "v", 1), 0);
    SPL_CHECK_EQ(splinter_set_named_type("k", SPL_SLOT_TYPE_JSON), 0);
    SPL_CHECK_EQ(splinter_set_label("k", 0x90), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_CTIME, 111, 0), 0);
    SPL_CHECK_EQ(splinter_set_slot_time("k", SPL_TIME_ATIME, 222, 0), 0);
    struct splinter_slot *s = spl_slot_at(spl_lib_header("k"), spl_slot_index_of("k"));
    splinter_slot_usr_set(s, SPL_FUSR2);
    SPL_CHECK_EQ(splinter_set("k", "{\"a\":1}", 7), 0);
    SPL_CHECK_EQ(splinter_append("k", " ", 1, NULL), 0);
    SPL_CHECK_EQ(splinter_retrain_slot("k"), 0);
    splinter_slot_snapshot_t snap;
    SPL_CHECK_EQ(splinter_get_slot_snapshot("k", &snap), 0);
    SPL_CHECK_EQ(snap.type_flag, SPL_SLOT_TYPE_JSON);
    SPL_CHECK_EQ(snap.bloom, 0x90);
    SPL_CHECK_EQ(snap.ctime, 111);
    SPL_CHECK_EQ(snap.atime, 222);
    SPL_CHECK_EQ(snap.user_flag, SPL_FUSR2);
    SPL_CHECK_EQ(snap.val_len, 8);
}
