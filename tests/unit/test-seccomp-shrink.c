/* seccomp_shrink: a shorter program that decides as libseccomp's does, or none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bpf-run.h"
#include "lib/seccomp-compile.h"
#include "lib/seccomp-shrink.h"
#include "lib/spec-default.h"
#include "lib/util.h"
#include "lib/spec.h"

#define ARCH_X86_64 0xc000003eU
#define ARCH_I386 0x40000003U
#define X32_BIT 0x40000000U

/* Every architecture given and one more, the numbers around every constant up to 1100 and past
 * the x32 bit, the argument values given in every word: both programs return the same. */
static void assert_same(const struct sock_filter *a, size_t na, const struct sock_filter *b, size_t nb,
                        const uint32_t *arg_values, size_t n_values)
{
        static const uint32_t archs[] = { ARCH_X86_64, ARCH_I386, 0, 0xc00000b7U };
        static const uint32_t bases[] = { 0, X32_BIT };

        for (size_t ar = 0; ar < sizeof(archs) / sizeof(archs[0]); ar++)
                for (size_t base = 0; base < 2; base++)
                        for (uint32_t nr = bases[base]; nr < bases[base] + 1100; nr++)
                                for (size_t v = 0; v <= n_values; v++) {
                                        struct seccomp_data d = { .nr = (int)nr, .arch = archs[ar] };
                                        for (int w = 0; v < n_values && w < 12; w++)
                                                memcpy((char *)d.args + 4 * w, &arg_values[v], 4);
                                        if (bpf_run(a, na, &d, NULL) != bpf_run(b, nb, &d, NULL))
                                                fail_msg("arch %#x nr %#x value %zu: they differ", archs[ar], nr, v);
                                }
}

/* libseccomp's program for one context. */
static struct sock_filter *export(scmp_filter_ctx ctx, size_t *n)
{
        int fd = memfd_create("test", MFD_CLOEXEC);
        struct stat st;
        struct sock_filter *f;

        assert_true(fd >= 0);
        assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
        assert_int_equal(fstat(fd, &st), 0);
        f = malloc((size_t)st.st_size);
        assert_int_equal(pread(fd, f, (size_t)st.st_size, 0), st.st_size);
        close(fd);
        *n = (size_t)st.st_size / sizeof(*f);
        return f;
}

static scmp_filter_ctx three_archs(uint32_t default_action)
{
        scmp_filter_ctx ctx = seccomp_init(default_action);

        assert_non_null(ctx);
        assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
        assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
        assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X32), 0);
        return ctx;
}

/* An allow-list of the first 300 native syscalls but mount (EPERM), reboot (kill) and clone (which
 * with_clone allows by an argument rule, as Docker's profile does); with_multiplexers allows x86's
 * socketcall and ipc too, as Docker's profile does. Without them, libseccomp decides x86's socket
 * and SysV IPC calls made through them by their first argument. */
static void add_rules_with(scmp_filter_ctx ctx, bool with_clone, bool with_multiplexers)
{
        if (with_multiplexers) {
                assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketcall), 0), 0);
                assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ipc), 0), 0);
        }
        for (int nr = 0; nr < 300; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                bool skip = !name || nr == SCMP_SYS(mount) || nr == SCMP_SYS(reboot) || nr == SCMP_SYS(clone);

                free(name);
                if (!skip)
                        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0), 0);
        }
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mount), 0), 0);
        assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(reboot), 0), 0);
        if (with_clone)
                assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                                  SCMP_A0(SCMP_CMP_MASKED_EQ, 0x7E020000U, 0)), 0);
}

static void add_rules(scmp_filter_ctx ctx, bool with_clone)
{
        add_rules_with(ctx, with_clone, true);
}

static void test_number_only_profile_shrinks_and_agrees(void **state)
{
        scmp_filter_ctx ctx = three_archs(SCMP_ACT_ERRNO(ENOSYS));
        struct sock_filter *full, *small;
        size_t n_full, n_small;

        (void)state;
        add_rules(ctx, false);
        full = export(ctx, &n_full);
        assert_int_equal(seccomp_shrink(full, n_full, NULL, 0, &small, &n_small), 0);
        assert_true(n_small < n_full);
        assert_same(full, n_full, small, n_small, NULL, 0);
        free(full);
        free(small);
        seccomp_release(ctx);
}

static void test_argument_rules_go_to_the_args_part(void **state)
{
        static const uint32_t values[] = { 0, 0x7E020000U, 0x00010000U, 0x11, UINT32_MAX };
        scmp_filter_ctx ctx = three_archs(SCMP_ACT_ERRNO(ENOSYS)), part = three_archs(SCMP_ACT_ERRNO(ENOSYS));
        struct sock_filter *full, *args_part, *small;
        size_t n_full, n_part, n_small;

        (void)state;
        add_rules(ctx, true);
        assert_int_equal(seccomp_rule_add(part, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0x7E020000U, 0)), 0);
        full = export(ctx, &n_full);
        args_part = export(part, &n_part);
        /* Without the args part there is nothing to decide clone with. */
        assert_int_equal(seccomp_shrink(full, n_full, NULL, 0, &small, &n_small), -1);
        assert_int_equal(seccomp_shrink(full, n_full, args_part, n_part, &small, &n_small), 0);
        assert_true(n_small < n_full);
        assert_same(full, n_full, small, n_small, values, sizeof(values) / sizeof(values[0]));
        free(full);
        free(args_part);
        free(small);
        seccomp_release(ctx);
        seccomp_release(part);
}

