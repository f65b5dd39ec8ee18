/* linux.seccomp in the init: loading the program seccomp_prepare compiled on the host
 * (seccomp-compile.h), and handing a SCMP_ACT_NOTIFY filter's fd to the listener at listenerPath.
 *
 * When the filter goes in: as late as possible, so that the fewest of skiff's own calls run under it.
 *   - with SCMP_ACT_NOTIFY: before the init reports ready, so that skiff create (still alive) can take
 *     the fd (pidfd_getfd) and send it to the listener with the state, as runc does;
 *   - when it lets through whatever the init still does, whatever the arguments (allows_init_tail in
 *     spec-seccomp.h), and no startContainer hook runs: right after the init reports ready, while
 *     it waits for start, so that the load (0.1 ms) overlaps start's work instead of coming after
 *     it; exec's process, which waits for nothing, loads it just before its identity;
 *   - with process.noNewPrivileges: after the user and capabilities are set, right before execve;
 *   - otherwise: right before the user and capabilities are set, while the init still has
 *     CAP_SYS_ADMIN, which loading a filter without no_new_privs needs. */
#pragma once
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum seccomp_stage { SECCOMP_BEFORE_READY, SECCOMP_AFTER_READY, SECCOMP_BEFORE_IDENTITY, SECCOMP_BEFORE_EXEC };

/* In the init: load linux.seccomp if `stage` is its moment (else do nothing). At SECCOMP_BEFORE_READY,
 * the notify fd's number goes to create over sync_fd and the init waits until create has taken it. */
int seccomp_install_at(const struct spec *spec, enum seccomp_stage stage, int sync_fd, struct error *err);
/* In create: take the init's notify fd (its number there is remote_fd) and send it to listenerPath
 * with runc's containerProcessState JSON ({"ociVersion","fds":["seccompFd"],"pid","metadata","state"}). */
int seccomp_forward_listener(const struct spec_seccomp *s, pid_t init_pid, int remote_fd, const char *state_json,
                             struct error *err);
