#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "mount-idmap.h"
#include "mount-options.h"
#include "util.h"

char *fd_path(int fd)
{
        return xasprintf("/proc/self/fd/%d", fd);
}

static int open_in_root(int rootfd, const char *path, int *ret_fd)
{
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        if (fd < 0)
                return -errno;
        *ret_fd = (int)fd;
        return 0;
}

/* Make NAME in the directory open at PARENT: a directory unless it is the LAST component of a file's
 * path. Never follows a symlink; one made meanwhile by someone else is fine (EEXIST). */
static int make_entry(int parent, const char *name, bool last, bool dir, const char *path, struct error *err)
{
        int f;

        if (!last || dir) {
                if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                        return error_sys(err, errno, "mkdir %s in the rootfs", path);
                return 0;
        }
        f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (f < 0 && errno != EEXIST)
                return error_sys(err, errno, "create %s in the rootfs", path);
        if (f >= 0)
                close(f);
        return 0;
}

/* Mostly only the last component is missing (a mount point): make it in its parent, resolved in the
 * root like every step of the walk below. -ENOENT: the parent is missing too, or there is none. */
static int make_in_existing_parent(int rootfd, const char *path, bool dir, int *ret_fd, struct error *err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_close_ int parent = -1;
        char *slash;
        int r;

        for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
                copy[n - 1] = '\0';
        slash = strrchr(copy, '/');
        if (!slash || !slash[1])
                return -ENOENT;
        *slash = '\0';
        r = open_in_root(rootfd, slash == copy ? "/" : copy, &parent);
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return error_sys(err, -r, "resolve %s in the rootfs", path);
        if ((r = make_entry(parent, slash + 1, true, dir, path, err)) < 0)
                return r;
        if ((r = open_in_root(rootfd, path, ret_fd)) < 0)
                return error_sys(err, -r, "resolve %s in the rootfs", path);
        return 0;
}

int resolve_in_root(int rootfd, const char *path, bool create, bool dir, int *ret_fd, struct error *err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_close_ int parent = -1;
        char *p = copy;
        int r, fd = -1;

        r = open_in_root(rootfd, path, &fd);
        if (r == 0) {
                *ret_fd = fd;
                return 0;
        }
        if (r != -ENOENT || !create)
                return error_sys(err, -r, "resolve %s in the rootfs", path);
        if ((r = make_in_existing_parent(rootfd, path, dir, ret_fd, err)) != -ENOENT)
                return r;
        /* Walk down, making what is missing; each step re-resolves inside the root. */
        if ((r = open_in_root(rootfd, "/", &fd)) < 0)
                return error_sys(err, -r, "open rootfs");
        parent = fd;
        for (;;) {
                char *slash, *name;
                bool last;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                name = p;
                slash = strchr(p, '/');
                if (slash)
                        *slash = '\0';
                last = !slash || !slash[1 + strspn(slash + 1, "/")];
                r = open_in_root(rootfd, copy, &fd);
                if (r == -ENOENT) {
                        if ((r = make_entry(parent, name, last, dir, copy, err)) < 0)
                                return r;
                        r = open_in_root(rootfd, copy, &fd);
                }
                if (r < 0)
                        return error_sys(err, -r, "resolve %s in the rootfs", copy);
                close(parent);
                parent = fd;
                if (!slash)
                        break;
                *slash = '/';
                p = slash + 1;
        }
        *ret_fd = TAKE_FD(parent);
        return 0;
}

unsigned long mount_current_flags(const char *path)
{
        struct statvfs sv;
        unsigned long flags = 0;

        if (statvfs(path, &sv) < 0)
                return 0;
        if (sv.f_flag & ST_NOSUID)
                flags |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                flags |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                flags |= MS_NOEXEC;
        if (sv.f_flag & ST_RDONLY)
                flags |= MS_RDONLY;
        return flags;
}

static int remount_bind(const char *target, unsigned long flags, struct error *err)
{
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0)
                return 0;
        if (errno == EPERM &&
            mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags | mount_current_flags(target), NULL) == 0)
                return 0;
        return error_sys(err, errno, "remount");
}

