#include "seccomp-default.h"

#include <errno.h>
#include <sched.h>

#include "json.h"

/* What ordinary programs need, namespaced or harmless: file and socket I/O, memory, processes,
 * signals, time, ids within the user namespace. Names this architecture lacks are skipped at create. */
static char *const allowed[] = {
        "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat",
        "capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_getres",
        "clock_gettime", "clock_nanosleep", "close", "close_range", "connect", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
        "faccessat2", "fadvise64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
        "fchmodat2", "fchown", "fchownat", "fcntl", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
        "fremovexattr", "fsetxattr", "fstat", "fstatfs", "fsync", "ftruncate", "futex", "futex_requeue",
        "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_robust_list", "getcpu", "getcwd",
        "getdents", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpeername",
        "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresuid",
        "getrlimit", "getrusage", "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid",
        "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "io_destroy", "io_getevents", "io_pgetevents", "io_setup", "io_submit", "ioctl", "ioprio_get",
        "ioprio_set", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        "lchown", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "lremovexattr",
        "lseek", "lsetxattr", "lstat", "madvise", "membarrier", "memfd_create", "mincore", "mkdir",
        "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mprotect", "mq_getsetattr",
        "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl",
        "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
        "nanosleep", "newfstatat", "open", "openat", "openat2", "pause", "pidfd_getfd", "pidfd_open",
        "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
        "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pwrite64",
        "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recvfrom",
        "recvmmsg", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select",
        "semctl", "semget", "semop", "semtimedop", "sendfile", "sendmmsg", "sendmsg", "sendto",
        "set_robust_list", "set_tid_address", "setfsgid", "setfsuid", "setgid", "setgroups", "setitimer",
        "setpgid", "setpriority", "setregid", "setresgid", "setresuid", "setreuid", "setrlimit", "setsid",
        "setsockopt", "setuid", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
        "sigaltstack", "signalfd", "signalfd4", "socket", "socketpair", "splice", "stat", "statfs", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime",
        "timerfd_create", "timerfd_gettime", "timerfd_settime", "times", "tkill", "truncate", "umask",
        "uname", "unlink", "unlinkat", "utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4",
        "waitid", "write", "writev",
        /* The same calls under their 32-bit (x86, arm) names, for compat binaries. */
        "_llseek", "_newselect", "arm_fadvise64_64", "breakpoint", "cacheflush", "chown32",
        "clock_getres_time64", "clock_gettime64", "clock_nanosleep_time64", "fadvise64_64", "fchown32",
        "fcntl64", "fstat64", "fstatat64", "fstatfs64", "ftruncate64", "futex_time64", "get_thread_area",
        "getegid32", "geteuid32", "getgid32", "getgroups32", "getresgid32", "getresuid32", "getuid32",
        "io_pgetevents_time64", "ipc", "lchown32", "lstat64", "mmap2", "mq_timedreceive_time64",
        "mq_timedsend_time64", "ppoll_time64", "pselect6_time64", "recv", "recvmmsg_time64",
        "rt_sigtimedwait_time64", "sched_rr_get_interval_time64", "semtimedop_time64", "send",
        "set_thread_area", "set_tls", "setfsgid32", "setfsuid32", "setgid32", "setgroups32", "setregid32",
        "setresgid32", "setresuid32", "setreuid32", "setuid32", "sigaction", "sigprocmask", "sigreturn",
        "sigsuspend", "socketcall", "stat64", "statfs64", "sync_file_range2", "timer_gettime64",
        "timer_settime64", "timerfd_gettime64", "timerfd_settime64", "truncate64", "ugetrlimit",
        "utimensat_time64", "waitpid", NULL,
};

/* Host-wide or escape-prone calls: refused with EPERM (not the default ENOSYS) so that programs
 * report "Operation not permitted" rather than believing the kernel too old. */
static char *const refused[] = {
        "acct", "add_key", "bpf", "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen",
        "fspick", "init_module", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount",
        "mount_setattr", "move_mount", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
        "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace", "quotactl", "reboot",
        "request_key", "setdomainname", "sethostname", "setns", "settimeofday", "clock_settime", "swapoff",
        "swapon", "sysfs", "umount", "umount2", "unshare", "uselib", "userfaultfd", "vhangup", NULL,
};

static char *const archs[] = {
#if defined(__x86_64__)
        "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__i386__)
        "SCMP_ARCH_X86",
#elif defined(__aarch64__)
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#elif defined(__arm__)
        "SCMP_ARCH_ARM",
#elif defined(__s390x__)
        "SCMP_ARCH_S390X", "SCMP_ARCH_S390",
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        "SCMP_ARCH_PPC64LE",
#elif defined(__riscv) && __riscv_xlen == 64
        "SCMP_ARCH_RISCV64",
#endif
        NULL,
};

#define CLONE_NAMESPACE_FLAGS \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static void gen_rule(yajl_gen g, char *const *names, const char *action, int errno_ret)
{
        yajl_gen_map_open(g);
        json_gen_kv_strv(g, "names", names);
        json_gen_kv_string(g, "action", action);
        if (errno_ret)
                json_gen_kv_int(g, "errnoRet", errno_ret);
        yajl_gen_map_close(g);
}

/* clone without namespace flags (on s390 the flags are the second argument). clone3 hides its flags
 * in memory a filter cannot read: ENOSYS makes the C library fall back to clone. */
static void gen_clone(yajl_gen g)
{
        static char *const clone[] = { "clone", NULL };
        static char *const clone3[] = { "clone3", NULL };
#if defined(__s390__) || defined(__s390x__)
        const int flags_arg = 1;
#else
        const int flags_arg = 0;
#endif

        yajl_gen_map_open(g);
        json_gen_kv_strv(g, "names", clone);
        json_gen_kv_string(g, "action", "SCMP_ACT_ALLOW");
        json_gen_string(g, "args");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        json_gen_kv_int(g, "index", flags_arg);
        json_gen_kv_int(g, "value", CLONE_NAMESPACE_FLAGS);
        json_gen_kv_int(g, "valueTwo", 0);
        json_gen_kv_string(g, "op", "SCMP_CMP_MASKED_EQ");
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        gen_rule(g, clone3, "SCMP_ACT_ERRNO", ENOSYS);
}

void seccomp_default_gen(yajl_gen g)
{
        static char *const flags[] = { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL };

        json_gen_string(g, "seccomp");
        yajl_gen_map_open(g);
        /* ENOSYS for what the list does not know: newer programs then fall back to older calls. */
        json_gen_kv_string(g, "defaultAction", "SCMP_ACT_ERRNO");
        json_gen_kv_int(g, "defaultErrnoRet", ENOSYS);
        json_gen_kv_strv(g, "architectures", archs);
        json_gen_kv_strv(g, "flags", flags);
        json_gen_string(g, "syscalls");
        yajl_gen_array_open(g);
        gen_rule(g, allowed, "SCMP_ACT_ALLOW", 0);
        gen_clone(g);
        gen_rule(g, refused, "SCMP_ACT_ERRNO", EPERM);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
}
