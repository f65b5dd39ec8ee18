#include "spec-default.h"

#include <string.h>

#include "json.h"
#include "seccomp-default.h"
#include "util.h"

static char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
static char *const masked[] = { "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                "/proc/scsi", NULL };
static char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

static void gen_mount(yajl_gen g, const char *dest, const char *type, const char *source, char *const *options)
{
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "destination", dest);
        json_gen_kv_string(g, "type", type);
        json_gen_kv_string(g, "source", source);
        json_gen_kv_strv(g, "options", options);
        yajl_gen_map_close(g);
}

static void gen_process(yajl_gen g)
{
        static char *const args[] = { "sh", NULL };
        static char *const env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "TERM=xterm", NULL };
        static const char *const sets[] = { "bounding", "effective", "permitted" };

        json_gen_string(g, "process");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "terminal", false);
        json_gen_string(g, "user");
        yajl_gen_map_open(g);
        json_gen_kv_int(g, "uid", 0);
        json_gen_kv_int(g, "gid", 0);
        yajl_gen_map_close(g);
        json_gen_kv_strv(g, "args", args);
        json_gen_kv_strv(g, "env", env);
        json_gen_kv_string(g, "cwd", "/");
        json_gen_string(g, "capabilities");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
                json_gen_kv_strv(g, sets[i], default_caps);
        yajl_gen_map_close(g);
        json_gen_string(g, "rlimits");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "type", "RLIMIT_NOFILE");
        json_gen_kv_int(g, "hard", 1024);
        json_gen_kv_int(g, "soft", 1024);
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
        json_gen_kv_bool(g, "noNewPrivileges", true);
        yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g)
{
        static char *const proc_o[] = { "nosuid", "noexec", "nodev", NULL };
        static char *const dev_o[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
        static char *const pts_o[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
        static char *const shm_o[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
        static char *const mq_o[] = { "nosuid", "noexec", "nodev", NULL };
        static char *const sys_o[] = { "nosuid", "noexec", "nodev", "ro", NULL };
        static char *const cg_o[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

        json_gen_string(g, "mounts");
        yajl_gen_array_open(g);
        gen_mount(g, "/proc", "proc", "proc", proc_o);
        gen_mount(g, "/dev", "tmpfs", "tmpfs", dev_o);
        gen_mount(g, "/dev/pts", "devpts", "devpts", pts_o);
        gen_mount(g, "/dev/shm", "tmpfs", "shm", shm_o);
        gen_mount(g, "/dev/mqueue", "mqueue", "mqueue", mq_o);
        gen_mount(g, "/sys", "sysfs", "sysfs", sys_o);
        gen_mount(g, "/sys/fs/cgroup", "cgroup", "cgroup", cg_o);
        yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g)
{
        static const char *const namespaces[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };

        json_gen_string(g, "linux");
        yajl_gen_map_open(g);
        json_gen_string(g, "namespaces");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++) {
                yajl_gen_map_open(g);
                json_gen_kv_string(g, "type", namespaces[i]);
                yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        json_gen_kv_strv(g, "maskedPaths", masked);
        json_gen_kv_strv(g, "readonlyPaths", readonly);
        seccomp_default_gen(g);
        yajl_gen_map_close(g);
}

char *spec_default_json(void)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        char *text;

        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "ociVersion", "1.2.0");
        gen_process(g);
        json_gen_string(g, "root");
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "path", "rootfs");
        json_gen_kv_bool(g, "readonly", true);
        yajl_gen_map_close(g);
        json_gen_kv_string(g, "hostname", "skiff");
        gen_mounts(g);
        gen_linux(g);
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        return text;
}
