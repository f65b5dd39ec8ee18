/* A process that forks or clones keeps its child on its own CPU, and the child waits there while the
 * parent runs on: on an otherwise idle second CPU, create made the cgroup while the init it had just
 * cloned sat waiting for it to block. Create steps aside to another CPU instead, so that the init's
 * set-up (its new namespaces, its first mounts) and the cgroup's are made at the same time. */
#pragma once
#include <sched.h>
#include <stdbool.h>

struct cpu_aside {
        cpu_set_t saved;
        bool moved;
};

/* Bind the caller to the CPUs it may use but the one it is on; nothing when it may use only one. */
void cpu_step_aside(struct cpu_aside *a);
/* Undo cpu_step_aside: the caller may use every CPU it could before. */
void cpu_step_back(struct cpu_aside *a);
