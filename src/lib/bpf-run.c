#include "bpf-run.h"

#include <string.h>

/* Where the accumulator's value came from. The reasoning in seccomp-shrink.c holds when the syscall
 * number is only compared (==, >, >=) with constants and the architecture only tested for
 * equality: the outcome is then the same between any two neighbouring constants. */
enum source { FROM_NR, FROM_ARCH, FROM_ARGS, FROM_OTHER };

static void note(uint32_t *set, size_t *n, uint32_t value)
{
        for (size_t i = 0; i < *n; i++)
                if (set[i] == value)
                        return;
        if (*n < BPF_RUN_MAX_CONSTS)
                set[(*n)++] = value;
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t operand)
{
        switch (BPF_OP(code)) {
        case BPF_JEQ:
                return a == operand;
        case BPF_JGT:
                return a > operand;
        case BPF_JGE:
                return a >= operand;
        default: /* BPF_JSET */
                return (a & operand) != 0;
        }
}

static uint32_t alu(uint16_t code, uint32_t a, uint32_t operand, bool *ok)
{
        switch (BPF_OP(code)) {
        case BPF_ADD: return a + operand;
        case BPF_SUB: return a - operand;
        case BPF_MUL: return a * operand;
        case BPF_AND: return a & operand;
        case BPF_OR: return a | operand;
        case BPF_XOR: return a ^ operand;
        case BPF_LSH: return operand < 32 ? a << operand : 0;
        case BPF_RSH: return operand < 32 ? a >> operand : 0;
        case BPF_NEG: return -a;
        default: /* BPF_DIV, BPF_MOD: never in a seccomp filter of ours */
                *ok = false;
                return 0;
        }
}

/* The instruction pointer counts as "other": comparing it is beyond the reasoning. */
static enum source source_of(uint32_t offset)
{
        if (offset == offsetof(struct seccomp_data, nr))
                return FROM_NR;
        if (offset == offsetof(struct seccomp_data, arch))
                return FROM_ARCH;
        return offset >= offsetof(struct seccomp_data, args) ? FROM_ARGS : FROM_OTHER;
}

uint32_t bpf_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d, struct bpf_trace *trace)
{
        struct bpf_trace ignored;
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
        enum source src = FROM_OTHER;
        bool ok = true;
        size_t pc = 0;

        if (!trace)
                trace = &ignored;
        memset(trace, 0, sizeof(*trace));
        while (pc < n && ok) {
                const struct sock_filter *f = &prog[pc++];
                uint16_t cls = BPF_CLASS(f->code);

                if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
                        if (f->k > sizeof(*d) - 4 || f->k % 4) {
                                ok = false;
                                break;
                        }
                        memcpy(&a, (const char *)d + f->k, 4);
                        src = source_of(f->k);
                        trace->reads_args |= src == FROM_ARGS;
                } else if (cls == BPF_RET) {
                        return BPF_RVAL(f->code) == BPF_A ? a : f->k;
                } else if (cls == BPF_JMP) {
                        uint32_t operand = BPF_SRC(f->code) == BPF_X ? x : f->k;
                        size_t skip;

                        if (BPF_OP(f->code) == BPF_JA) {
                                skip = f->k;
                        } else {
                                /* Against a register, or any but == on the architecture, or a bit
                                 * test on the number: beyond the reasoning. */
                                if (BPF_SRC(f->code) == BPF_X || src == FROM_OTHER ||
                                    (src == FROM_ARCH && BPF_OP(f->code) != BPF_JEQ) ||
                                    (src == FROM_NR && BPF_OP(f->code) == BPF_JSET))
                                        trace->unsupported = true;
                                if (src == FROM_ARCH)
                                        note(trace->arch_consts, &trace->n_arch_consts, operand);
                                if (src == FROM_ARGS)
                                        note(trace->arg_consts, &trace->n_arg_consts, operand);
                                skip = jump_taken(f->code, a, operand) ? f->jt : f->jf;
                        }
                        if (skip >= n - pc) {
                                ok = false;
                                break;
                        }
                        pc += skip;
                } else if (cls == BPF_ALU) {
                        uint32_t operand = BPF_SRC(f->code) == BPF_X ? x : f->k;

                        /* Masking an argument word keeps it an argument; anything else done to a
                         * value makes its comparisons beyond the reasoning. */
                        if (src == FROM_ARGS && BPF_OP(f->code) == BPF_AND && BPF_SRC(f->code) == BPF_K)
                                note(trace->arg_consts, &trace->n_arg_consts, operand);
                        else
                                src = FROM_OTHER;
                        a = alu(f->code, a, operand, &ok);
                } else if (f->code == (BPF_LD | BPF_IMM)) {
                        a = f->k;
                        src = FROM_OTHER;
                } else if (f->code == (BPF_LDX | BPF_IMM)) {
                        x = f->k;
                } else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS) {
                        a = mem[f->k];
                        src = FROM_OTHER;
                } else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS) {
                        x = mem[f->k];
                } else if (f->code == BPF_ST && f->k < BPF_MEMWORDS) {
                        mem[f->k] = a;
                } else if (f->code == BPF_STX && f->k < BPF_MEMWORDS) {
                        mem[f->k] = x;
                } else if (f->code == (BPF_MISC | BPF_TAX)) {
                        x = a;
                } else if (f->code == (BPF_MISC | BPF_TXA)) {
                        a = x;
                        src = FROM_OTHER;
                } else {
                        ok = false;
                }
        }
        trace->unsupported = true;
        return SECCOMP_RET_KILL_PROCESS;
}
