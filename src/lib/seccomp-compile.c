#include "seccomp-compile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bpf-run.h"
#include "dir-prune.h"
#include "seccomp-shrink.h"
#include "util.h"

#define FIELD_PREFIX "linux.seccomp"
#define CACHE_DIR ".seccomp@cache" /* '@' is not allowed in a container ID: no clash with one */
/* Entries kept: each store drops the oldest beyond (a profile dropped is compiled again once). */
#define CACHE_ENTRIES 32
#define CACHE_MAGIC "skiffbp4"
#define CACHE_NOTIFIES 1        /* some action is SCMP_ACT_NOTIFY */
#define CACHE_ALLOWS_INIT_TAIL 2 /* spec_seccomp.allows_init_tail */

/* What is stored: this header, the key, the program. The key is compared whole and the checksum covers
 * flags and program, so a file torn by a crash (renamed but never written back) is recompiled, never
 * loaded. */
struct cache_header {
        char magic[8];
        uint64_t key_len;
        uint64_t program_len;
        uint64_t flags; /* CACHE_* */
        uint64_t checksum;
};

static void release_ctx(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* An entry's name and its check against damage, eight bytes a step (the key is some 10 kB of profile
 * text, hashed at every create): multiply, then fold the high bits back down. Not a defence against
 * whoever can write the cache, which is root's. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
        const unsigned char *p = data;
        uint64_t w;

        for (; len >= sizeof(w); p += sizeof(w), len -= sizeof(w)) {
                memcpy(&w, p, sizeof(w));
                h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
                h ^= h >> 29;
        }
        for (; len; p++, len--)
                h = (h ^ *p) * 0x100000001b3ULL;
        return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

/* What shapes the program besides the profile: libseccomp's version, the kernel's seccomp API level
 * (libseccomp picks actions by it), the native architecture, and the layout (libseccomp's tree, then
 * seccomp_shrink's ranges). The load flags are not in it: they go to seccomp(2), not into the
 * program. */
static char *key_head(void)
{
        const struct scmp_version *v = seccomp_version();

        return xasprintf("libseccomp %u.%u.%u api %u native %x tree, ranges", v->major, v->minor, v->micro,
                         seccomp_api_get(), seccomp_arch_native());
}

/* key_head, and the profile as parsed. */
static char *cache_key(const struct spec_seccomp *s, size_t *ret_len)
{
        _cleanup_free_ char *head = key_head();
        char *key = NULL;
        FILE *f = open_memstream(&key, ret_len);

        if (!f)
                abort();
        fprintf(f, "%s default %x archs", head, s->default_action);
        for (size_t i = 0; i < s->n_archs; i++)
                fprintf(f, " %x", s->archs[i]);
        for (size_t i = 0; i < s->n_rules; i++) {
                const struct seccomp_rule *r = &s->rules[i];
                fprintf(f, "\n%d %x", r->nr, r->action);
                for (unsigned a = 0; a < r->n_args; a++)
                        fprintf(f, " %u %d %llx %llx", r->args[a].arg, (int)r->args[a].op,
                                (unsigned long long)r->args[a].datum_a, (unsigned long long)r->args[a].datum_b);
        }
        if (fclose(f) != 0)
                abort();
        return key;
}

static bool repeats_an_index(const struct seccomp_rule *rule)
{
        for (unsigned i = 0; i < rule->n_args; i++)
                for (unsigned j = i + 1; j < rule->n_args; j++)
                        if (rule->args[i].arg == rule->args[j].arg)
                                return true;
        return false;
}

/* Two comparisons of one argument cannot be ANDed in a libseccomp rule: like runc, each becomes a rule
 * of its own (they are ORed). */
static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *rule)
{
        int r;

        if (!repeats_an_index(rule))
                return seccomp_rule_add_array(ctx, rule->action, rule->nr, rule->n_args, rule->args);
        for (unsigned i = 0; i < rule->n_args; i++)
                if ((r = seccomp_rule_add_array(ctx, rule->action, rule->nr, 1, &rule->args[i])) < 0)
                        return r;
        return 0;
}

