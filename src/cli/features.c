#include <ctype.h>
#include <stdio.h>
#include <sys/capability.h>

#include "../lib/json.h"
#include "../lib/mount-options.h"
#include "../lib/namespaces.h"
#include "../lib/spec-seccomp.h"
#include "../lib/util.h"
#include "cli.h"

/* Every capability this libcap knows, in the spec's "CAP_CHOWN" spelling. */
static void gen_capabilities(yajl_gen g)
{
        json_gen_string(g, "capabilities");
        yajl_gen_array_open(g);
        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
                char *name = cap_to_name(c);

                if (!name)
                        continue;
                for (char *p = name; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                json_gen_string(g, name);
                cap_free(name);
        }
        yajl_gen_array_close(g);
}

static void gen_seccomp(yajl_gen g)
{
        json_gen_string(g, "seccomp");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "enabled", true);
        json_gen_kv_strv(g, "actions", (char *const *)seccomp_known_actions());
        json_gen_kv_strv(g, "operators", (char *const *)seccomp_known_operators());
        json_gen_kv_strv(g, "archs", (char *const *)seccomp_known_archs());
        json_gen_kv_strv(g, "knownFlags", (char *const *)seccomp_known_flags());
        json_gen_kv_strv(g, "supportedFlags", (char *const *)seccomp_supported_flags());
        yajl_gen_map_close(g);
}

/* Only what this build really does: engines read this to decide what to ask of us. */
static void gen_linux(yajl_gen g)
{
        json_gen_string(g, "linux");
        yajl_gen_map_open(g);
        json_gen_string(g, "namespaces");
        yajl_gen_array_open(g);
        for (size_t i = 0; ns_name_at(i); i++)
                json_gen_string(g, ns_name_at(i));
        yajl_gen_array_close(g);
        gen_capabilities(g);
        json_gen_string(g, "cgroup");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "v1", true);
        json_gen_kv_bool(g, "v2", true);
        json_gen_kv_bool(g, "systemd", false);
        json_gen_kv_bool(g, "systemdUser", false);
        yajl_gen_map_close(g);
        gen_seccomp(g);
        json_gen_string(g, "apparmor");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "enabled", false);
        yajl_gen_map_close(g);
        json_gen_string(g, "selinux");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "enabled", false);
        yajl_gen_map_close(g);
        json_gen_string(g, "mountExtensions");
        yajl_gen_map_open(g);
        json_gen_string(g, "idmap");
        yajl_gen_map_open(g);
        json_gen_kv_bool(g, "enabled", true);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

static int run(struct cli *cli, int argc, char **argv)
{
        static char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                       "poststart", "poststop", NULL };
        yajl_gen g;
        _cleanup_free_ char *text = NULL;
        bool done;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, &done, &next)) < 0 || done)
                return -r;
        if (next < argc)
                return cli_usage_error(cli, "takes no operands, got \"%s\"", argv[next]);
        g = yajl_gen_alloc(NULL);
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "ociVersionMin", "1.0.0");
        json_gen_kv_string(g, "ociVersionMax", "1.2.0");
        json_gen_kv_strv(g, "hooks", hooks);
        json_gen_kv_strv(g, "mountOptions", (char *const *)mount_options_known());
        gen_linux(g);
        json_gen_string(g, "annotations");
        yajl_gen_map_open(g);
        json_gen_kv_string(g, "org.opencontainers.runc.checkpoint.enabled", "false");
        json_gen_kv_string(g, "run.skiff.version", PACKAGE_VERSION);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        printf("%s\n", text);
        return 0;
}

const struct command command_features = {
        .name = "features",
        .summary = "print what this skiff supports (runtime-spec features JSON)",
        .usage = "\n",
        .run = run,
};
