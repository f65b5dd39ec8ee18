/* The OCI lifecycle: create, start, kill, delete, and waiting for the end. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "shim-mode.h"

struct state;

struct create_options {
        const char *root;
        const char *id;
        const char *bundle;
        const char *pid_file;
        const char *shim_path;  /* the skiff-shim binary */
        const char *log_path;   /* --log: the shim writes its own errors there too (NULL: none) */
        bool log_json;
        enum shim_mode shim_mode;
        /* `run` in the foreground, in parent mode: the caller clones the init itself and will be its
         * shim (shim_watch), with no shim-to-be forked and no skiff-shim exec'd. */
        bool shim_inline;
        bool no_pivot;
        int preserve_fds;
        int listen_fds;         /* the caller's LISTEN_FDS: passed first, before preserve_fds */
        int console_fd;         /* a connected --console-socket (process.terminal), or -1 */
        /* Shows a warning that does not stop the create (a joined cgroup with processes in it). */
        void (*warn)(const char *msg);
};

/* On success the container is "created": its init waits on exec.fifo and skiff-shim (or with
 * shim_inline, the caller) is its parent; ret_state (may be NULL) gets the state as written. On
 * failure nothing is left: no process, cgroup, mount or state dir. */
int container_create(const struct create_options *o, struct state *ret_state, struct error *err);
int container_start(const char *root, const char *id, struct error *err);
/* `run` in the foreground starts and deletes the container it created and is the shim of: it knows
 * the state, and its own end is the init's, so neither reads it back nor works out the status. */
int container_start_own(const char *root, const struct state *st, struct error *err);
int container_delete_own(const char *root, const char *id, const char *cgroup, struct error *err);
int container_kill(const char *root, const char *id, int sig, bool all, struct error *err);
/* keep_rootfs: keep the thin snapshot of a run.skiff.image container (a later create of ID reuses it). */
int container_delete(const char *root, const char *id, bool force, bool keep_rootfs, struct error *err);
/* Block until the container has exited; ret_code is its exit code, or 128 + signal. */
int container_wait(const char *root, const char *id, int *ret_code, struct error *err);
/* Remove what a stopped container still holds (cgroup, state dir). The lock must be held. */
int container_cleanup(const char *root, const char *id, const char *cgroup, struct error *err);
