#include "state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "proc-stat.h"
#include "json.h"
#include "util.h"

bool container_id_valid(const char *id)
{
        if (!id || !*id || strlen(id) > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return false;
        for (const char *p = id; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
                        return false;
        return true;
}

char *state_path(const char *root, const char *id, const char *file)
{
        return file ? xasprintf("%s/%s/%s", root, id, file) : xasprintf("%s/%s", root, id);
}

static int lock_dir(const char *root, const char *id, bool create, bool wait, int *ret_lock_fd,
                    struct error *err)
{
        _cleanup_free_ char *path = state_path(root, id, "lock");
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
        struct stat st;

        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(err, ENOENT, "container \"%s\" does not exist", id);
                return error_sys(err, errno, "open %s", path);
        }
        if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0)
                return error_sys(err, errno, "lock %s", path);
        /* A delete may have removed the dir while we waited for the lock. */
        if (fstat(fd, &st) < 0 || st.st_nlink == 0)
                return error_set(err, ENOENT, "container \"%s\" does not exist", id);
        *ret_lock_fd = TAKE_FD(fd);
        return 0;
}

int state_dir_create(const char *root, const char *id, int *ret_lock_fd, struct error *err)
{
        _cleanup_free_ char *dir = state_path(root, id, NULL);
        int r;

        if (!container_id_valid(id))
                return error_set(err, EINVAL, "invalid container id \"%s\": use letters, digits and _+-.", id);
        if ((r = mkdir_p(root, 0711, err)) < 0)
                return r;
        if (mkdir(dir, 0711) < 0) {
                if (errno == EEXIST)
                        return error_set(err, EEXIST, "container with id \"%s\" already exists", id);
                return error_sys(err, errno, "mkdir %s", dir);
        }
        return lock_dir(root, id, true, true, ret_lock_fd, err);
}

int state_lock(const char *root, const char *id, int *ret_lock_fd, struct error *err)
{
        if (!container_id_valid(id))
                return error_set(err, EINVAL, "invalid container id \"%s\"", id);
        return lock_dir(root, id, false, true, ret_lock_fd, err);
}

int state_trylock(const char *root, const char *id, int *ret_lock_fd, struct error *err)
{
        if (!container_id_valid(id))
                return error_set(err, EINVAL, "invalid container id \"%s\"", id);
        return lock_dir(root, id, false, false, ret_lock_fd, err);
}

static void gen_internal(yajl_gen g, const struct state *st)
{
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "id", st->id);
        json_gen_kv_string(g, "bundle", st->bundle);
        json_gen_kv_string(g, "rootfs", st->rootfs);
        json_gen_kv_string(g, "created", st->created);
        json_gen_kv_string(g, "owner", st->owner);
        json_gen_kv_int(g, "pid", st->pid);
        json_gen_kv_int(g, "startTime", (long long)st->start_time);
        json_gen_kv_int(g, "creator", st->creator);
        json_gen_kv_int(g, "creatorStartTime", (long long)st->creator_start_time);
        json_gen_kv_int(g, "shimPid", st->shim_pid);
        json_gen_kv_int(g, "shimStartTime", (long long)st->shim_start_time);
        json_gen_kv_string(g, "cgroup", st->cgroup);
        json_gen_string(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; st->annotations && st->annotations[i]; i += 2)
                json_gen_kv_string(g, st->annotations[i], st->annotations[i + 1]);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

int state_write(const char *root, const struct state *st, struct error *err)
{
        _cleanup_free_ char *path = state_path(root, st->id, "state.json");
        _cleanup_free_ char *text = NULL;
        yajl_gen g = yajl_gen_alloc(NULL);

        gen_internal(g, st);
        text = json_gen_take(g);
        yajl_gen_free(g);
        return write_file_replace(path, text, strlen(text), err);
}

static void read_long(yajl_val tree, const char *key, long long *ret)
{
        yajl_val v = json_member(tree, key);

        *ret = YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static char *read_str(yajl_val tree, const char *key)
{
        yajl_val v = json_member(tree, key);

        return YAJL_IS_STRING(v) ? xstrdup(v->u.string) : NULL;
}

static void read_exit(const char *root, struct state *st)
{
        _cleanup_free_ char *path = state_path(root, st->id, "exit.json");
        _cleanup_free_ char *text = NULL;
        struct error ignored = { 0 };
        yajl_val tree = NULL;
        long long n;

        if (read_file(path, &text, NULL, &ignored) < 0 || json_parse_string(text, path, &tree, &ignored) < 0)
                return;
        st->has_exit = true;
        st->exit_known = YAJL_IS_INTEGER(json_member(tree, "exitCode"));
        read_long(tree, "exitCode", &n);
        st->exit_code = (int)n;
        read_long(tree, "signal", &n);
        st->exit_signal = (int)n;
        st->exited_at = read_str(tree, "exitedAt");
        st->exit_unknown_why = read_str(tree, "unknown");
        yajl_tree_free(tree);
}

int state_read(const char *root, const char *id, struct state *ret, struct error *err)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        struct state st = { 0 };
        yajl_val tree = NULL;
        long long n;
        int r;

        if (!container_id_valid(id))
                return error_set(err, EINVAL, "invalid container id \"%s\"", id);
        path = state_path(root, id, "state.json");
        if ((r = read_file(path, &text, NULL, err)) < 0) {
                if (r == -ENOENT)
                        return error_set(err, ENOENT, "container \"%s\" does not exist", id);
                return r;
        }
        if ((r = json_parse_string(text, path, &tree, err)) < 0)
                return r;
        st.id = xstrdup(id);
        st.bundle = read_str(tree, "bundle");
        st.rootfs = read_str(tree, "rootfs");
        st.created = read_str(tree, "created");
        st.owner = read_str(tree, "owner");
        st.cgroup = read_str(tree, "cgroup");
        read_long(tree, "pid", &n);
        st.pid = (pid_t)n;
        read_long(tree, "startTime", &n);
        st.start_time = (unsigned long long)n;
        read_long(tree, "creator", &n);
        st.creator = (pid_t)n;
        read_long(tree, "creatorStartTime", &n);
        st.creator_start_time = (unsigned long long)n;
        read_long(tree, "shimPid", &n);
        st.shim_pid = (pid_t)n;
        read_long(tree, "shimStartTime", &n);
        st.shim_start_time = (unsigned long long)n;
        {
                struct error ignored = { 0 };
                yajl_val a = json_member(tree, "annotations");
                if (a)
                        json_to_string_map(a, "annotations", &st.annotations, &ignored);
        }
        yajl_tree_free(tree);
        read_exit(root, &st);
        *ret = st;
        return 0;
}

