#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "namespaces.h"
#include "spec-process.h"
#include "util.h"

/* A field path such as "process.user.uid", built as the parser descends. */
#define FIELD(...) _cleanup_free_ char *field = xasprintf(__VA_ARGS__)

/* The optional member KEY of obj (uidMappings or gidMappings of linux, or of a mount); parent is
 * obj's field ("linux", "mounts[2]"). */
static int opt_id_mappings(yajl_val obj, const char *key, const char *parent, struct spec_id_mapping **ret,
                           size_t *ret_n, struct error *err)
{
        yajl_val arr = json_member(obj, key);
        FIELD("%s.%s", parent, key);
        size_t len;
        int r;

        if (!arr)
                return 0;
        if ((r = json_to_array(arr, field, &len, err)) < 0)
                return r;
        *ret = xcalloc(len, sizeof(**ret));
        *ret_n = len;
        for (size_t i = 0; i < len; i++) {
                yajl_val item = arr->u.array.values[i];
                struct {
                        const char *key;
                        uint32_t *dst;
                } keys[] = { { "containerID", &(*ret)[i].container_id },
                             { "hostID", &(*ret)[i].host_id },
                             { "size", &(*ret)[i].size } };

                for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                        _cleanup_free_ char *f = xasprintf("%s[%zu].%s", field, i, keys[k].key);
                        yajl_val v = json_member(item, keys[k].key);

                        if (!v)
                                return error_set(err, EINVAL, "%s: missing", f);
                        if ((r = json_to_uint32(v, f, keys[k].dst, err)) < 0)
                                return r;
                }
        }
        return 0;
}

static int parse_mounts(yajl_val arr, struct spec *spec, struct error *err)
{
        size_t len;
        int r;

        if ((r = json_to_array(arr, "mounts", &len, err)) < 0)
                return r;
        spec->mounts = xcalloc(len, sizeof(*spec->mounts));
        for (size_t i = 0; i < len; i++) {
                yajl_val item = arr->u.array.values[i];
                struct spec_mount *m = &spec->mounts[i];
                FIELD("mounts[%zu]", i);

                spec->n_mounts = i + 1;
                if ((r = json_to_object(item, field, err)) < 0)
                        return r;
                if (!json_member(item, "destination"))
                        return error_set(err, EINVAL, "%s.destination: missing", field);
                if ((r = json_opt_string(item, "destination", field, &m->destination, err)) < 0 ||
                    (r = json_opt_string(item, "type", field, &m->type, err)) < 0 ||
                    (r = json_opt_string(item, "source", field, &m->source, err)) < 0 ||
                    (r = json_opt_strv(item, "options", field, &m->options, err)) < 0)
                        return r;
                if (m->destination[0] != '/')
                        return error_set(err, EINVAL, "%s.destination: \"%s\" is not an absolute path", field,
                                         m->destination);
                if ((r = opt_id_mappings(item, "uidMappings", field, &m->uid_mappings, &m->n_uid_mappings, err)) < 0 ||
                    (r = opt_id_mappings(item, "gidMappings", field, &m->gid_mappings, &m->n_gid_mappings, err)) < 0)
                        return r;
        }
        return 0;
}

static int parse_namespaces(yajl_val arr, struct spec_linux *l, struct error *err)
{
        size_t len;
        int r;

        if ((r = json_to_array(arr, "linux.namespaces", &len, err)) < 0)
                return r;
        l->namespaces = xcalloc(len, sizeof(*l->namespaces));
        for (size_t i = 0; i < len; i++) {
                yajl_val item = arr->u.array.values[i];
                struct spec_namespace *ns = &l->namespaces[i];
                _cleanup_free_ char *type = NULL;
                FIELD("linux.namespaces[%zu]", i);

                l->n_namespaces = i + 1;
                if ((r = json_to_object(item, field, err)) < 0)
                        return r;
                if (!json_member(item, "type"))
                        return error_set(err, EINVAL, "%s.type: missing", field);
                if ((r = json_opt_string(item, "type", field, &type, err)) < 0 ||
                    (r = json_opt_string(item, "path", field, &ns->path, err)) < 0)
                        return r;
                ns->type = ns_type_from_name(type);
                if (!ns->type)
                        return error_set(err, EINVAL, "%s.type: unknown namespace type \"%s\"", field, type);
                for (size_t j = 0; j < i; j++)
                        if (l->namespaces[j].type == ns->type)
                                return error_set(err, EINVAL, "%s.type: namespace \"%s\" given twice", field, type);
        }
        return 0;
}