static bool source_is_dir(const char *source)
{
        struct stat st;

        return !source || stat(source, &st) < 0 || S_ISDIR(st.st_mode);
}

/* The container's cgroups under dest: cgroup2 as it is, v1 as a tmpfs of bind mounts. */
static int mount_cgroup(int rootfd, const struct spec_mount *m, const struct mount_options *mo, bool cgroupns,
                        struct error *err);

static int mount_apply_attrs(int rootfd, const char *dest, const struct mount_options *mo, struct error *err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *target = NULL;
        int r;

        if ((r = resolve_in_root(rootfd, dest, false, false, &fd, err)) < 0)
                return r;
        target = fd_path(fd);
        if (mo->propagation && mount(NULL, target, NULL, mo->propagation, NULL) < 0)
                return error_sys(err, errno, "set propagation");
        if (mo->attr_set || mo->attr_clr) {
                struct mount_attr attr = { .attr_set = mo->attr_set, .attr_clr = mo->attr_clr };
                if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                        return error_sys(err, errno, "set recursive mount attributes");
        }
        return 0;
}

static int mount_one(int rootfd, const struct spec_mount *m, bool cgroupns, struct error *err)
{
        struct mount_options mo;
        _cleanup_close_ int fd = -1, newfd = -1;
        _cleanup_free_ char *target = NULL, *data = NULL;
        const char *type = m->type;
        unsigned long flags;
        int r;

        mount_options_parse(m->options, &mo);
        data = TAKE_PTR(mo.data);
        if (type && strcmp(type, "bind") == 0)
                mo.bind = true;
        if (type && strcmp(type, "cgroup") == 0 && !mo.bind) {
                r = mount_cgroup(rootfd, m, &mo, cgroupns, err);
                goto out;
        }
        r = resolve_in_root(rootfd, m->destination, true, !mo.bind || source_is_dir(m->source), &fd, err);
        if (r < 0)
                goto out;
        target = fd_path(fd);
        flags = mo.flags & ~MS_REMOUNT;
        if (mo.bind) {
                if (!m->source) {
                        r = error_set(err, EINVAL, "a bind mount needs a source");
                        goto out;
                }
                if (m->idmap_ready) {
                        if ((r = mount_idmap_attach(m, fd, err)) < 0)
                                goto out;
                } else if (mount(m->source, target, NULL, MS_BIND | (mo.recursive_bind ? MS_REC : 0), NULL) < 0) {
                        r = error_sys(err, errno, "bind %s", m->source);
                        goto out;
                }
                if (flags & ~MS_REC) {
                        /* The remount must reach the new mount, not the dir under it: re-resolve. */
                        if ((r = resolve_in_root(rootfd, m->destination, false, false, &newfd, err)) < 0)
                                goto out;
                        free(target);
                        target = fd_path(newfd);
                        if ((r = remount_bind(target, flags, err)) < 0)
                                goto out;
                }
        } else if (mount(m->source ? m->source : type, target, type, flags, data) < 0) {
                int e = errno;
                /* sysfs needs a network namespace we own; without one, runc binds the host's. */
                if (type && strcmp(type, "sysfs") == 0 && (e == EPERM || e == EBUSY) &&
                    mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) == 0) {
                        /* The flags asked for sysfs (ro, nosuid, ...) hold for the host's /sys and
                         * every mount below it. */
                        mo.attr_set |= mount_attrs_from_flags(flags);
                        r = 0;
                } else {
                        r = error_sys(err, e, "mount %s", type ? type : "(no type)");
                        goto out;
                }
        }
        r = mount_apply_attrs(rootfd, m->destination, &mo, err);
out:
        mount_options_clear(&mo);
        return r;
}

int mount_spec_mount(const struct spec *spec, size_t i, int rootfd, struct error *err)
{
        int r = mount_one(rootfd, &spec->mounts[i], spec_namespace(spec, CLONE_NEWCGROUP) != NULL, err);

        return r < 0 ? error_wrap(err, "mounts[%zu] (%s)", i, spec->mounts[i].destination) : 0;
}

