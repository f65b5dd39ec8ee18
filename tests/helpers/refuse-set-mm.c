/* Run a command in which prctl(PR_SET_MM) fails with EINVAL, as on a kernel built without
 * CONFIG_CHECKPOINT_RESTORE: skiff must then switch to its sealed binary by an exec instead.
 * Usage: refuse-set-mm COMMAND [ARG]... (as root: no no_new_privs is set) */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

        if (argc < 2) {
                fprintf(stderr, "usage: refuse-set-mm COMMAND [ARG]...\n");
                return 2;
        }
        if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_SET_MM)) < 0 ||
            seccomp_load(ctx) < 0) {
                fprintf(stderr, "refuse-set-mm: cannot load the filter\n");
                return 1;
        }
        seccomp_release(ctx);
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        return 127;
}
