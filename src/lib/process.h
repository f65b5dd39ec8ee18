/* The init's last steps before execve: limits, identity, capabilities and the program itself. */
#pragma once
#include "error.h"
#include "spec.h"

/* rlimits, personality and umask: done while still privileged, before `create` reports ready. */
int process_apply_limits(const struct spec *spec, struct error *err);
/* sysctl values, written through /proc/sys while it still shows the host's view of our namespaces. */
int process_apply_sysctl(const struct spec *spec, struct error *err);
/* Find the program as execvp would, in the container's PATH; ret_path is allocated. */
int process_find_program(const struct spec *spec, char **ret_path, struct error *err);
/* Switch to process.user, set the five capability sets and no_new_privs, and chdir to cwd. */
int process_set_identity(const struct spec *spec, struct error *err);
/* Close every fd from 3 + preserve_fds up at exec, then execve. Returns only on failure. */
int process_exec(const struct spec *spec, const char *path, int preserve_fds, struct error *err);
