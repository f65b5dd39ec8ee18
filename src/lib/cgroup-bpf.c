/* cgroup v2 has no devices controller: device access is decided by an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup. skiff writes that program itself, one block
 * of instructions per rule, from the last rule to the first, so that the last rule that matches
 * decides (the v1 devices cgroup's semantics); nothing matching means no access. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV32_REG(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define AND32_IMM(dst, imm) INSN(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH32_IMM(dst, imm) INSN(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
/* 32-bit compares: majors and minors are u32, and a 64-bit compare would sign-extend the imm. */
#define JNE32_IMM(dst, imm, off) INSN(BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ32_IMM(dst, imm, off) INSN(BPF_JMP32 | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers of the program: what the kernel asks about, unpacked from struct bpf_cgroup_dev_ctx. */
enum { R_CTX = 1, R_RAW = 2, R_TYPE = 3, R_ACCESS = 4, R_MAJOR = 5, R_MINOR = 6, R_TMP = 7 };
/* Placeholder offset of a "skip this rule" jump, patched once the block's length is known. */
#define SKIP 0x7fff

static int access_bits(const char *access)
{
        int bits = 0;

        if (strchr(access, 'm'))
                bits |= BPF_DEVCG_ACC_MKNOD;
        if (strchr(access, 'r'))
                bits |= BPF_DEVCG_ACC_READ;
        if (strchr(access, 'w'))
                bits |= BPF_DEVCG_ACC_WRITE;
        return bits;
}

/* Append one rule's block to prog; return the new length. */
static size_t emit_rule(struct bpf_insn *prog, size_t n, const struct res_device_rule *d)
{
        size_t start = n;
        int acc = access_bits(d->access);

        if (d->type != 'a')
                prog[n++] = JNE32_IMM(R_TYPE, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP);
        if (d->major >= 0)
                prog[n++] = JNE32_IMM(R_MAJOR, (int32_t)(uint32_t)d->major, SKIP);
        if (d->minor >= 0)
                prog[n++] = JNE32_IMM(R_MINOR, (int32_t)(uint32_t)d->minor, SKIP);
        prog[n++] = MOV32_REG(R_TMP, R_ACCESS);
        if (d->allow) {
                /* An allow rule covers a request only if it grants every access asked for. */
                prog[n++] = AND32_IMM(R_TMP, ~acc);
                prog[n++] = JNE32_IMM(R_TMP, 0, SKIP);
        } else {
                /* A deny rule refuses a request that asks for any access it names. */
                prog[n++] = AND32_IMM(R_TMP, acc);
                prog[n++] = JEQ32_IMM(R_TMP, 0, SKIP);
        }
        prog[n++] = MOV64_IMM(0, d->allow ? 1 : 0);
        prog[n++] = EXIT_INSN();
        for (size_t i = start; i < n; i++)
                if (prog[i].off == SKIP)
                        prog[i].off = (int16_t)(n - i - 1);
        return n;
}

static int bpf(int cmd, union bpf_attr *attr)
{
        return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct res_device_rule *rules, size_t n_rules, struct error *err)
{
        /* 7 for the prologue, at most 8 per rule, 2 for the default. */
        _cleanup_free_ struct bpf_insn *prog = xcalloc(7 + 8 * n_rules + 2, sizeof(struct bpf_insn));
        _cleanup_free_ char *log = xcalloc(1, 65536);
        union bpf_attr attr;
        size_t n = 0;
        int fd;

        prog[n++] = LDX_W(R_RAW, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type));
        prog[n++] = LDX_W(R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major));
        prog[n++] = LDX_W(R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor));
        prog[n++] = MOV32_REG(R_TYPE, R_RAW);
        prog[n++] = AND32_IMM(R_TYPE, 0xffff);
        prog[n++] = MOV32_REG(R_ACCESS, R_RAW);
        prog[n++] = RSH32_IMM(R_ACCESS, 16);
        for (size_t i = n_rules; i-- > 0;)
                n = emit_rule(prog, n, &rules[i]);
        prog[n++] = MOV64_IMM(0, 0);
        prog[n++] = EXIT_INSN();

        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)prog;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t)"GPL";
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = 65536;
        attr.log_level = 1;
        fd = bpf(BPF_PROG_LOAD, &attr);
        if (fd < 0) {
                int e = errno;
                log[strcspn(log, "\n")] = '\0';
                return error_sys(err, e, "load the device BPF program%s%s", log[0] ? ": " : "", log);
        }
        return fd;
}

int cg_bpf_devices_apply(const char *dir, const struct res_device_rule *rules, size_t n, struct error *err)
{
        _cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int progfd = -1;
        uint32_t old_ids[64], n_old = ARRAY_SIZE(old_ids);
        union bpf_attr attr;

        if (cgfd < 0)
                return error_sys(err, errno, "open %s", dir);
        /* What skiff attached before (an update): replaced once the new program is in place, so
         * there is no moment without a filter. */
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t)cgfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)old_ids;
        attr.query.prog_cnt = n_old;
        n_old = bpf(BPF_PROG_QUERY, &attr) == 0 ? attr.query.prog_cnt : 0;
        if ((progfd = load_program(rules, n, err)) < 0)
                return progfd;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)cgfd;
        attr.attach_bpf_fd = (uint32_t)progfd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (bpf(BPF_PROG_ATTACH, &attr) < 0)
                return error_sys(err, errno, "attach the device BPF program to %s", dir);
        for (uint32_t i = 0; i < n_old && i < ARRAY_SIZE(old_ids); i++) {
                _cleanup_close_ int oldfd = -1;

                memset(&attr, 0, sizeof(attr));
                attr.prog_id = old_ids[i];
                if ((oldfd = bpf(BPF_PROG_GET_FD_BY_ID, &attr)) < 0)
                        continue;
                memset(&attr, 0, sizeof(attr));
                attr.target_fd = (uint32_t)cgfd;
                attr.attach_bpf_fd = (uint32_t)oldfd;
                attr.attach_type = BPF_CGROUP_DEVICE;
                if (bpf(BPF_PROG_DETACH, &attr) < 0)
                        return error_sys(err, errno, "detach the old device BPF program from %s", dir);
        }
        return 0;
}
