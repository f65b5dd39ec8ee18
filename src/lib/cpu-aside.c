#include "cpu-aside.h"

void cpu_step_aside(struct cpu_aside *a)
{
        cpu_set_t others;
        int here = sched_getcpu();

        a->moved = false;
        if (here < 0 || sched_getaffinity(0, sizeof(a->saved), &a->saved) < 0 || CPU_COUNT(&a->saved) < 2)
                return;
        others = a->saved;
        CPU_CLR(here, &others);
        a->moved = sched_setaffinity(0, sizeof(others), &others) == 0;
}

void cpu_step_back(struct cpu_aside *a)
{
        /* A failure leaves the caller on fewer CPUs: slower, not wrong. It is skiff's own process
         * (create, or run's waiting parent), never the container's: the init was spawned first. */
        if (a->moved)
                sched_setaffinity(0, sizeof(a->saved), &a->saved);
        a->moved = false;
}
