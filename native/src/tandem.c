/*
 * tandem.c - tandem keys "base", "base.1", "base.2", ...
 */
#include <stdio.h>

#include "internal.h"

static void spl_tandem_name(char out[SPLINTER_KEY_MAX], const char *base, unsigned order) {
    (void)snprintf(out, SPLINTER_KEY_MAX, "%s" SPL_ORDER_ACCESSOR "%u", base, order);
}

SPLINTER_API int splinter_client_set_tandem(const char *base_key, const void **vals, const size_t *lens, uint8_t orders) {
    /* Upstream never returns -2 here and crashes on NULL arrays; we report -1. */
    if (base_key == NULL || vals == NULL || lens == NULL) return -1;
    /* NOTE: the base key is written even when orders == 0, as upstream. */
    if (spl_set(base_key, vals[0], lens[0]) != 0) return -1;
    char name[SPLINTER_KEY_MAX];
    for (unsigned i = 1; i < orders; i++) {
        spl_tandem_name(name, base_key, i);
        if (spl_set(name, vals[i], lens[i]) != 0) return -1;
    }
    return 0;
}

SPLINTER_API void splinter_client_unset_tandem(const char *base_key, uint8_t orders) {
    if (base_key == NULL) return;
    (void)spl_unset(base_key);
    char name[SPLINTER_KEY_MAX];
    for (unsigned i = 1; i < orders; i++) {
        spl_tandem_name(name, base_key, i);
        (void)spl_unset(name);
    }
}