static int parse_devices(yajl_val arr, struct spec_linux *l, struct error *err)
{
        size_t len;
        int r;

        if ((r = json_to_array(arr, "linux.devices", &len, err)) < 0)
                return r;
        l->devices = xcalloc(len, sizeof(*l->devices));
        for (size_t i = 0; i < len; i++) {
                yajl_val item = arr->u.array.values[i], v;
                struct spec_device *d = &l->devices[i];
                _cleanup_free_ char *type = NULL;
                FIELD("linux.devices[%zu]", i);
                uint32_t n;

                l->n_devices = i + 1;
                if ((r = json_to_object(item, field, err)) < 0)
                        return r;
                if (!json_member(item, "path") || !json_member(item, "type"))
                        return error_set(err, EINVAL, "%s: needs path and type", field);
                if ((r = json_opt_string(item, "path", field, &d->path, err)) < 0 ||
                    (r = json_opt_string(item, "type", field, &type, err)) < 0)
                        return r;
                if (d->path[0] != '/')
                        return error_set(err, EINVAL, "%s.path: \"%s\" is not an absolute path", field, d->path);
                if (strlen(type) != 1 || !strchr("cbup", type[0]))
                        return error_set(err, EINVAL, "%s.type: \"%s\" is not one of c, b, u, p", field, type);
                d->type = type[0];
                if ((v = json_member(item, "major"))) {
                        _cleanup_free_ char *f = xasprintf("%s.major", field);
                        if ((r = json_to_int64(v, f, &d->major, err)) < 0)
                                return r;
                }
                if ((v = json_member(item, "minor"))) {
                        _cleanup_free_ char *f = xasprintf("%s.minor", field);
                        if ((r = json_to_int64(v, f, &d->minor, err)) < 0)
                                return r;
                }
                if (d->type != 'p' && (!json_member(item, "major") || !json_member(item, "minor")))
                        return error_set(err, EINVAL, "%s: a device of type %c needs major and minor", field, d->type);
                if ((v = json_member(item, "fileMode"))) {
                        _cleanup_free_ char *f = xasprintf("%s.fileMode", field);
                        if ((r = json_to_uint32(v, f, &n, err)) < 0)
                                return r;
                        d->has_mode = true;
                        d->mode = n & 07777;
                }
                if ((v = json_member(item, "uid"))) {
                        _cleanup_free_ char *f = xasprintf("%s.uid", field);
                        if ((r = json_to_uint32(v, f, &n, err)) < 0)
                                return r;
                        d->has_uid = true;
                        d->uid = n;
                }
                if ((v = json_member(item, "gid"))) {
                        _cleanup_free_ char *f = xasprintf("%s.gid", field);
                        if ((r = json_to_uint32(v, f, &n, err)) < 0)
                                return r;
                        d->has_gid = true;
                        d->gid = n;
                }
        }
        return 0;
}