static int build(const struct spec_seccomp *s, const struct seccomp_rule *rules, size_t n_rules, scmp_filter_ctx *ret,
                 struct error *err)
{
        _cleanup_(release_ctx) scmp_filter_ctx ctx = seccomp_init(s->default_action);
        int r;

        if (!ctx)
                return error_set(err, EINVAL, FIELD_PREFIX ".defaultAction: libseccomp refused it");
        /* The syscall numbers as a binary tree, not a list: at load, the kernel runs the program once
         * per syscall and architecture to cache what is always allowed, and a tree takes a few steps
         * where the list took hundreds. The default profile loads in half the time (0.4 ms). */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ": ask libseccomp for a binary tree");
        for (size_t i = 0; i < s->n_archs; i++) {
                r = seccomp_arch_add(ctx, s->archs[i]);
                if (r < 0 && r != -EEXIST)
                        return error_sys(err, -r, FIELD_PREFIX ".architectures[%zu]", i);
        }
        for (size_t i = 0; i < n_rules; i++) {
                const struct seccomp_rule *rule = &rules[i];
                /* libseccomp refuses a rule that restates the default action; it would change nothing. */
                if (rule->action == s->default_action)
                        continue;
                if ((r = add_rule(ctx, rule)) < 0) {
                        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->nr);
                        return error_sys(err, -r, FIELD_PREFIX ".syscalls: add the rule for %s", name ? name : "?");
                }
        }
        *ret = TAKE_PTR(ctx);
        return 0;
}

