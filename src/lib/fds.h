/* What a container process may inherit: the fds the caller passes (--preserve-fds, LISTEN_FDS) and
 * nothing else, and a cwd inside the container (runc CVE-2024-21626: a host directory fd left open
 * let process.cwd = /proc/self/fd/N start the workload outside the rootfs). */
#pragma once
#include "error.h"

/* fds 3 .. 3+n-1 must be open in the caller: else one of skiff's own would take that number and
 * be passed on. `flag` names the option for the message. */
int fds_check_passed(int n, const char *flag, struct error *err);
/* Close every fd from `first` up except `keep` (-1: none). */
int fds_close_from(int first, int keep, struct error *err);
/* The cwd must be reachable from our root: getcwd() reports a directory outside it (reached
 * through an fd or a moved mount) as unreachable. */
int fds_check_cwd(const char *cwd, struct error *err);
