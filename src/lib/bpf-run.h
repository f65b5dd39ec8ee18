/* Classic BPF run as seccomp runs it, on a struct seccomp_data: skiff checks the programs it makes
 * against libseccomp's with it (seccomp-shrink.h), and asks what a program does with the syscalls
 * the init makes before its exec (seccomp-compile.c). */
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPF_RUN_MAX_CONSTS 64

/* What one run did, for reasoning about every input from a few. */
struct bpf_trace {
        bool reads_args;        /* it loaded an argument (the instruction pointer makes it unsupported) */
        bool unsupported;       /* it did something the reasoning does not cover (see bpf-run.c) */
        uint32_t arch_consts[BPF_RUN_MAX_CONSTS]; /* what the architecture was compared with */
        size_t n_arch_consts;
        uint32_t arg_consts[BPF_RUN_MAX_CONSTS]; /* what an argument word was compared or masked with */
        size_t n_arg_consts;
};

/* The program's return value for d. The trace (zeroed first) may be NULL. A program that runs off
 * its end or jumps out of it returns SECCOMP_RET_KILL_PROCESS and is unsupported. */
uint32_t bpf_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d, struct bpf_trace *trace);