/* An args part that decides otherwise than the full program is caught, and nothing is made. */
static void test_a_wrong_args_part_is_refused(void **state)
{
        scmp_filter_ctx ctx = three_archs(SCMP_ACT_ERRNO(ENOSYS)), part = three_archs(SCMP_ACT_ERRNO(ENOSYS));
        struct sock_filter *full, *args_part, *small = NULL;
        size_t n_full, n_part, n_small;

        (void)state;
        add_rules(ctx, true);
        assert_int_equal(seccomp_rule_add(part, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0x7E020000U, 0x00020000U)), 0);
        full = export(ctx, &n_full);
        args_part = export(part, &n_part);
        assert_int_equal(seccomp_shrink(full, n_full, args_part, n_part, &small, &n_small), -1);
        assert_null(small);
        free(full);
        free(args_part);
        seccomp_release(ctx);
        seccomp_release(part);
}

/* x86's socket calls through socketcall are decided by an argument, and no rule of the profile
 * compares one: with no args part for them, no shorter program. */
static void test_multiplexed_socket_calls_are_refused_without_args_part(void **state)
{
        scmp_filter_ctx ctx = three_archs(SCMP_ACT_ERRNO(ENOSYS));
        struct sock_filter *full, *small = NULL;
        size_t n_full, n_small;

        (void)state;
        add_rules_with(ctx, false, false);
        full = export(ctx, &n_full);
        assert_int_equal(seccomp_shrink(full, n_full, NULL, 0, &small, &n_small), -1);
        assert_null(small);
        free(full);
        seccomp_release(ctx);
}

/* A bit test on the syscall number is beyond the reasoning: no shorter program. */
static void test_a_bit_test_on_the_number_is_refused(void **state)
{
        struct sock_filter prog[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x100, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_filter *small = NULL;
        size_t n_small;

        (void)state;
        assert_int_equal(seccomp_shrink(prog, 4, NULL, 0, &small, &n_small), -1);
        assert_null(small);
}

/* The whole way: skiff's default profile through seccomp_prepare (cache in a temporary root) loads
 * a program under 500 instructions that decides as libseccomp's own for the same rules. */
static void test_default_profile_end_to_end(void **state)
{
        static const uint32_t values[] = { 0, 0x7E020000U, 0x00010000U, UINT32_MAX };
        char root[] = "/tmp/skiff-test-shrink.XXXXXX";
        _cleanup_free_ char *json = spec_default_json();
        struct spec *spec = NULL;
        struct error err = { 0 };
        struct spec_seccomp *s;
        scmp_filter_ctx ctx;
        struct sock_filter *full;
        size_t n_full;
        char *rm;

        (void)state;
        assert_non_null(mkdtemp(root));
        assert_int_equal(spec_parse(json, root, &spec, &err), 0);
        s = spec->linux_cfg.seccomp;
        assert_non_null(s);
        assert_int_equal(seccomp_prepare(s, root, &err), 0);
        assert_true(s->program.len < 500);
        ctx = seccomp_init(s->default_action);
        assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
        for (size_t i = 0; i < s->n_archs; i++)
                assert_true(seccomp_arch_add(ctx, s->archs[i]) == 0 || seccomp_arch_add(ctx, s->archs[i]) == -EEXIST);
        for (size_t i = 0; i < s->n_rules; i++)
                if (s->rules[i].action != s->default_action)
                        assert_int_equal(seccomp_rule_add_array(ctx, s->rules[i].action, s->rules[i].nr,
                                                                s->rules[i].n_args, s->rules[i].args), 0);
        full = export(ctx, &n_full);
        assert_true(n_full > s->program.len);
        assert_same(full, n_full, s->program.filter, s->program.len, values, sizeof(values) / sizeof(values[0]));
        free(full);
        seccomp_release(ctx);
        spec_free(spec);
        rm = NULL;
        assert_true(asprintf(&rm, "rm -rf '%s'", root) > 0);
        assert_int_equal(system(rm), 0);
        free(rm);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_number_only_profile_shrinks_and_agrees),
                cmocka_unit_test(test_argument_rules_go_to_the_args_part),
                cmocka_unit_test(test_a_wrong_args_part_is_refused),
                cmocka_unit_test(test_multiplexed_socket_calls_are_refused_without_args_part),
                cmocka_unit_test(test_a_bit_test_on_the_number_is_refused),
                cmocka_unit_test(test_default_profile_end_to_end),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
