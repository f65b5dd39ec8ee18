/* config.json parser: what it accepts, and that every rejection names the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sched.h>
#include <sys/resource.h>

#include "lib/spec.h"
#include "lib/util.h"

#define MINIMAL_PROCESS "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}"
#define MINIMAL_LINUX "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}"

static struct spec *parse_ok(const char *json)
{
        struct spec *spec = NULL;
        struct error err = { 0 };
        int r = spec_parse(json, "/bundle", &spec, &err);

        if (r < 0)
                fail_msg("unexpected error: %s", err.msg);
        return spec;
}

/* The parse must fail and the message must contain `field`. */
static void parse_fails(const char *json, const char *field)
{
        struct spec *spec = NULL;
        struct error err = { 0 };
        int r = spec_parse(json, "/bundle", &spec, &err);

        assert_true(r < 0);
        assert_null(spec);
        if (!strstr(err.msg, field))
                fail_msg("message \"%s\" does not name %s", err.msg, field);
}

static void test_minimal(void **state)
{
        (void)state;
        struct spec *spec = parse_ok("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, " MINIMAL_PROCESS
                                     ", " MINIMAL_LINUX "}");

        assert_string_equal(spec->root_path, "/bundle/rootfs");
        assert_false(spec->root_readonly);
        assert_string_equal(spec->process.args[0], "sh");
        assert_int_equal(spec->linux_cfg.n_namespaces, 1);
        assert_int_equal(spec->linux_cfg.namespaces[0].type, CLONE_NEWNS);
        spec_free(spec);
}

static void test_unknown_fields_ignored(void **state)
{
        (void)state;
        struct spec *spec = parse_ok("{\"ociVersion\": \"1.0.2\", \"future\": {\"x\": 1}, \"root\": {\"path\": \"/r\", "
                                     "\"other\": 2}, " MINIMAL_PROCESS ", " MINIMAL_LINUX "}");

        assert_string_equal(spec->root_path, "/r");
        spec_free(spec);
}

static void test_not_json(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": ", "not valid JSON");
}

static void test_args_wrong_type(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": \"sh\", \"cwd\": \"/\", "
                    "\"user\": {\"uid\": 0, \"gid\": 0}}, " MINIMAL_LINUX "}",
                    "process.args: expected an array of strings");
}

static void test_uid_wrong_type(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                    "\"user\": {\"uid\": \"root\", \"gid\": 0}}, " MINIMAL_LINUX "}",
                    "process.user.uid");
}

static void test_rlimits(void **state)
{
        (void)state;
        struct spec *spec = parse_ok("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], "
                                     "\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}, \"rlimits\": [{\"type\": "
                                     "\"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200}]}, " MINIMAL_LINUX "}");

        assert_int_equal(spec->process.n_rlimits, 1);
        assert_int_equal(spec->process.rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(spec->process.rlimits[0].soft, 100);
        assert_int_equal(spec->process.rlimits[0].hard, 200);
        spec_free(spec);
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                    "\"user\": {\"uid\": 0, \"gid\": 0}, \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, "
                    "\"hard\": 1}]}, " MINIMAL_LINUX "}",
                    "process.rlimits[0].type");
}

static void test_namespace_unknown(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_PROCESS
                    ", \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
                    "linux.namespaces[0].type");
}

static void test_user_namespace_needs_mappings(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_PROCESS
                    ", \"linux\": {\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"mount\"}]}}",
                    "linux.uidMappings");
}

static void test_mount_destination_relative(void **state)
{
        (void)state;
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_PROCESS ", " MINIMAL_LINUX
                    ", \"mounts\": [{\"destination\": \"proc\", \"type\": \"proc\"}]}",
                    "mounts[0].destination");
}

static void test_capabilities(void **state)
{
        (void)state;
        struct spec *spec = parse_ok("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], "
                                     "\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}, \"capabilities\": {\"bounding\": "
                                     "[\"CAP_KILL\", \"CAP_CHOWN\"]}}, " MINIMAL_LINUX "}");

        assert_true(spec->process.caps.present);
        assert_int_equal(spec->process.caps.sets[CAP_SET_BOUNDING], (1u << 0) | (1u << 5));
        spec_free(spec);
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                    "\"user\": {\"uid\": 0, \"gid\": 0}, \"capabilities\": {\"effective\": [\"CAP_BOGUS\"]}}, "
                    MINIMAL_LINUX "}",
                    "process.capabilities.effective");
}

/* A config with MINIMAL_PROCESS replaced by `process` and `linux_extra` added to linux. */
static char *config_with(const char *process, const char *top_extra, const char *linux_extra)
{
        return xasprintf("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}%s%s, \"process\": %s, "
                         "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"ipc\"}, "
                         "{\"type\": \"uts\"}, {\"type\": \"network\"}]%s%s}}",
                         *top_extra ? ", " : "", top_extra, process, *linux_extra ? ", " : "", linux_extra);
}

