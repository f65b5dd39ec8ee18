#include "mount-idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-options.h"
#include "namespaces.h"
#include "util.h"

struct maps {
        const struct spec_id_mapping *uid, *gid;
        size_t n_uid, n_gid;
        char uid_field[64], gid_field[64];     /* for messages */
};

/* A user namespace holding the maps, made by a child that waits until we hold the namespace's fd. */
static int userns_with(const struct maps *maps, int *ret_fd, struct error *err)
{
        int ready[2], hold[2], status, r = 0;
        _cleanup_free_ char *path = NULL;
        pid_t pid;
        char byte = 0;

        if (pipe2(ready, O_CLOEXEC) < 0)
                return error_sys(err, errno, "%s: pipe", maps->uid_field);
        if (pipe2(hold, O_CLOEXEC) < 0) {
                close(ready[0]);
                close(ready[1]);
                return error_sys(err, errno, "%s: pipe", maps->uid_field);
        }
        pid = fork();
        if (pid == 0) {
                close(ready[0]);
                close(hold[1]);
                if (unshare(CLONE_NEWUSER) < 0 || write(ready[1], &byte, 1) != 1)
                        _exit(1);
                while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
                        ;
                _exit(0);
        }
        close(ready[1]);
        close(hold[0]);
        if (pid < 0)
                r = error_sys(err, errno, "%s: fork", maps->uid_field);
        else if (read(ready[0], &byte, 1) != 1)
                r = error_set(err, EPERM, "%s: could not make a user namespace for the mapping", maps->uid_field);
        else if ((r = ns_write_map(pid, "uid_map", maps->uid, maps->n_uid, maps->uid_field, err)) == 0 &&
                 (r = ns_write_map(pid, "gid_map", maps->gid, maps->n_gid, maps->gid_field, err)) == 0) {
                path = xasprintf("/proc/%d/ns/user", (int)pid);
                *ret_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (*ret_fd < 0)
                        r = error_sys(err, errno, "open %s", path);
        }
        close(ready[0]);
        close(hold[1]);
        if (pid > 0)
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        return r;
}

/* The mount's own mappings, else the container's (a new user namespace with mappings). */
static int maps_for(const struct spec *spec, const struct spec_mount *m, const char *field, struct maps *ret,
                    struct error *err)
{
        const struct spec_namespace *user = spec_namespace(spec, CLONE_NEWUSER);

        if (m->n_uid_mappings || m->n_gid_mappings) {
                if (!m->n_uid_mappings || !m->n_gid_mappings)
                        return error_set(err, EINVAL, "%s: idmap needs both uidMappings and gidMappings", field);
                *ret = (struct maps){ .uid = m->uid_mappings, .gid = m->gid_mappings, .n_uid = m->n_uid_mappings,
                                      .n_gid = m->n_gid_mappings };
                snprintf(ret->uid_field, sizeof(ret->uid_field), "%s.uidMappings", field);
                snprintf(ret->gid_field, sizeof(ret->gid_field), "%s.gidMappings", field);
                return 0;
        }
        if (!user || user->path || !spec->linux_cfg.n_uid_mappings || !spec->linux_cfg.n_gid_mappings)
                return error_set(err, EINVAL, "%s.options: idmap needs the mount's uidMappings and gidMappings, "
                                 "or a new user namespace with mappings", field);
        *ret = (struct maps){ .uid = spec->linux_cfg.uid_mappings, .gid = spec->linux_cfg.gid_mappings,
                              .n_uid = spec->linux_cfg.n_uid_mappings, .n_gid = spec->linux_cfg.n_gid_mappings,
                              .uid_field = "linux.uidMappings", .gid_field = "linux.gidMappings" };
        return 0;
}

static int make_tree(const struct spec *spec, struct spec_mount *m, const struct mount_options *mo,
                     const char *field, struct error *err)
{
        _cleanup_close_ int userns = -1, tree = -1;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
        struct maps maps = { 0 };
        int r;

        if (!mo->bind)
                return error_set(err, EINVAL, "%s.options: idmap and ridmap are for bind mounts", field);
        if (!m->source)
                return error_set(err, EINVAL, "%s.source: a bind mount needs a source", field);
        if ((r = maps_for(spec, m, field, &maps, err)) < 0 || (r = userns_with(&maps, &userns, err)) < 0)
                return r;
        tree = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                      (mo->recursive_bind ? AT_RECURSIVE : 0));
        if (tree < 0)
                return error_sys(err, errno, "%s: open_tree %s", field, m->source);
        attr.userns_fd = (unsigned)userns;
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (mo->recursive_idmap ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return error_sys(err, errno, "%s: idmap %s (does its filesystem support idmapped mounts?)", field,
                                 m->source);
        m->idmap_fd = TAKE_FD(tree);
        m->idmap_ready = true;
        return 0;
}

int mount_idmap_prepare(struct spec *spec, struct error *err)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                struct spec_mount *m = &spec->mounts[i];
                _cleanup_free_ char *field = xasprintf("mounts[%zu]", i);
                struct mount_options mo;
                int r = 0;

                mount_options_parse(m->options, &mo);
                mo.bind = mo.bind || (m->type && strcmp(m->type, "bind") == 0);
                if (mo.idmap && !m->idmap_ready)
                        r = make_tree(spec, m, &mo, field, err);
                mount_options_clear(&mo);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mount_idmap_attach(const struct spec_mount *m, int target_fd, struct error *err)
{
        if (move_mount(m->idmap_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_sys(err, errno, "move the idmapped %s into place", m->source);
        return 0;
}