void state_clear(struct state *st)
{
        free(st->id);
        free(st->bundle);
        free(st->rootfs);
        free(st->created);
        free(st->owner);
        free(st->cgroup);
        free(st->exited_at);
        free(st->exit_unknown_why);
        strv_free(st->annotations);
        memset(st, 0, sizeof(*st));
}

unsigned long long proc_start_time(pid_t pid)
{
        _cleanup_free_ char *text = pid > 0 ? proc_stat_read(pid) : NULL;
        const char *state = proc_stat_field(text, 3), *start = proc_stat_field(text, 22);
        unsigned long long v = 0;

        /* A zombie (state Z or X) has finished: it no longer counts. */
        if (!state || *state == 'Z' || *state == 'X' || !start || sscanf(start, "%llu", &v) != 1)
                return 0;
        return v;
}

bool process_is(pid_t pid, unsigned long long start_time)
{
        return pid > 0 && start_time != 0 && proc_start_time(pid) == start_time;
}

enum exec_fifo_news exec_fifo_wait(int fd, const struct state *st)
{
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        bool alive = process_is(st->pid, st->start_time);
        char byte;

        /* Whatever the poll says (under strace's fault injection, nothing at all), a byte that is
         * there is read: fd does not block. */
        poll(&pfd, 1, alive ? 100 : 0);
        if (read(fd, &byte, 1) == 1)
                return EXEC_FIFO_BYTE;
        return (pfd.revents & ~POLLIN) || !alive ? EXEC_FIFO_CLOSED : EXEC_FIFO_NOTHING_YET;
}

enum status state_status(const char *root, const struct state *st)
{
        _cleanup_free_ char *fifo = NULL;

        if (st->has_exit)
                return STATUS_STOPPED;
        /* A create that died half-way left a container that can never start: stopped. */
        if (st->creator > 0)
                return process_is(st->creator, st->creator_start_time) ? STATUS_CREATING : STATUS_STOPPED;
        if (!process_is(st->pid, st->start_time))
                return STATUS_STOPPED;
        fifo = state_path(root, st->id, "exec.fifo");
        if (access(fifo, F_OK) == 0)
                return STATUS_CREATED;
        if (cgroup_is_frozen(st->cgroup))
                return STATUS_PAUSED;
        return STATUS_RUNNING;
}

const char *status_name(enum status s)
{
        static const char *const names[] = {
                [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created", [STATUS_RUNNING] = "running",
                [STATUS_PAUSED] = "paused",     [STATUS_STOPPED] = "stopped",
        };
        return names[s];
}

char *state_to_oci_json(const char *root, const struct state *st, bool pretty)
{
        enum status s = state_status(root, st);
        yajl_gen g = yajl_gen_alloc(NULL);
        char *text;

        yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "ociVersion", "1.2.0");
        json_gen_kv_string(g, "id", st->id);
        json_gen_kv_string(g, "status", status_name(s));
        json_gen_kv_int(g, "pid", s == STATUS_STOPPED || s == STATUS_CREATING ? 0 : st->pid);
        json_gen_kv_string(g, "bundle", st->bundle);
        json_gen_kv_string(g, "rootfs", st->rootfs);
        json_gen_kv_string(g, "created", st->created);
        json_gen_kv_string(g, "owner", st->owner ? st->owner : "");
        json_gen_string(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; st->annotations && st->annotations[i]; i += 2)
                json_gen_kv_string(g, st->annotations[i], st->annotations[i + 1]);
        yajl_gen_map_close(g);
        if (st->has_exit) {
                /* skiff's own extension: OCI state parsers ignore unknown members. */
                json_gen_string(g, "skiff.exit");
                yajl_gen_map_open(g);
                if (st->exit_known) {
                        json_gen_kv_int(g, "exitCode", st->exit_code);
                        json_gen_kv_int(g, "signal", st->exit_signal);
                } else {
                        json_gen_kv_string(g, "unknown", st->exit_unknown_why);
                }
                json_gen_kv_string(g, "exitedAt", st->exited_at);
                yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        return text;
}
