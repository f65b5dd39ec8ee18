#include "seccomp-shrink.h"

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf-run.h"
#include "util.h"

/* Ranges per subtree whose outcomes are shared: each comparison in it reaches them within the 255
 * instructions an 8-bit jump offset spans (at most CHUNK - 1 comparisons, then CHUNK outcomes). */
#define CHUNK 100
#define MAX_ARCHS 16

struct range {
        uint32_t lo;            /* from here to the next range's lo */
        uint32_t action;        /* what the full program returns, when it does not read arguments */
        bool to_args;           /* it reads them: decided by the args part */
};

struct prog {
        struct sock_filter *f;
        size_t n, cap;
        size_t *to_args;        /* the jumps to the args part, to be aimed once it is placed */
        size_t n_to_args;
};

static void put(struct prog *p, struct sock_filter f)
{
        if (p->n == p->cap) {
                p->cap = p->cap ? 2 * p->cap : 64;
                p->f = xrealloc(p->f, p->cap * sizeof(*p->f));
        }
        p->f[p->n++] = f;
}

/* Instruction `at` of p is a jump to the args part. */
static void note_to_args(struct prog *p, size_t at)
{
        p->to_args = xrealloc(p->to_args, (p->n_to_args + 1) * sizeof(*p->to_args));
        p->to_args[p->n_to_args++] = at;
}

static void put_outcome(struct prog *p, const struct range *r)
{
        if (r->to_args) {
                note_to_args(p, p->n);
                put(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0));
        } else {
                put(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, r->action));
        }
}

static void append(struct prog *p, const struct prog *q)
{
        for (size_t i = 0; i < q->n_to_args; i++)
                note_to_args(p, p->n + q->to_args[i]);
        for (size_t i = 0; i < q->n; i++)
                put(p, q->f[i]);
}

static void prog_clear(struct prog *p)
{
        free(p->f);
        free(p->to_args);
        *p = (struct prog){ 0 };
}

static bool same_outcome(const struct range *a, const struct range *b)
{
        return a->to_args == b->to_args && (a->to_args || a->action == b->action);
}

/* One subtree's comparisons, their jumps to outcomes kept as indices into `outcomes` (-1: none). */
struct nodes {
        struct sock_filter f[CHUNK];
        int jt_outcome[CHUNK], jf_outcome[CHUNK];
        size_t n;
        struct range outcomes[CHUNK];
        size_t n_outcomes;
};

static int outcome_index(struct nodes *o, const struct range *r)
{
        for (size_t i = 0; i < o->n_outcomes; i++)
                if (same_outcome(&o->outcomes[i], r))
                        return (int)i;
        o->outcomes[o->n_outcomes] = *r;
        return (int)o->n_outcomes++;
}

/* r[0..n), n >= 2: "number >= r[n/2].lo" picks the upper half; the lower one follows. */
static void put_nodes(struct nodes *o, const struct range *r, size_t n)
{
        size_t m = n / 2, at = o->n++;

        o->f[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, r[m].lo, 0, 0);
        o->jt_outcome[at] = o->jf_outcome[at] = -1;
        if (m == 1)
                o->jf_outcome[at] = outcome_index(o, &r[0]);
        else
                put_nodes(o, r, m);
        if (n - m == 1) {
                o->jt_outcome[at] = outcome_index(o, &r[m]);
        } else {
                o->f[at].jt = (uint8_t)(o->n - at - 1);
                put_nodes(o, r + m, n - m);
        }
}

static void put_chunk(struct prog *p, const struct range *r, size_t n)
{
        struct nodes o = { 0 };

        if (n == 1) {
                put_outcome(p, r);
                return;
        }
        put_nodes(&o, r, n);
        for (size_t i = 0; i < o.n; i++) {
                /* The outcomes follow the comparisons: outcome k is at o.n + k. */
                if (o.jt_outcome[i] >= 0)
                        o.f[i].jt = (uint8_t)(o.n + (size_t)o.jt_outcome[i] - i - 1);
                if (o.jf_outcome[i] >= 0)
                        o.f[i].jf = (uint8_t)(o.n + (size_t)o.jf_outcome[i] - i - 1);
                put(p, o.f[i]);
        }
        for (size_t i = 0; i < o.n_outcomes; i++)
                put_outcome(p, &o.outcomes[i]);
}

