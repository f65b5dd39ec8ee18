/* clone(2) that starts the child in a cgroup2 directory (CLONE_INTO_CGROUP, Linux 5.7): the child
 * is born there, with none of the wait that moving it by pid costs (cgroup.h). */
#pragma once
#include <sys/types.h>

/* As fork(2) returns (flags are clone flags: namespaces, CLONE_PARENT; the child's exit signal is
 * SIGCHLD, or with CLONE_PARENT ours). With cgroup_fd >= 0 the child starts in that cgroup2
 * directory; on a kernel without clone3's cgroup field it is cloned as it is and moved there by pid
 * (the slow way) before this returns, or killed if that fails. */
pid_t clone_into(unsigned long flags, int cgroup_fd);
