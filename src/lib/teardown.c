#include "teardown.h"

#include "cgroup.h"

int container_release(const char *cgroup, struct error *err)
{
        if (cgroup && *cgroup)
                return cgroup_destroy(cgroup, err);
        return 0;
}
