#include "cpu-apart.h"

void cpu_apart_begin(struct cpu_apart *a)
{
        cpu_set_t here;

        a->here = sched_getcpu();
        a->possible = a->here >= 0 && sched_getaffinity(0, sizeof(a->all), &a->all) == 0 && CPU_COUNT(&a->all) > 1 &&
                      CPU_ISSET(a->here, &a->all);
        if (!a->possible)
                return;
        /* The CPU it is on: no move, nothing to wait for. */
        CPU_ZERO(&here);
        CPU_SET(a->here, &here);
        sched_setaffinity(0, sizeof(here), &here);
}

void cpu_apart_send(const struct cpu_apart *a, pid_t pid)
{
        cpu_set_t others;

        if (!a->possible)
                return;
        others = a->all;
        CPU_CLR(a->here, &others);
        /* A failure leaves the child beside its parent: slower, not wrong. */
        sched_setaffinity(pid, sizeof(others), &others);
}

void cpu_apart_rejoin(const struct cpu_apart *a)
{
        /* A failure would leave the workload on fewer CPUs than its caller gave it: the tests look. */
        if (a->possible)
                sched_setaffinity(0, sizeof(a->all), &a->all);
}