/* libseccomp 2.5 exports only to an fd: a memfd, read back. */
static int compile(const struct spec_seccomp *s, const struct seccomp_rule *rules, size_t n_rules, char **ret_program,
                   size_t *ret_len, struct error *err)
{
        _cleanup_(release_ctx) scmp_filter_ctx ctx = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *program = NULL;
        struct stat st;
        int r;

        if ((r = build(s, rules, n_rules, &ctx, err)) < 0)
                return r;
        fd = memfd_create("skiff-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return error_sys(err, errno, FIELD_PREFIX ": memfd for the filter");
        if ((r = seccomp_export_bpf(ctx, fd)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ": compile the filter");
        if (fstat(fd, &st) < 0)
                return error_sys(err, errno, FIELD_PREFIX ": fstat the compiled filter");
        program = xmalloc((size_t)st.st_size);
        if (pread(fd, program, (size_t)st.st_size, 0) != st.st_size)
                return error_sys(err, errno ? errno : EIO, FIELD_PREFIX ": read the compiled filter");
        *ret_program = TAKE_PTR(program);
        *ret_len = (size_t)st.st_size;
        return 0;
}

static bool compares_args(const struct spec_seccomp *s, int nr)
{
        for (size_t i = 0; i < s->n_rules; i++)
                if (s->rules[i].nr == nr && s->rules[i].n_args > 0)
                        return true;
        return false;
}

/* What seccomp_shrink hands the syscalls whose outcome depends on their arguments: libseccomp's
 * program for their rules alone (every rule of a syscall that has one comparing an argument).
 * *ret_program is NULL when no rule compares one. */
static int compile_args_part(const struct spec_seccomp *s, char **ret_program, size_t *ret_len, struct error *err)
{
        _cleanup_free_ struct seccomp_rule *picked = xcalloc(s->n_rules + 1, sizeof(*picked));
        size_t n = 0;

        for (size_t i = 0; i < s->n_rules; i++)
                if (compares_args(s, s->rules[i].nr))
                        picked[n++] = s->rules[i];
        *ret_program = NULL;
        *ret_len = 0;
        return n ? compile(s, picked, n, ret_program, ret_len, err) : 0;
}

/* Replace *program by seccomp_shrink's equivalent when it makes one; else keep it. */
static void shrink(const struct spec_seccomp *s, char **program, size_t *len)
{
        _cleanup_free_ char *args_part = NULL;
        struct error ignored = { 0 };
        struct sock_filter *small;
        size_t args_len, n_small;

        if (compile_args_part(s, &args_part, &args_len, &ignored) < 0 ||
            seccomp_shrink((const struct sock_filter *)*program, *len / sizeof(struct sock_filter),
                           (const struct sock_filter *)args_part, args_len / sizeof(struct sock_filter), &small,
                           &n_small) < 0)
                return;
        free(*program);
        *program = (char *)small;
        *len = n_small * sizeof(struct sock_filter);
}

/* Every syscall the init may make from SYNC_READY to the exec, glibc's and libcap's included: the
 * start handshake, the fds handed over, the identity, the cwd check, the signal reset, the exec, an
 * error's report and exit, and what malloc may ask for on the way. */
static const char *const init_tail_syscalls[] = {
        "read", "write", "open", "openat", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "fstat",
        "newfstatat", "statx", "lseek", "getcwd", "chdir", "fchdir", "umask", "prctl", "capget", "capset",
        "setgroups", "setresuid", "setresgid", "setuid", "setgid", "prlimit64", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "execve", "execveat", "exit", "exit_group", "brk", "mmap", "munmap",
        "mprotect", "madvise", "mremap", "getrandom", "getpid", "gettid", "tgkill", "futex",
};

/* Whether the program lets each of init_tail_syscalls through on this architecture, without
 * looking at its arguments. Worked out once, with the program, and kept in its cache entry: not
 * again at every start. */
static bool allows_init_tail(const struct sock_fprog *program)
{
        uint32_t arch = seccomp_arch_native();

        for (size_t i = 0; i < ARRAY_SIZE(init_tail_syscalls); i++) {
                int nr = seccomp_syscall_resolve_name(init_tail_syscalls[i]);
                struct seccomp_data d = { .nr = nr, .arch = arch };
                struct bpf_trace trace;
                uint32_t action;

                if (nr < 0) /* not a syscall of this architecture: nobody makes it */
                        continue;
                action = bpf_run(program->filter, program->len, &d, &trace) & SECCOMP_RET_ACTION_FULL;
                if (trace.reads_args || trace.unsupported || (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG))
                        return false;
        }
        return true;
}

static char *cache_path(const char *root, const char *key, size_t key_len)
{
        return xasprintf("%s/" CACHE_DIR "/%016llx", root, (unsigned long long)hash_bytes(HASH_SEED, key, key_len));
}

static bool program_valid(size_t len)
{
        return len > 0 && len % sizeof(struct sock_filter) == 0 && len / sizeof(struct sock_filter) <= BPF_MAXINSNS;
}

/* The program stored for exactly this key, or NULL: a missing, foreign or damaged entry is a miss. */
static char *cache_lookup(const char *path, const char *key, size_t key_len, size_t *ret_len, uint64_t *ret_flags)
{
        _cleanup_free_ char *data = NULL;
        struct error ignored = { 0 };
        struct cache_header h;
        size_t len;

        if (read_file(path, &data, &len, &ignored) < 0 || len < sizeof(h))
                return NULL;
        memcpy(&h, data, sizeof(h));
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.key_len != key_len ||
            len != sizeof(h) + h.key_len + h.program_len || !program_valid(h.program_len) ||
            memcmp(data + sizeof(h), key, key_len) != 0 ||
            hash_bytes(hash_bytes(HASH_SEED, &h.flags, sizeof(h.flags)), data + sizeof(h) + key_len, h.program_len) !=
                    h.checksum)
                return NULL;
        *ret_len = h.program_len;
        *ret_flags = h.flags;
        memmove(data, data + sizeof(h) + key_len, h.program_len);
        return TAKE_PTR(data);
}

/* A cache that cannot be written costs the next create a compile, nothing else: errors are dropped. */
static void cache_store(const char *root, const char *key, size_t key_len, const struct spec_seccomp *s)
{
        size_t len = s->program.len * sizeof(struct sock_filter);
        _cleanup_free_ char *dir = xasprintf("%s/" CACHE_DIR, root);
        _cleanup_free_ char *path = cache_path(root, key, key_len);
        _cleanup_free_ char *data = xmalloc(sizeof(struct cache_header) + key_len + len);
        struct cache_header h = { .magic = CACHE_MAGIC, .key_len = key_len, .program_len = len,
                                  .flags = (s->uses_notify ? CACHE_NOTIFIES : 0) |
                                           (s->allows_init_tail ? CACHE_ALLOWS_INIT_TAIL : 0) };
        struct error ignored = { 0 };

        memcpy(data + sizeof(h), key, key_len);
        memcpy(data + sizeof(h) + key_len, s->program.filter, len);
        /* The key is compared byte for byte on lookup: the check covers the rest. */
        h.checksum = hash_bytes(hash_bytes(HASH_SEED, &h.flags, sizeof(h.flags)), data + sizeof(h) + key_len, len);
        memcpy(data, &h, sizeof(h));
        if (mkdir_p(dir, 0700, &ignored) == 0 && write_file_replace(path, data, sizeof(h) + key_len + len, &ignored) == 0)
                dir_keep_newest(dir, CACHE_ENTRIES);
}

static void set_program(struct spec_seccomp *s, char *program, size_t len)
{
        free(s->program.filter);
        s->program.filter = (struct sock_filter *)program;
        s->program.len = (unsigned short)(len / sizeof(struct sock_filter));
}

/* "raw", key_head, then linux.seccomp's text. */
static char *raw_key(const char *raw, size_t raw_len, size_t *ret_len)
{
        _cleanup_free_ char *head = key_head();
        size_t head_len = strlen("raw ") + strlen(head) + 1;
        char *key = xmalloc(head_len + raw_len + 1);

        snprintf(key, head_len + 1, "raw %s\n", head);
        memcpy(key + head_len, raw, raw_len);
        *ret_len = head_len + raw_len;
        return key;
}

/* On a hit, the entry's program and what its flags say go to s. */
static bool take_cached(const char *root, const char *key, size_t key_len, struct spec_seccomp *s)
{
        _cleanup_free_ char *path = cache_path(root, key, key_len);
        uint64_t flags;
        size_t len;
        char *program = cache_lookup(path, key, key_len, &len, &flags);

        if (!program)
                return false;
        set_program(s, program, len);
        s->uses_notify = flags & CACHE_NOTIFIES;
        s->allows_init_tail = flags & CACHE_ALLOWS_INIT_TAIL;
        return true;
}

bool seccomp_cache_get_raw(const char *root, const char *raw, size_t raw_len, struct spec_seccomp *s)
{
        size_t key_len;
        _cleanup_free_ char *key = raw_key(raw, raw_len, &key_len);

        return take_cached(root, key, key_len, s);
}

int seccomp_prepare(struct spec_seccomp *s, const char *root, struct error *err)
{
        size_t key_len, len;
        _cleanup_free_ char *key = NULL;
        char *program;
        int r;

        if (s->program.filter)
                return 0;
        key = s->text ? raw_key(s->text, strlen(s->text), &key_len) : cache_key(s, &key_len);
        if (take_cached(root, key, key_len, s))
                return 0;
        if ((r = compile(s, s->rules, s->n_rules, &program, &len, err)) < 0)
                return r;
        shrink(s, &program, &len);
        if (!program_valid(len)) {
                free(program);
                return error_set(err, E2BIG, FIELD_PREFIX ": the filter has %zu instructions, the kernel takes "
                                 "at most %d", len / sizeof(struct sock_filter), BPF_MAXINSNS);
        }
        set_program(s, program, len);
        s->allows_init_tail = allows_init_tail(&s->program);
        cache_store(root, key, key_len, s);
        return 0;
}
