/* config.json as a C struct: parsed and validated once, before anything is changed on the host. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec-hooks.h"
#include "spec-resources.h"
#include "spec-seccomp.h"

struct spec_user {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
};

struct spec_rlimit {
        int resource;   /* RLIMIT_* */
        char *type;     /* as written, for messages */
        uint64_t soft, hard;
};

enum cap_set { CAP_SET_BOUNDING, CAP_SET_EFFECTIVE, CAP_SET_INHERITABLE, CAP_SET_PERMITTED, CAP_SET_AMBIENT,
               CAP_SET_COUNT };

struct spec_capabilities {
        bool present;
        /* Each set as a bit mask of capability numbers (libcap's cap_value_t). */
        uint64_t sets[CAP_SET_COUNT];
};

struct spec_process {
        bool terminal;
        unsigned console_height, console_width;
        char **args;
        char **env;
        char *cwd;
        struct spec_user user;
        struct spec_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        struct spec_capabilities caps;
        bool has_oom_score_adj;
        int oom_score_adj;
};

struct spec_namespace {
        int type;       /* CLONE_NEW* */
        char *path;     /* join this one instead of making a new one */
};

struct spec_id_mapping {
        uint32_t container_id, host_id, size;
};

struct spec_mount {
        char *destination;
        char *type;
        char *source;
        char **options;
        /* For the idmap and ridmap options: how on-disk ids show in the mount (none: the
         * container's user namespace mappings). */
        struct spec_id_mapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        /* The idmapped tree mount_idmap_prepare made on the host, for the init to move in. */
        bool idmap_ready;
        int idmap_fd;
};

struct spec_device {
        char *path;
        char type;      /* c, b, u or p */
        int64_t major, minor;
        bool has_mode, has_uid, has_gid;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};

struct spec_time_offset {
        int clock;      /* CLOCK_MONOTONIC or CLOCK_BOOTTIME */
        int64_t secs;
        uint32_t nanosecs;
};

struct spec_linux {
        struct spec_namespace *namespaces;
        size_t n_namespaces;
        struct spec_id_mapping *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct spec_device *devices;
        size_t n_devices;
        char *cgroups_path;
        struct spec_resources resources;
        char **sysctl;  /* key,value,key,value,... */
        char **masked_paths;
        char **readonly_paths;
        char *rootfs_propagation;
        bool has_personality;
        unsigned long personality;
        struct spec_time_offset *time_offsets;
        size_t n_time_offsets;
        struct spec_seccomp *seccomp;   /* NULL: no filter */
};

struct spec {
        char *oci_version;
        char *root_path;        /* absolute: resolved against the bundle */
        bool root_readonly;
        char *hostname;
        char *domainname;
        bool has_process;
        struct spec_process process;
        struct spec_mount *mounts;
        size_t n_mounts;
        struct spec_linux linux_cfg;
        char **annotations;     /* key,value,key,value,... */
        struct spec_hooks *hooks;       /* NULL: none */
};

/* Read BUNDLE/config.json. ret_spec is allocated; free with spec_free(). */
int spec_load(const char *bundle, struct spec **ret_spec, struct error *err);
/* Parse a config from JSON text; `bundle` resolves a relative root.path. */
int spec_parse(const char *json, const char *bundle, struct spec **ret_spec, struct error *err);
void spec_free(struct spec *spec);
/* Parse a process object alone (`exec --process FILE`), with the same checks as config.json's. */
int spec_process_parse(const char *json, struct spec_process *ret, struct error *err);
void spec_process_clear(struct spec_process *p);
void spec_freep(struct spec **spec);

const struct spec_namespace *spec_namespace(const struct spec *spec, int type);
const char *spec_annotation(const struct spec *spec, const char *key);
