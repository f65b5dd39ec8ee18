#include "container-resources.h"

#include <errno.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

/* The container's state under its lock, when its status is one of `allowed` (a bit per status). */
static int read_locked(const char *root, const char *id, unsigned allowed, const char *refusal, int *ret_lock,
                       struct state *st, struct error *err)
{
        _cleanup_close_ int lock = -1;
        enum status s;
        int r;

        if ((r = state_lock(root, id, &lock, err)) < 0 || (r = state_read(root, id, st, err)) < 0)
                return r;
        s = state_status(root, st);
        if (!(allowed & (1u << s)) || !st->cgroup) {
                state_clear(st);
                return error_set(err, EINVAL, "%s", refusal);
        }
        *ret_lock = TAKE_FD(lock);
        return 0;
}

#define LIVE ((1u << STATUS_CREATED) | (1u << STATUS_RUNNING) | (1u << STATUS_PAUSED))

static int freeze(const char *root, const char *id, bool frozen, struct error *err)
{
        _cleanup_close_ int lock = -1;
        struct state st = { 0 };
        int r;

        /* runc's words: engines match them. */
        if ((r = read_locked(root, id, 1u << (frozen ? STATUS_RUNNING : STATUS_PAUSED),
                             frozen ? "container not running" : "container not paused", &lock, &st, err)) < 0)
                return r;
        r = cgroup_freeze(st.cgroup, frozen, err);
        state_clear(&st);
        return r;
}

int container_pause(const char *root, const char *id, struct error *err)
{
        return freeze(root, id, true, err);
}

int container_resume(const char *root, const char *id, struct error *err)
{
        return freeze(root, id, false, err);
}

int container_update(const char *root, const char *id, const struct spec_resources *res, struct error *err)
{
        _cleanup_close_ int lock = -1;
        struct state st = { 0 };
        int r;

        if ((r = read_locked(root, id, LIVE, "container not running", &lock, &st, err)) < 0)
                return r;
        r = cgroup_update(st.cgroup, res, err);
        state_clear(&st);
        return r;
}

int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct error *err)
{
        struct state st = { 0 };
        enum status s;
        int r;

        /* Read-only: no lock, as `state` and `list` do. */
        if ((r = state_read(root, id, &st, err)) < 0)
                return r;
        s = state_status(root, &st);
        if (s == STATUS_STOPPED || !st.cgroup)
                r = error_set(err, EINVAL, "container not running");
        else
                r = cgroup_pids(st.cgroup, ret, ret_n, err);
        state_clear(&st);
        return r;
}

int container_stats(const char *root, const char *id, struct cgroup_stats *ret, bool *ret_stopped, struct error *err)
{
        struct state st = { 0 };
        int r;

        if ((r = state_read(root, id, &st, err)) < 0)
                return r;
        *ret_stopped = state_status(root, &st) == STATUS_STOPPED || !st.cgroup;
        r = *ret_stopped ? 0 : cgroup_stats(st.cgroup, ret, err);
        state_clear(&st);
        return r;
}