bool mount_shows_cgroups(const struct spec_mount *m)
{
        return m->type && strcmp(m->type, "cgroup") == 0;
}

/* The directory NAME in TOP, a tmpfs this init has just mounted: nobody else has had a chance to put a
 * symlink there, and one component with O_NOFOLLOW cannot leave it anyway. */
static int open_in_fresh_tmpfs(int top, const char *name, int *ret_fd, struct error *err)
{
        int fd = openat(top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return error_sys(err, errno, "open %s for its cgroup", name);
        *ret_fd = fd;
        return 0;
}

/* Each line of /proc/self/cgroup is "ID:CONTROLLERS:PATH"; v1 controllers are mounted
 * where /proc/self/mountinfo says. The container's own cgroup is bound in TOP (the tmpfs). */
static int mount_cgroup_v1(int top, unsigned long flags, bool cgroupns, struct error *err)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int r;

        if (!f)
                return error_sys(err, errno, "open /proc/self/cgroup");
        while (getline(&line, &cap, f) > 0) {
                char *ctrl = strchr(line, ':'), *path;
                _cleanup_free_ char *src = NULL, *target = NULL;
                _cleanup_close_ int fd = -1;
                const char *dir;

                if (!ctrl || !(path = strchr(ctrl + 1, ':')))
                        continue;
                *path++ = '\0';
                ctrl++;
                path[strcspn(path, "\n")] = '\0';
                if (!*ctrl)
                        continue; /* the v2 line of a hybrid host */
                dir = strncmp(ctrl, "name=", 5) == 0 ? ctrl + 5 : ctrl;
                src = xasprintf("/sys/fs/cgroup/%s%s", dir, path);
                if (!cgroupns && access(src, F_OK) < 0)
                        continue;
                if (mkdirat(top, dir, 0755) < 0 && errno != EEXIST)
                        return error_sys(err, errno, "mkdir %s for its cgroup", dir);
                if ((r = open_in_fresh_tmpfs(top, dir, &fd, err)) < 0)
                        return r;
                target = fd_path(fd);
                /* In its own cgroup namespace the kernel shows the container its cgroup as the root,
                 * and a new mount takes the flags as they are; a bind needs a remount for them. */
                if (cgroupns ? mount("cgroup", target, "cgroup", flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, ctrl) < 0
                             : mount(src, target, NULL, MS_BIND, NULL) < 0)
                        return error_sys(err, errno, "mount the %s cgroup", ctrl);
                if (cgroupns)
                        continue;
                close(fd);
                fd = -1;
                if ((r = open_in_fresh_tmpfs(top, dir, &fd, err)) < 0)
                        return r;
                free(target);
                target = fd_path(fd);
                if ((r = remount_bind(target, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, err)) < 0)
                        return r;
        }
        return 0;
}

static int mount_cgroup(int rootfd, const struct spec_mount *m, const struct mount_options *mo, bool cgroupns,
                        struct error *err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *target = NULL;
        int r;

        if ((r = resolve_in_root(rootfd, m->destination, true, true, &fd, err)) < 0)
                return r;
        target = fd_path(fd);
        if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                if (mount("cgroup2", target, "cgroup2", mo->flags & ~MS_REMOUNT, NULL) == 0)
                        return 0;
                /* Without a cgroup namespace of its own the kernel may refuse: bind the host's. */
                if (mount("/sys/fs/cgroup", target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return error_sys(err, errno, "mount cgroup2");
                return 0;
        }
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
                return error_sys(err, errno, "mount tmpfs for cgroups");
        _cleanup_close_ int top = -1;
        if ((r = resolve_in_root(rootfd, m->destination, false, true, &top, err)) < 0 ||
            (r = mount_cgroup_v1(top, mo->flags & MS_RDONLY, cgroupns, err)) < 0)
                return r;
        if (mo->flags & MS_RDONLY) {
                _cleanup_free_ char *t = fd_path(top);
                if (mount(NULL, t, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
                        return error_sys(err, errno, "remount cgroup tmpfs read-only");
        }
        return 0;
}
