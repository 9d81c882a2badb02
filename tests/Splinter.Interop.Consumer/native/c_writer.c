/*
 * The C side of the consumer check: a plain C program built against native/include/splinter.h and
 * libsplinter.so. It creates the store, writes known values, arms the event bus (so its own writes
 * signal it), then follows commands on stdin, one per line:
 *   change  -> overwrite "greeting" (a signalled write), answer "changed"
 *   exit    -> close the store and exit 0 (EOF does the same)
 * It prints "ready" once the store is written and armed. Errors go to stderr with exit code 1.
 * The store is removed by the .NET side and by the runner (it must outlive this process's reads).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "splinter.h"

#define SLOTS 64
#define MAX_VALUE 256
#define KEY_COUNT 16

static int set_text(const char *key, const char *text)
{
    if (splinter_set(key, text, strlen(text)) != 0) {
        fprintf(stderr, "c_writer: splinter_set(%s) failed\n", key);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: c_writer STORE\n");
        return 2;
    }
    /* A forgotten child must not live forever. */
    alarm(60);

    const char *store = argv[1];
    if (splinter_create(store, SLOTS, MAX_VALUE) != 0) {
        perror("c_writer: splinter_create");
        return 1;
    }

    char key[32];
    char value[64];
    for (int i = 0; i < KEY_COUNT; i++) {
        snprintf(key, sizeof key, "c.key.%02d", i);
        snprintf(value, sizeof value, "value %d written by C pid %d", i, (int)getpid());
        if (set_text(key, value) != 0) {
            return 1;
        }
    }
    if (set_text("greeting", "hello from C") != 0) {
        return 1;
    }
    if (splinter_event_bus_init() != 0) {
        perror("c_writer: splinter_event_bus_init");
        return 1;
    }

    printf("ready %d\n", KEY_COUNT);
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "change") == 0) {
            if (set_text("greeting", "changed by C") != 0) {
                return 1;
            }
            printf("changed\n");
            fflush(stdout);
        } else if (strcmp(line, "exit") == 0) {
            break;
        } else {
            fprintf(stderr, "c_writer: unknown command '%s'\n", line);
            return 1;
        }
    }

    splinter_close();
    return 0;
}