static int parse_time_offsets(yajl_val obj, struct spec_linux *l, struct error *err)
{
        int r;

        if ((r = json_to_object(obj, "linux.timeOffsets", err)) < 0)
                return r;
        l->time_offsets = xcalloc(obj->u.object.len, sizeof(*l->time_offsets));
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *name = obj->u.object.keys[i];
                yajl_val item = obj->u.object.values[i], v;
                struct spec_time_offset *t = &l->time_offsets[i];
                FIELD("linux.timeOffsets.%s", name);

                if (strcmp(name, "monotonic") == 0)
                        t->clock = CLOCK_MONOTONIC;
                else if (strcmp(name, "boottime") == 0)
                        t->clock = CLOCK_BOOTTIME;
                else
                        return error_set(err, EINVAL, "%s: unknown clock (monotonic or boottime)", field);
                if ((r = json_to_object(item, field, err)) < 0)
                        return r;
                if ((v = json_member(item, "secs"))) {
                        _cleanup_free_ char *f = xasprintf("%s.secs", field);
                        if ((r = json_to_int64(v, f, &t->secs, err)) < 0)
                                return r;
                }
                if ((v = json_member(item, "nanosecs"))) {
                        _cleanup_free_ char *f = xasprintf("%s.nanosecs", field);
                        if ((r = json_to_uint32(v, f, &t->nanosecs, err)) < 0)
                                return r;
                        if (t->nanosecs >= 1000000000)
                                return error_set(err, EINVAL, "%s: must be below 1000000000", f);
                }
                l->n_time_offsets = i + 1;
        }
        return 0;
}

static int parse_personality(yajl_val obj, struct spec_linux *l, struct error *err)
{
        _cleanup_free_ char *domain = NULL;
        _cleanup_strv_ char **flags = NULL;
        int r;

        if ((r = json_to_object(obj, "linux.personality", err)) < 0 ||
            (r = json_opt_string(obj, "domain", "linux.personality", &domain, err)) < 0 ||
            (r = json_opt_strv(obj, "flags", "linux.personality", &flags, err)) < 0)
                return r;
        if (!domain)
                return error_set(err, EINVAL, "linux.personality.domain: missing");
        if (strcmp(domain, "LINUX") == 0)
                l->personality = PER_LINUX;
        else if (strcmp(domain, "LINUX32") == 0)
                l->personality = PER_LINUX32;
        else
                return error_set(err, EINVAL, "linux.personality.domain: \"%s\" is not LINUX or LINUX32", domain);
        if (flags && flags[0])
                return error_set(err, EINVAL, "linux.personality.flags: no flags are supported");
        l->has_personality = true;
        return 0;
}

static int parse_linux(yajl_val lx, struct spec_linux *l, struct error *err)
{
        yajl_val v;
        int r;

        if ((r = json_to_object(lx, "linux", err)) < 0)
                return r;
        if ((v = json_member(lx, "namespaces")) && (r = parse_namespaces(v, l, err)) < 0)
                return r;
        if ((r = opt_id_mappings(lx, "uidMappings", "linux", &l->uid_mappings, &l->n_uid_mappings, err)) < 0 ||
            (r = opt_id_mappings(lx, "gidMappings", "linux", &l->gid_mappings, &l->n_gid_mappings, err)) < 0)
                return r;
        if ((v = json_member(lx, "devices")) && (r = parse_devices(v, l, err)) < 0)
                return r;
        if ((r = json_opt_string(lx, "cgroupsPath", "linux", &l->cgroups_path, err)) < 0)
                return r;
        if ((v = json_member(lx, "resources")) && !YAJL_IS_NULL(v) &&
            (r = spec_resources_parse(v, "linux.resources", &l->resources, err)) < 0)
                return r;
        if ((v = json_member(lx, "sysctl")) && (r = json_to_string_map(v, "linux.sysctl", &l->sysctl, err)) < 0)
                return r;
        if ((r = json_opt_strv(lx, "maskedPaths", "linux", &l->masked_paths, err)) < 0 ||
            (r = json_opt_strv(lx, "readonlyPaths", "linux", &l->readonly_paths, err)) < 0 ||
            (r = json_opt_string(lx, "rootfsPropagation", "linux", &l->rootfs_propagation, err)) < 0)
                return r;
        if ((v = json_member(lx, "timeOffsets")) && (r = parse_time_offsets(v, l, err)) < 0)
                return r;
        if ((v = json_member(lx, "personality")) && (r = parse_personality(v, l, err)) < 0)
                return r;
        if ((v = json_member(lx, "seccomp")) && !YAJL_IS_NULL(v) &&
            (r = spec_seccomp_parse(v, "linux.seccomp", &l->seccomp, err)) < 0)
                return r;
        return 0;
}

