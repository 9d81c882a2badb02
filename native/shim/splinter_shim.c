/*
 * splinter_shim.c - the hand-written part of libsplinter_shim.so. The generated part (errno wrappers
 * and the layout table) is compiled next to it from the build's Generated/native folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "splinter.h"
#include "splinter_shim.h"

SPLINTER_SHIM_API uint64_t SplinterShim_now(void)
{
    /* NOTE: the header defines splinter_now as inline, so this copy always matches the header in use. */
    return splinter_now();
}

SPLINTER_SHIM_API int SplinterShim_remove_shm(const char *name)
{
    if (name == NULL) {
        return -EINVAL;
    }
    return shm_unlink(name) == 0 ? 0 : -errno;
}

SPLINTER_SHIM_API int SplinterShim_remove_file(const char *path)
{
    if (path == NULL) {
        return -EINVAL;
    }
    return unlink(path) == 0 ? 0 : -errno;
}
