/* Run skiff from a binary no one can write (runc CVE-2019-5736 class).
 *
 * A process that enters a container (the init at create, the joining process of exec) is visible
 * there before it execs the workload; through /proc/PID/exe the container could open skiff's
 * binary on the host and overwrite it. So skiff switches to a read-only bind mount of its binary
 * that is attached nowhere (open_tree(2), mount_setattr(2): Linux 5.12): that link then leads to a
 * mount on which every open for writing fails with EROFS, and which goes with us. The switch is
 * made in place, without an exec (exe-swap.h); where the kernel refuses that, by executing the
 * binary again through the mount. Where the mount cannot be made (an older kernel, no
 * CAP_SYS_ADMIN over the binary's mount), it switches to a copy in a sealed memfd (F_SEAL_WRITE),
 * as runc does, at the price of the copy.
 * A binary installed where no one can write it (a read-only mount, chattr +i) is safe as it is. */
#pragma once
#include <stdbool.h>

#include "error.h"

/* True when /proc/self/exe cannot be opened for writing: a file on a read-only mount (the detached
 * one sealed_exe_switch makes, or the install's), an immutable file, or a memfd carrying every seal
 * sealed_exe_switch puts on. */
bool self_exe_unwritable(void);
/* The path skiff's binary was run from: /proc/self/exe, or, once sealed_exe_switch has moved to
 * the mount or the copy (which have no directory), $SKIFF_EXE, which it sets. Allocated. */
char *skiff_exe_path(void);
/* Unless self_exe_unwritable(), make /proc/self/exe lead to a detached read-only mount of the
 * binary (or to a sealed memfd copy): in place, or else by executing it again with the same argv and
 * environment, the new image then starting again from main(). Returns 0 once the process runs from
 * it, -errno on failure. A memfd copy is made by this (host-side) process, so its pages are charged
 * to the caller's memory cgroup, never to the container's. */
int sealed_exe_switch(struct error *err);
