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
        };
        return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
