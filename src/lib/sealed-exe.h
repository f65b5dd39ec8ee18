/* Run skiff from a sealed memfd copy of its own binary (runc CVE-2019-5736 class).
 *
 * A process that enters a container (the init at create, the joining process of exec) is visible
 * there before it execs the workload; through /proc/PID/exe the container could open skiff's
 * binary on the host and overwrite it. When skiff runs from a sealed memfd instead, that link
 * leads to an anonymous copy which no one can write (F_SEAL_WRITE) and which dies with us.
 * A binary installed where no one can write it (a read-only mount, chattr +i) is safe as it is and
 * saves the copy and the second exec. */
#pragma once
#include <stdbool.h>

#include "error.h"

/* True when /proc/self/exe cannot be opened for writing: a memfd carrying every seal
 * sealed_exe_reexec puts on, a file on a read-only mount, or an immutable file. */
bool self_exe_unwritable(void);
/* Unless self_exe_unwritable(), copy /proc/self/exe into a sealed memfd and execute it with the same
 * argv and environment; the new image then starts again from main(). Returns 0 when already
 * sealed, else only on failure. The copy is made by this (host-side) process, so its pages are
 * charged to the caller's memory cgroup, never to the container's. */
int sealed_exe_reexec(struct error *err);
