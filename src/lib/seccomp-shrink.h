/* A shorter program that decides as libseccomp's does.
 *
 * The kernel's work to load a filter grows with its length (about 0.14 us an instruction here:
 * the checks, the conversion to eBPF, the JIT), and it is done on the way to the workload's exec.
 * libseccomp spends a comparison and a return on every syscall of every architecture: 1,346
 * instructions for Docker's default profile. Most syscalls' outcome depends on their number alone,
 * and neighbouring numbers share it: a binary search over the ranges, with the returns shared,
 * takes 366 (0.09 ms to load, against 0.21).
 *
 * The ranges are read off libseccomp's program itself, by running it: it compares the syscall
 * number only with constants and tests the architecture only for equality, so its outcome is the
 * same between any two neighbouring constants, and one run at each tells it all. Where a run reads
 * the arguments, the new program jumps to `args_part` instead: libseccomp's program for the rules
 * of those syscalls alone. The result is then run against libseccomp's for every architecture and
 * range it tells apart, with the argument values its comparisons name; on any difference, or
 * anything outside that reasoning, there is no shorter program. */
#pragma once
#include <linux/filter.h>
#include <stddef.h>

/* 0 and *ret (malloc'ed, *ret_n instructions) when a shorter equivalent was made and checked;
 * -1 otherwise. args_part may be NULL when no rule compares an argument. */
int seccomp_shrink(const struct sock_filter *full, size_t n_full, const struct sock_filter *args_part,
                   size_t n_args_part, struct sock_filter **ret, size_t *ret_n);