/* Only keys that live in one of the container's own namespaces: any other would change the host. */
static bool sysctl_is_namespaced(const struct spec *spec, const char *key)
{
        static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                           "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                           "kernel.shm_rmid_forced" };

        for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
                if (strcmp(key, ipc[i]) == 0)
                        return spec_namespace(spec, CLONE_NEWIPC) != NULL;
        if (strncmp(key, "fs.mqueue.", 10) == 0)
                return spec_namespace(spec, CLONE_NEWIPC) != NULL;
        if (strncmp(key, "net.", 4) == 0)
                return spec_namespace(spec, CLONE_NEWNET) != NULL;
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
                return spec_namespace(spec, CLONE_NEWUTS) != NULL;
        return false;
}

static int validate(struct spec *spec, struct error *err)
{
        const struct spec_namespace *userns = spec_namespace(spec, CLONE_NEWUSER);
        const struct spec_namespace *timens = spec_namespace(spec, CLONE_NEWTIME);
        static const char *const propagations[] = { "private", "rprivate", "slave", "rslave",
                                                    "shared", "rshared", "unbindable", "runbindable" };

        if (!spec->has_process)
                return error_set(err, EINVAL, "process: missing");
        if ((spec->linux_cfg.n_uid_mappings || spec->linux_cfg.n_gid_mappings) && (!userns || userns->path))
                return error_set(err, EINVAL, "linux.uidMappings: needs a new user namespace in linux.namespaces");
        if (userns && !userns->path && (!spec->linux_cfg.n_uid_mappings || !spec->linux_cfg.n_gid_mappings))
                return error_set(err, EINVAL, "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
        if (spec->linux_cfg.n_time_offsets && (!timens || timens->path))
                return error_set(err, EINVAL, "linux.timeOffsets: needs a new time namespace in linux.namespaces");
        if (spec->hostname && spec->hostname[0] && !spec_namespace(spec, CLONE_NEWUTS))
                return error_set(err, EINVAL, "hostname: needs a uts namespace in linux.namespaces");
        if (spec->domainname && spec->domainname[0] && !spec_namespace(spec, CLONE_NEWUTS))
                return error_set(err, EINVAL, "domainname: needs a uts namespace in linux.namespaces");
        if (spec->linux_cfg.rootfs_propagation) {
                size_t i;
                for (i = 0; i < ARRAY_SIZE(propagations); i++)
                        if (strcmp(propagations[i], spec->linux_cfg.rootfs_propagation) == 0)
                                break;
                if (i == ARRAY_SIZE(propagations))
                        return error_set(err, EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                         spec->linux_cfg.rootfs_propagation);
        }
        for (char **kv = spec->linux_cfg.sysctl; kv && kv[0]; kv += 2)
                if (!sysctl_is_namespaced(spec, kv[0]) || strchr(kv[0], '/'))
                        return error_set(err, EINVAL,
                                         "linux.sysctl: \"%s\" is not in a namespace of the container "
                                         "(setting it would change the host)", kv[0]);
        return 0;
}

int spec_parse(const char *json, const char *bundle, struct spec **ret_spec, struct error *err)
{
        _cleanup_(spec_freep) struct spec *spec = xcalloc(1, sizeof(*spec));
        yajl_val tree = NULL, root, v;
        int r;

        if ((r = json_parse_string(json, "config.json", &tree, err)) < 0)
                return r;
        if ((r = json_to_object(tree, "config.json", err)) < 0)
                goto out;
        if (!json_member(tree, "ociVersion")) {
                r = error_set(err, EINVAL, "ociVersion: missing");
                goto out;
        }
        if ((r = json_opt_string(tree, "ociVersion", "", &spec->oci_version, err)) < 0)
                goto out;
        if (!(root = json_member(tree, "root"))) {
                r = error_set(err, EINVAL, "root: missing");
                goto out;
        }
        if ((r = json_to_object(root, "root", err)) < 0 || (r = json_opt_string(root, "path", "root", &spec->root_path, err)) < 0 ||
            (r = json_opt_bool(root, "readonly", "root", &spec->root_readonly, err)) < 0)
                goto out;
        if (!spec->root_path) {
                r = error_set(err, EINVAL, "root.path: missing");
                goto out;
        }
        if (spec->root_path[0] != '/') {
                char *abs = xasprintf("%s/%s", bundle, spec->root_path);
                free(spec->root_path);
                spec->root_path = abs;
        }
        if ((r = json_opt_string(tree, "hostname", "", &spec->hostname, err)) < 0 ||
            (r = json_opt_string(tree, "domainname", "", &spec->domainname, err)) < 0)
                goto out;
        if ((v = json_member(tree, "process"))) {
                spec->has_process = true;
                if ((r = spec_process_from_json(v, &spec->process, err)) < 0)
                        goto out;
        }
        if ((v = json_member(tree, "mounts")) && (r = parse_mounts(v, spec, err)) < 0)
                goto out;
        if ((v = json_member(tree, "linux")) && (r = parse_linux(v, &spec->linux_cfg, err)) < 0)
                goto out;
        if ((v = json_member(tree, "annotations")) &&
            (r = json_to_string_map(v, "annotations", &spec->annotations, err)) < 0)
                goto out;
        if ((v = json_member(tree, "hooks")) && !YAJL_IS_NULL(v) &&
            (r = spec_hooks_parse(v, "hooks", &spec->hooks, err)) < 0)
                goto out;
        if ((r = validate(spec, err)) < 0)
                goto out;
        *ret_spec = TAKE_PTR(spec);
out:
        yajl_tree_free(tree);
        return r;
}

int spec_load(const char *bundle, struct spec **ret_spec, struct error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
        _cleanup_free_ char *text = NULL;
        int r;

        if ((r = read_file(path, &text, NULL, err)) < 0)
                return r;
        if ((r = spec_parse(text, bundle, ret_spec, err)) < 0)
                return error_wrap(err, "%s", path);
        return 0;
}
void spec_free(struct spec *spec)
{
        if (!spec)
                return;
        free(spec->oci_version);
        free(spec->root_path);
        free(spec->hostname);
        free(spec->domainname);
        spec_process_clear(&spec->process);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                free(spec->mounts[i].destination);
                free(spec->mounts[i].type);
                free(spec->mounts[i].source);
                strv_free(spec->mounts[i].options);
                free(spec->mounts[i].uid_mappings);
                free(spec->mounts[i].gid_mappings);
                if (spec->mounts[i].idmap_ready)
                        close(spec->mounts[i].idmap_fd);
        }
        free(spec->mounts);
        for (size_t i = 0; i < spec->linux_cfg.n_namespaces; i++)
                free(spec->linux_cfg.namespaces[i].path);
        free(spec->linux_cfg.namespaces);
        free(spec->linux_cfg.uid_mappings);
        free(spec->linux_cfg.gid_mappings);
        for (size_t i = 0; i < spec->linux_cfg.n_devices; i++)
                free(spec->linux_cfg.devices[i].path);
        free(spec->linux_cfg.devices);
        free(spec->linux_cfg.cgroups_path);
        spec_resources_clear(&spec->linux_cfg.resources);
        strv_free(spec->linux_cfg.sysctl);
        strv_free(spec->linux_cfg.masked_paths);
        strv_free(spec->linux_cfg.readonly_paths);
        free(spec->linux_cfg.rootfs_propagation);
        free(spec->linux_cfg.time_offsets);
        spec_seccomp_free(spec->linux_cfg.seccomp);
        strv_free(spec->annotations);
        spec_hooks_free(spec->hooks);
        free(spec);
}

void spec_freep(struct spec **spec)
{
        spec_free(*spec);
}

const struct spec_namespace *spec_namespace(const struct spec *spec, int type)
{
        for (size_t i = 0; i < spec->linux_cfg.n_namespaces; i++)
                if (spec->linux_cfg.namespaces[i].type == type)
                        return &spec->linux_cfg.namespaces[i];
        return NULL;
}

const char *spec_annotation(const struct spec *spec, const char *key)
{
        for (size_t i = 0; spec->annotations && spec->annotations[i]; i += 2)
                if (strcmp(spec->annotations[i], key) == 0)
                        return spec->annotations[i + 1];
        return NULL;
}
