#include "teardown.h"

#include "cgroup.h"
#include "storage-release.h"

int container_release(const char *id, const char *cgroup, struct error *err)
{
        int r;

        if (cgroup && *cgroup && (r = cgroup_destroy(cgroup, err)) < 0)
                return r;
        /* The thin rootfs's mount died with the container's namespace: deactivate its device. */
        return storage_release_by_skiff(id, err);
}
