/* Running the tools storage relies on (mkfs.ext4, tar, cp), optionally with a thin device mounted
 * in a private mount namespace of skiff's own, so that the host never sees the mount. */
#pragma once
#include <stdbool.h>

#include "error.h"

struct tool_mount {
        const char *device;
        const char *dir;        /* a directory on the host; the mount lives only in the tool's namespace */
        bool read_only;
};

/* Run argv (stdin from /dev/null, stdout to out_fd or /dev/null); its stderr becomes the error
 * message when it fails. With `m`, argv runs with m->device mounted on m->dir. */
int tool_run(char *const argv[], const struct tool_mount *m, int out_fd, struct error *err);
int tool_mkfs(const char *device, struct error *err);
