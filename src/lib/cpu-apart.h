/* A process that forks or clones keeps its child on its own CPU, and the child waits there while the
 * parent runs on: on an otherwise idle second CPU, create made the cgroup while the init it had just
 * cloned sat waiting for it to block. So create sends the process it has just spawned to its other
 * CPUs, and the init's set-up (its new namespaces, its first mounts) and the cgroup's are made at the
 * same time. The spawned process takes back every CPU create had once that is over: the init on
 * SYNC_GO, the shim-to-be before it becomes skiff-shim.
 *
 * Create itself never moves, and until it is done it stays where it is: woken by the init (SYNC_READY),
 * it would otherwise follow it to its CPU, there to wait for the init's seccomp load. And a process
 * that has run on two CPUs pays for it when it frees its page tables (at exit, say): the other CPU
 * must flush them too, and it waits for that (80 us more per exit on this 2-CPU VM). Moving a child
 * that is not yet running takes no wait at all. */
#pragma once
#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>

struct cpu_apart {
        cpu_set_t all;  /* the spawning process's CPUs, to be taken back */
        int here;       /* the one it runs on */
        bool possible;  /* it may use more than one */
};

/* In the spawning process, before it forks or clones: what cpu_apart_send and cpu_apart_rejoin use;
 * and the caller stays on the CPU it is on until its own cpu_apart_rejoin. */
void cpu_apart_begin(struct cpu_apart *a);
/* Bind PID, just spawned, to every CPU in a->all but a->here. The spawned process calls it too, first
 * thing, with PID 0: the scheduler may let a new child run before its parent on their CPU, and it
 * would then hold that CPU, its parent bound to it, until it blocked: its set-up and the cgroup's one
 * after the other again (in about a third of `run`s, 0.4 ms each). Whichever call comes second finds
 * the mask set and does nothing. */
void cpu_apart_send(const struct cpu_apart *a, pid_t pid);
/* In the spawned process (or the init it cloned), and in the spawning one when it is done: every CPU
 * of a->all again. */
void cpu_apart_rejoin(const struct cpu_apart *a);
