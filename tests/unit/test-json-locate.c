/* json_locate: the spans of the values along a path of object keys, as json_member would take them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/json-locate.h"

static const char *const PATH[] = { "linux", "seccomp", "syscalls" };

/* The text of span i, for comparing. */
static void assert_span(const char *text, const struct json_span *s, const char *want)
{
        assert_int_equal(s->end - s->start, strlen(want));
        assert_memory_equal(text + s->start, want, strlen(want));
}

/* The whole path is found in text, and its last value is want. */
static void assert_syscalls_are(const char *text, const char *want)
{
        struct json_span at[3];

        assert_int_equal(json_locate(text, PATH, 3, at), 3);
        assert_span(text, &at[2], want);
}

static void test_finds_each_prefix(void **state)
{
        const char *text = "{\"a\": 1, \"linux\": {\"x\": [1, {\"seccomp\": 0}],\n"
                           " \"seccomp\": {\"defaultAction\": \"A\", \"syscalls\": [{\"names\": [\"a\"]}]}, \"z\": true}}";
        struct json_span at[3];

        (void)state;
        assert_int_equal(json_locate(text, PATH, 3, at), 3);
        assert_span(text, &at[2], "[{\"names\": [\"a\"]}]");
        assert_span(text, &at[1], "{\"defaultAction\": \"A\", \"syscalls\": [{\"names\": [\"a\"]}]}");
        assert_int_equal(text[at[0].start], '{');
        assert_int_equal(at[0].end, strlen(text) - 1);
}

/* json_member takes the first of equal keys: so does json_locate, at every level. */
static void test_first_of_equal_keys(void **state)
{
        (void)state;
        assert_syscalls_are("{\"linux\": {\"seccomp\": {\"syscalls\": [1], \"syscalls\": [2]}, \"seccomp\": {}},"
                            " \"linux\": {\"seccomp\": {\"syscalls\": [3]}}}",
                            "[1]");
}

/* Keys inside strings, inside arrays or in other objects do not count; comments are allowed, as in
 * yajl_tree_parse. */
static void test_only_the_path_counts(void **state)
{
        (void)state;
        assert_syscalls_are("{\"k\": \"{\\\"linux\\\": [\", /* \"linux\" */ \"x\": [{\"linux\": {\"seccomp\": {}}}],"
                            " \"other\": {\"seccomp\": {\"syscalls\": [9]}},"
                            " \"linux\": {\"seccomp\": {\"syscalls\": [\"]}\"]}}}",
                            "[\"]}\"]");
}

/* How many of PATH's prefixes json_locate finds in text. */
static size_t prefixes_found(const char *text)
{
        struct json_span at[3];

        return json_locate(text, PATH, 3, at);
}

static void test_missing_or_scalar_prefixes(void **state)
{
        (void)state;
        assert_int_equal(prefixes_found("{\"linux\": {\"seccomp\": null}}"), 1);
        assert_int_equal(prefixes_found("{\"linux\": {\"seccomp\": {\"defaultAction\": \"A\"}}}"), 2);
        assert_int_equal(prefixes_found("{\"process\": {}}"), 0);
        assert_int_equal(prefixes_found("{\"linux\": [{\"seccomp\": {\"syscalls\": []}}]}"), 1);
}

static void test_not_json(void **state)
{
        (void)state;
        assert_int_equal(prefixes_found("{\"linux\": {\"seccomp\": {\"syscalls\": ["), 0);
        assert_int_equal(prefixes_found("not json"), 0);
        assert_int_equal(prefixes_found(""), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_finds_each_prefix),
                cmocka_unit_test(test_first_of_equal_keys),
                cmocka_unit_test(test_only_the_path_counts),
                cmocka_unit_test(test_missing_or_scalar_prefixes),
                cmocka_unit_test(test_not_json),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
