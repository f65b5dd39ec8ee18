/* linux.seccomp as a C struct: every action, operator, architecture and flag resolved to
 * libseccomp's values while parsing, so that a bad profile fails `create` before anything exists. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <yajl/yajl_tree.h>

#include "error.h"

enum seccomp_flag {
        SECCOMP_FLAG_LOG = 1 << 0,
        SECCOMP_FLAG_SPEC_ALLOW = 1 << 1,
        SECCOMP_FLAG_TSYNC = 1 << 2,
        SECCOMP_FLAG_WAIT_KILLABLE_RECV = 1 << 3,
};

struct seccomp_rule {
        int nr;                 /* the native syscall number; libseccomp translates it per arch */
        uint32_t action;        /* SCMP_ACT_*, with the errno or trace value folded in */
        struct scmp_arg_cmp args[6];
        unsigned n_args;
};

struct spec_seccomp {
        uint32_t default_action;
        uint32_t *archs;        /* SCMP_ARCH_* */
        size_t n_archs;
        unsigned flags;         /* enum seccomp_flag */
        char *listener_path;
        char *listener_metadata;
        struct seccomp_rule *rules;
        size_t n_rules;
        bool uses_notify;       /* some action is SCMP_ACT_NOTIFY: the filter's fd goes to the listener */
        /* Names this libseccomp does not know on this architecture: skipped, as runc does. */
        char **unknown_syscalls;
        struct sock_fprog program;      /* the compiled filter: seccomp_prepare (seccomp-compile.h) fills it */
        /* The program lets through every syscall the init makes after it is ready, whatever their
         * arguments: it may go in then (seccomp.h). seccomp_prepare sets it with the program. */
        bool allows_init_tail;
        char *text;             /* linux.seccomp as config.json has it, when create keys the cache by it */
};

int spec_seccomp_parse(yajl_val v, const char *field, struct spec_seccomp **ret, struct error *err);
void spec_seccomp_free(struct spec_seccomp *s);

/* What this build can do, for `skiff features`: NULL-terminated static lists. Actions and supported
 * flags are those the running kernel and libseccomp (seccomp_api_get) can apply. */
const char *const *seccomp_known_actions(void);
const char *const *seccomp_known_operators(void);
const char *const *seccomp_known_archs(void);
const char *const *seccomp_known_flags(void);
const char *const *seccomp_supported_flags(void);
