/* `skiff exec`: start another process in a running container, in all of its init's namespaces,
 * its cgroup, with the process's own user, capabilities, no_new_privs and rlimits. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

struct exec_options {
        const char *root;
        const char *id;
        /* The container's config with `process` replaced by the one to start. */
        struct spec *spec;
        int preserve_fds;       /* fds 3 .. 3+N-1 go along */
        int console_fd;         /* a connected --console-socket, or -1 */
        bool detach;            /* return once the process runs */
        const char *pid_file;
};

/* The config of container `id`, as its bundle says, for exec to build its process on. */
int exec_load_spec(const char *root, const char *id, struct spec **ret_spec, struct error *err);
/* Start the process; unless detached, relay its pty (process.terminal without a console socket),
 * forward signals to it and wait for it: ret_exit_code is its exit code, 128 + signal when one
 * killed it. Must run from a skiff binary the container cannot write (sealed-exe.h): the joining
 * process is seen from inside the container before it execs. */
int container_exec(const struct exec_options *o, int *ret_exit_code, struct error *err);