static void put_tree(struct prog *p, const struct range *r, size_t n)
{
        struct prog lower = { 0 }, upper = { 0 };
        size_t m = n / 2;

        if (n <= CHUNK) {
                put_chunk(p, r, n);
                return;
        }
        put_tree(&lower, r, m);
        put_tree(&upper, r + m, n - m);
        if (lower.n <= 255) {
                put(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, r[m].lo, (uint8_t)lower.n, 0));
        } else {
                put(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, r[m].lo, 0, 1));
                put(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)lower.n, 0, 0));
        }
        append(p, &lower);
        append(p, &upper);
        prog_clear(&lower);
        prog_clear(&upper);
}

static int cmp_u32(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

        return x < y ? -1 : x > y;
}

/* 0, and every constant the program compares with and the number after it: between two of these
 * neighbours, every comparison of the syscall number comes out the same. */
static uint32_t *points_of(const struct sock_filter *f, size_t n, size_t *ret_n)
{
        uint32_t *pts = xmalloc((2 * n + 1) * sizeof(*pts));
        size_t k = 0, unique = 0;

        pts[k++] = 0;
        for (size_t i = 0; i < n; i++) {
                if (BPF_CLASS(f[i].code) != BPF_JMP || BPF_OP(f[i].code) == BPF_JA)
                        continue;
                pts[k++] = f[i].k;
                if (f[i].k != UINT32_MAX)
                        pts[k++] = f[i].k + 1;
        }
        qsort(pts, k, sizeof(*pts), cmp_u32);
        for (size_t i = 0; i < k; i++)
                if (unique == 0 || pts[i] != pts[unique - 1])
                        pts[unique++] = pts[i];
        *ret_n = unique;
        return pts;
}

static bool has(const uint32_t *set, size_t n, uint32_t v)
{
        for (size_t i = 0; i < n; i++)
                if (set[i] == v)
                        return true;
        return false;
}

/* The architectures the program tells apart: those it tests for, found by running it with each
 * one it names (from 0 on) until no new one comes; then `other`, one it never names, which stands
 * for all the rest (it tests the architecture only for equality). */
static int archs_of(const struct sock_filter *f, size_t n, const uint32_t *pts, size_t n_pts, uint32_t *archs,
                    size_t *n_archs, uint32_t *other)
{
        size_t named = 0;

        for (size_t t = 0; t <= named; t++) {
                uint32_t arch = t == 0 ? 0 : archs[t - 1];
                for (size_t i = 0; i < n_pts; i++) {
                        struct seccomp_data d = { .nr = (int)pts[i], .arch = arch };
                        struct bpf_trace tr;

                        bpf_run(f, n, &d, &tr);
                        if (tr.unsupported)
                                return -1;
                        for (size_t c = 0; c < tr.n_arch_consts; c++) {
                                if (has(archs, named, tr.arch_consts[c]))
                                        continue;
                                if (named == MAX_ARCHS)
                                        return -1;
                                archs[named++] = tr.arch_consts[c];
                        }
                }
        }
        *other = 0;
        while (has(archs, named, *other))
                (*other)++;
        *n_archs = named;
        return 0;
}

static struct range *ranges_of(const struct sock_filter *f, size_t n, uint32_t arch, const uint32_t *pts,
                               size_t n_pts, size_t *ret_n)
{
        struct range *r = xmalloc(n_pts * sizeof(*r));
        size_t k = 0;

        for (size_t i = 0; i < n_pts; i++) {
                struct seccomp_data d = { .nr = (int)pts[i], .arch = arch };
                struct bpf_trace tr;
                struct range here = { .lo = pts[i], .action = bpf_run(f, n, &d, &tr) };

                if (tr.unsupported) {
                        free(r);
                        return NULL;
                }
                here.to_args = tr.reads_args;
                if (k == 0 || !same_outcome(&r[k - 1], &here))
                        r[k++] = here;
        }
        *ret_n = k;
        return r;
}