#define PROC(extra) "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}" extra "}"

/* Each wrong type is refused with a message naming the field and the type wanted. */
static void test_type_errors(void **state)
{
        (void)state;
        static const struct {
                const char *process, *top, *linux_extra, *message;
        } cases[] = {
                { "{\"args\": \"sh\", \"cwd\": \"/\", \"user\": {}}", "", "", "process.args: expected an array of strings" },
                { "{\"args\": [1], \"cwd\": \"/\", \"user\": {}}", "", "", "process.args" },
                { "{\"args\": [\"sh\"], \"cwd\": 5, \"user\": {}}", "", "", "process.cwd: expected a string" },
                { "{\"args\": [\"sh\"], \"cwd\": \"rel\", \"user\": {}}", "", "", "process.cwd: \"rel\" is not an absolute path" },
                { "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": []}", "", "", "process.user: expected an object" },
                { "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"gid\": -1}}", "", "", "process.user.gid" },
                { "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"umask\": \"022\"}}", "", "", "process.user.umask" },
                { PROC(", \"env\": \"A=1\""), "", "", "process.env: expected an array of strings" },
                { PROC(", \"env\": [\"NOEQUALS\"]"), "", "", "process.env[0]" },
                { PROC(", \"terminal\": \"yes\""), "", "", "process.terminal: expected a boolean" },
                { PROC(", \"noNewPrivileges\": 1"), "", "", "process.noNewPrivileges: expected a boolean" },
                { PROC(", \"oomScoreAdj\": \"high\""), "", "", "process.oomScoreAdj: expected an integer" },
                { PROC(", \"oomScoreAdj\": 1001"), "", "", "process.oomScoreAdj: 1001 is outside" },
                { PROC(", \"rlimits\": {}"), "", "", "process.rlimits: expected an array" },
                { PROC(", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": \"1\", \"hard\": 1}]"), "", "",
                  "process.rlimits[0].soft" },
                { PROC(", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1}]"), "", "", "process.rlimits[0].hard: missing" },
                { "{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"additionalGids\": [\"wheel\"]}}", "", "",
                  "process.user.additionalGids[0]" },
                { PROC(", \"capabilities\": {\"bounding\": \"CAP_KILL\"}"), "", "", "process.capabilities.bounding" },
                { PROC(""), "\"hostname\": 7", "", "hostname: expected a string" },
                { PROC(""), "\"mounts\": {}", "", "mounts: expected an array" },
                { PROC(""), "\"mounts\": [{\"destination\": \"/x\", \"options\": \"ro\"}]", "", "mounts[0].options" },
                { PROC(""), "\"mounts\": [{\"type\": \"tmpfs\"}]", "", "mounts[0].destination: missing" },
                { PROC(""), "\"mounts\": [{\"destination\": \"/x\", \"uidMappings\": {}}]", "",
                  "mounts[0].uidMappings: expected an array" },
                { PROC(""), "\"mounts\": [{\"destination\": \"/x\", \"gidMappings\": [{\"containerID\": 0, \"size\": 1}]}]",
                  "", "mounts[0].gidMappings[0].hostID: missing" },
                { PROC(""), "", "\"sysctl\": {\"net.ipv4.ip_forward\": 1}", "linux.sysctl" },
                { PROC(""), "", "\"maskedPaths\": \"/proc/kcore\"", "linux.maskedPaths" },
                { PROC(""), "", "\"readonlyPaths\": [1]", "linux.readonlyPaths" },
                { PROC(""), "", "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": \"1\", \"minor\": 3}]",
                  "linux.devices[0].major" },
                { PROC(""), "", "\"devices\": [{\"path\": \"/dev/x\", \"type\": \"q\", \"major\": 1, \"minor\": 3}]",
                  "linux.devices[0].type" },
                { PROC(""), "", "\"uidMappings\": [{\"containerID\": 0, \"hostID\": \"1000\", \"size\": 1}]",
                  "linux.uidMappings[0].hostID" },
                { PROC(""), "", "\"timeOffsets\": {\"monotonic\": {\"secs\": \"1\"}}", "linux.timeOffsets.monotonic.secs" },
                { PROC(""), "", "\"personality\": {\"domain\": \"WINDOWS\"}", "linux.personality.domain" },
                { PROC(""), "", "\"rootfsPropagation\": \"sideways\"", "linux.rootfsPropagation" },
                { PROC(""), "", "\"gidMappings\": {}", "linux.gidMappings: expected an array" },
                { PROC(""), "\"linux\": []", "", "linux: expected an object" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *json = config_with(cases[i].process, cases[i].top, cases[i].linux_extra);
                parse_fails(json, cases[i].message);
        }
}

static void test_root_errors(void **state)
{
        (void)state;
        parse_fails("[]", "config.json: expected an object");
        parse_fails("{\"root\": {\"path\": \"r\"}}", "ociVersion: missing");
        parse_fails("{\"ociVersion\": \"1\"}", "root: missing");
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": 1}}", "root.path: expected a string");
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\", \"readonly\": \"no\"}}",
                    "root.readonly: expected a boolean");
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_LINUX "}", "process: missing");
}

