/* The container's init, from clone to execve. Runs in the new namespaces. */
#pragma once
#include <stdbool.h>

#include "spec.h"

struct cpu_apart;

struct storage_attach;

struct init_args {
        struct spec *spec;      /* the init's own copy: it adds LISTEN_* to process.env */
        int sync_fd;            /* to skiff create */
        int state_dirfd;        /* ROOT/ID, to open exec.fifo after pivot_root */
        bool no_pivot;
        int preserve_fds;       /* all the fds passed on, LISTEN_FDS included */
        int listen_fds;
        int console_fd;         /* where to send the pty master, or -1 */
        const struct storage_attach *storage;   /* thin devices to mount before rootfs_setup, or NULL */
        const struct cpu_apart *cpus;   /* create's CPUs, all the init's again from SYNC_GO on */
};

/* Never returns: execs the workload or exits non-zero after telling create (or stderr) why. */
_Noreturn void init_main(const struct init_args *a);
