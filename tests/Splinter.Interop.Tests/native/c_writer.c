/*
 * c_writer.c - a plain C writer for the cross-process watch tests: opens an existing store with libsplinter and
 * sets COUNT keys (PREFIX0, PREFIX1, ...) with values "v0", "v1", ..., sleeping INTERVAL_US between writes. It
 * never arms the event bus, as upstream's own tools never do, so watchers in other processes can only poll.
 *
 *   c_writer STORE COUNT INTERVAL_US PREFIX [LAST_KEY]
 *
 * LAST_KEY, when given, is set after the others (a watcher's "done" signal). Prints "ready" once the store is open
 * and "done COUNT" at the end; exit status 0, or 2 with a message on stderr.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "splinter.h"

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: c_writer STORE COUNT INTERVAL_US PREFIX [LAST_KEY]\n");
        return 2;
    }

    int count = atoi(argv[2]);
    long interval = atol(argv[3]);
    if (splinter_open(argv[1]) != 0) {
        fprintf(stderr, "c_writer: splinter_open(%s) failed\n", argv[1]);
        return 2;
    }

    printf("ready\n");
    fflush(stdout);
    struct timespec pause = { interval / 1000000, (interval % 1000000) * 1000 };
    for (int i = 0; i < count; i++) {
        char key[64];
        char value[32];
        snprintf(key, sizeof key, "%s%d", argv[4], i);
        snprintf(value, sizeof value, "v%d", i);
        if (splinter_set(key, value, strlen(value)) != 0) {
            fprintf(stderr, "c_writer: splinter_set(%s) failed\n", key);
            return 2;
        }
        if (interval > 0) {
            nanosleep(&pause, NULL);
        }
    }

    if (argc == 6 && splinter_set(argv[5], "last", 4) != 0) {
        fprintf(stderr, "c_writer: splinter_set(%s) failed\n", argv[5]);
        return 2;
    }

    printf("done %d\n", count);
    fflush(stdout);
    splinter_close();
    return 0;
}