static void test_sysctl(void **state)
{
        (void)state;
        _cleanup_free_ char *ok = config_with(PROC(""), "", "\"sysctl\": {\"net.ipv4.ip_forward\": \"1\", "
                                                            "\"kernel.shmmax\": \"4096\", \"fs.mqueue.msg_max\": \"20\"}");
        _cleanup_free_ char *host = config_with(PROC(""), "", "\"sysctl\": {\"kernel.panic\": \"1\"}");
        _cleanup_free_ char *escape = config_with(PROC(""), "", "\"sysctl\": {\"net.ipv4/../../kernel/panic\": \"1\"}");
        struct spec *spec = parse_ok(ok);

        assert_string_equal(spec->linux_cfg.sysctl[0], "net.ipv4.ip_forward");
        assert_string_equal(spec->linux_cfg.sysctl[1], "1");
        spec_free(spec);
        parse_fails(host, "linux.sysctl: \"kernel.panic\" is not in a namespace of the container");
        parse_fails(escape, "linux.sysctl: \"net.ipv4/../../kernel/panic\"");
        /* net.* needs the container's own network namespace. */
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_PROCESS ", \"linux\": {\"namespaces\": "
                    "[{\"type\": \"mount\"}], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}",
                    "linux.sysctl: \"net.ipv4.ip_forward\"");
}

static void test_capability_subsets(void **state)
{
        (void)state;
        _cleanup_free_ char *eff = config_with(PROC(", \"capabilities\": {\"effective\": [\"CAP_KILL\"]}"), "", "");
        _cleanup_free_ char *amb = config_with(PROC(", \"capabilities\": {\"permitted\": [\"CAP_KILL\"], "
                                                    "\"ambient\": [\"CAP_KILL\"]}"), "", "");
        _cleanup_free_ char *ok = config_with(PROC(", \"capabilities\": {\"permitted\": [\"CAP_KILL\"], "
                                                   "\"inheritable\": [\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}"), "", "");
        struct spec *spec;

        parse_fails(eff, "process.capabilities.effective: cap_kill is not in permitted");
        parse_fails(amb, "process.capabilities.ambient: cap_kill is not in both permitted and inheritable");
        spec = parse_ok(ok);
        assert_int_equal(spec->process.caps.sets[CAP_SET_AMBIENT], 1u << 5);
        spec_free(spec);
}

static void test_user_and_time(void **state)
{
        (void)state;
        struct spec *spec = parse_ok(
                "{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", "
                "\"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]}}, \"linux\": "
                "{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}, {\"type\": \"time\"}], "
                "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], "
                "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 10}], "
                "\"timeOffsets\": {\"boottime\": {\"secs\": -5, \"nanosecs\": 7}}}}");

        assert_int_equal(spec->process.user.uid, 1000);
        assert_int_equal(spec->process.user.gid, 100);
        assert_int_equal(spec->process.user.umask, 022);
        assert_int_equal(spec->process.user.n_additional_gids, 2);
        assert_int_equal(spec->process.user.additional_gids[1], 6);
        assert_int_equal(spec->linux_cfg.uid_mappings[0].host_id, 100000);
        assert_int_equal(spec->linux_cfg.gid_mappings[0].size, 10);
        assert_int_equal(spec->linux_cfg.n_time_offsets, 1);
        assert_int_equal(spec->linux_cfg.time_offsets[0].secs, -5);
        assert_int_equal(spec->linux_cfg.time_offsets[0].nanosecs, 7);
        spec_free(spec);
        /* Time offsets need a new time namespace. */
        parse_fails("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, " MINIMAL_PROCESS ", \"linux\": {\"namespaces\": "
                    "[{\"type\": \"mount\"}], \"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}}",
                    "linux.timeOffsets: needs a new time namespace");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal),
                cmocka_unit_test(test_unknown_fields_ignored),
                cmocka_unit_test(test_not_json),
                cmocka_unit_test(test_args_wrong_type),
                cmocka_unit_test(test_uid_wrong_type),
                cmocka_unit_test(test_rlimits),
                cmocka_unit_test(test_namespace_unknown),
                cmocka_unit_test(test_user_namespace_needs_mappings),
                cmocka_unit_test(test_mount_destination_relative),
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_type_errors),
                cmocka_unit_test(test_root_errors),
                cmocka_unit_test(test_sysctl),
                cmocka_unit_test(test_capability_subsets),
                cmocka_unit_test(test_user_and_time),
        };
        return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