/* "load the number; the tree of this architecture's ranges". */
static int put_body(struct prog *p, const struct sock_filter *f, size_t n, uint32_t arch, const uint32_t *pts,
                    size_t n_pts)
{
        size_t n_ranges;
        struct range *r = ranges_of(f, n, arch, pts, n_pts, &n_ranges);

        if (!r)
                return -1;
        put(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
        put_tree(p, r, n_ranges);
        free(r);
        return 0;
}

static void set_arg_word(struct seccomp_data *d, int word, uint32_t value)
{
        memcpy((char *)d->args + 4 * word, &value, sizeof(value));
}

/* The full program and q decide alike for d, with each argument word set to each value (one word
 * at a time, then all of them). */
static bool agree_on_args(const struct sock_filter *full, size_t n_full, const struct prog *q,
                          const struct seccomp_data *d, const uint32_t *values, size_t n_values)
{
        for (size_t c = 0; c < n_values; c++) {
                for (int word = -1; word < 12; word++) {
                        struct seccomp_data v = *d;

                        for (int w = 0; w < 12; w++)
                                if (word < 0 || w == word)
                                        set_arg_word(&v, w, values[c]);
                        if (bpf_run(full, n_full, &v, NULL) != bpf_run(q->f, q->n, &v, NULL))
                                return false;
                }
        }
        return true;
}

/* Every architecture it names and one it does not, every range, and for those that read
 * arguments, the values the full program compared or masked them with, and all ones. */
static bool agree(const struct sock_filter *full, size_t n_full, const struct prog *q, const uint32_t *archs,
                  size_t n_archs, const uint32_t *pts, size_t n_pts)
{
        static const uint32_t all_ones = UINT32_MAX;

        for (size_t a = 0; a < n_archs; a++) {
                for (size_t i = 0; i < n_pts; i++) {
                        struct seccomp_data d = { .nr = (int)pts[i], .arch = archs[a] };
                        struct bpf_trace tr, tq;
                        uint32_t want = bpf_run(full, n_full, &d, &tr);

                        if (tr.unsupported || bpf_run(q->f, q->n, &d, &tq) != want || tq.unsupported)
                                return false;
                        if (tr.reads_args && (!agree_on_args(full, n_full, q, &d, tr.arg_consts, tr.n_arg_consts) ||
                                              !agree_on_args(full, n_full, q, &d, &all_ones, 1)))
                                return false;
                }
        }
        return true;
}

static int build(const struct sock_filter *full, size_t n_full, const struct sock_filter *args_part,
                 size_t n_args_part, const uint32_t *pts, size_t n_pts, const uint32_t *archs, size_t n_archs,
                 uint32_t other, struct prog *q)
{
        struct prog bodies[MAX_ARCHS] = { 0 }, tail = { 0 };
        int r = -1;

        /* The tail: other architectures, then each named one's body. */
        if (put_body(&tail, full, n_full, other, pts, n_pts) < 0)
                goto out;
        for (size_t a = 0; a < n_archs; a++)
                if (put_body(&bodies[a], full, n_full, archs[a], pts, n_pts) < 0)
                        goto out;
        put(q, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
        for (size_t a = 0, before = tail.n; a < n_archs; a++) {
                /* From after this pair of instructions: the pairs left, the tail, the bodies before. */
                size_t skip = 2 * (n_archs - a - 1) + before;
                put(q, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, archs[a], 0, 1));
                put(q, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)skip, 0, 0));
                before += bodies[a].n;
        }
        append(q, &tail);
        for (size_t a = 0; a < n_archs; a++)
                append(q, &bodies[a]);
        if (q->n_to_args && !args_part)
                goto out;
        for (size_t i = 0; i < q->n_to_args; i++)
                q->f[q->to_args[i]].k = (uint32_t)(q->n - q->to_args[i] - 1);
        for (size_t i = 0; q->n_to_args && i < n_args_part; i++)
                put(q, args_part[i]);
        r = 0;
out:
        for (size_t a = 0; a < n_archs; a++)
                prog_clear(&bodies[a]);
        prog_clear(&tail);
        return r;
}

int seccomp_shrink(const struct sock_filter *full, size_t n_full, const struct sock_filter *args_part,
                   size_t n_args_part, struct sock_filter **ret, size_t *ret_n)
{
        _cleanup_free_ uint32_t *pts = NULL;
        uint32_t archs[MAX_ARCHS + 1], other;
        struct prog q = { 0 };
        size_t n_pts, n_archs;

        pts = points_of(full, n_full, &n_pts);
        if (archs_of(full, n_full, pts, n_pts, archs, &n_archs, &other) < 0 ||
            build(full, n_full, args_part, n_args_part, pts, n_pts, archs, n_archs, other, &q) < 0)
                goto fail;
        archs[n_archs++] = other;
        if (q.n >= n_full || q.n > BPF_MAXINSNS || !agree(full, n_full, &q, archs, n_archs, pts, n_pts))
                goto fail;
        free(q.to_args);
        *ret = q.f;
        *ret_n = q.n;
        return 0;
fail:
        prog_clear(&q);
        return -1;
}
