#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lib/container-resources.h"
#include "../lib/json.h"
#include "../lib/util.h"
#include "cli.h"

enum {
        OPT_MEMORY = 256, OPT_MEMORY_RESERVATION, OPT_MEMORY_SWAP, OPT_KERNEL_MEMORY, OPT_KERNEL_MEMORY_TCP,
        OPT_CPU_SHARES, OPT_CPU_QUOTA, OPT_CPU_PERIOD, OPT_CPU_RT_PERIOD, OPT_CPU_RT_RUNTIME,
        OPT_CPUSET_CPUS, OPT_CPUSET_MEMS, OPT_PIDS_LIMIT, OPT_BLKIO_WEIGHT,
};

struct flag_value {
        int opt;
        int64_t n;
        const char *s;
};

struct update_flags {
        const char *file;
        struct flag_value values[32];
        size_t n_values;
};

/* "512m", "1G", "100000" or "-1" (no limit), as runc's memory flags take them (powers of 1024). */
static bool parse_size(const char *s, int64_t *ret)
{
        static const char units[] = "kmgtp";
        char *end;
        long long n;
        const char *u;

        errno = 0;
        n = strtoll(s, &end, 10);
        if (end == s || errno)
                return false;
        if (n == -1 && !*end) {
                *ret = -1;
                return true;
        }
        if (n < 0)
                return false;
        if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
                for (const char *p = units; p <= u; p++) {
                        if (n > INT64_MAX / 1024)
                                return false;
                        n *= 1024;
                }
                end++;
                if (tolower((unsigned char)*end) == 'i')
                        end++;
                if (tolower((unsigned char)*end) == 'b')
                        end++;
        } else if (tolower((unsigned char)*end) == 'b') {
                end++;
        }
        if (*end)
                return false;
        *ret = n;
        return true;
}

static bool is_size_flag(int opt)
{
        return opt == OPT_MEMORY || opt == OPT_MEMORY_RESERVATION || opt == OPT_MEMORY_SWAP || opt == OPT_KERNEL_MEMORY ||
               opt == OPT_KERNEL_MEMORY_TCP;
}

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct update_flags *f = data;
        struct flag_value *v;
        long n;

        if (opt == 'r') {
                f->file = arg;
                return 0;
        }
        if (f->n_values >= ARRAY_SIZE(f->values))
                return -cli_usage_error(cli, "too many flags");
        v = &f->values[f->n_values++];
        v->opt = opt;
        v->s = arg;
        if (opt == OPT_CPUSET_CPUS || opt == OPT_CPUSET_MEMS)
                return 0;
        if (is_size_flag(opt)) {
                if (!parse_size(arg, &v->n))
                        return -cli_usage_error(cli, "\"%s\" is not a size like 512m, 1g or -1", arg);
                return 0;
        }
        if (!str_to_long(arg, &n))
                return -cli_usage_error(cli, "\"%s\" is not a number", arg);
        v->n = n;
        return 0;
}

/* The resources field a numeric flag sets, marking its section present. */
static struct res_value *flag_target(struct spec_resources *res, int opt)
{
        switch (opt) {
        case OPT_MEMORY: res->has_memory = true; return &res->memory.limit;
        case OPT_MEMORY_RESERVATION: res->has_memory = true; return &res->memory.reservation;
        case OPT_MEMORY_SWAP: res->has_memory = true; return &res->memory.swap;
        case OPT_KERNEL_MEMORY: res->has_memory = true; return &res->memory.kernel;
        case OPT_KERNEL_MEMORY_TCP: res->has_memory = true; return &res->memory.kernel_tcp;
        case OPT_CPU_SHARES: res->has_cpu = true; return &res->cpu.shares;
        case OPT_CPU_QUOTA: res->has_cpu = true; return &res->cpu.quota;
        case OPT_CPU_PERIOD: res->has_cpu = true; return &res->cpu.period;
        case OPT_CPU_RT_PERIOD: res->has_cpu = true; return &res->cpu.realtime_period;
        case OPT_CPU_RT_RUNTIME: res->has_cpu = true; return &res->cpu.realtime_runtime;
        case OPT_PIDS_LIMIT: return &res->pids_limit;
        case OPT_BLKIO_WEIGHT: res->has_block_io = true; return &res->block_io.weight;
        }
        return NULL;
}

/* Checks the flags with the same rules as config.json: the JSON parser is the one place for them. */
static char *flags_to_json(const struct update_flags *f)
{
        static const struct { int opt; const char *section, *key; } names[] = {
                { OPT_MEMORY, "memory", "limit" },       { OPT_MEMORY_RESERVATION, "memory", "reservation" },
                { OPT_MEMORY_SWAP, "memory", "swap" },    { OPT_KERNEL_MEMORY, "memory", "kernel" },
                { OPT_KERNEL_MEMORY_TCP, "memory", "kernelTCP" }, { OPT_CPU_SHARES, "cpu", "shares" },
                { OPT_CPU_QUOTA, "cpu", "quota" },        { OPT_CPU_PERIOD, "cpu", "period" },
                { OPT_CPU_RT_PERIOD, "cpu", "realtimePeriod" }, { OPT_CPU_RT_RUNTIME, "cpu", "realtimeRuntime" },
                { OPT_CPUSET_CPUS, "cpu", "cpus" },       { OPT_CPUSET_MEMS, "cpu", "mems" },
                { OPT_PIDS_LIMIT, "pids", "limit" },      { OPT_BLKIO_WEIGHT, "blockIO", "weight" },
        };
        static const char *const sections[] = { "memory", "cpu", "pids", "blockIO" };
        yajl_gen g = yajl_gen_alloc(NULL);
        char *text;

        yajl_gen_map_open(g);
        for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
                bool open = false;
                for (size_t i = 0; i < f->n_values; i++) {
                        const struct flag_value *v = &f->values[i];
                        for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
                                if (names[k].opt != v->opt || strcmp(names[k].section, sections[s]) != 0)
                                        continue;
                                if (!open) {
                                        json_gen_string(g, sections[s]);
                                        yajl_gen_map_open(g);
                                        open = true;
                                }
                                if (v->opt == OPT_CPUSET_CPUS || v->opt == OPT_CPUSET_MEMS)
                                        json_gen_kv_string(g, names[k].key, v->s);
                                else
                                        json_gen_kv_int(g, names[k].key, v->n);
                        }
                }
                if (open)
                        yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        return text;
}

static int read_resources(const char *file, struct spec_resources *res, struct error *err)
{
        _cleanup_free_ char *text = NULL;
        yajl_val tree = NULL;
        int r;

        if (strcmp(file, "-") == 0) {
                size_t cap = 0, len = 0;
                ssize_t n;
                text = xmalloc(4096);
                cap = 4096;
                while ((n = read(0, text + len, cap - len - 1)) > 0) {
                        len += (size_t)n;
                        if (cap - len < 2)
                                text = xrealloc(text, cap *= 2);
                }
                text[len] = '\0';
        } else if ((r = read_file(file, &text, NULL, err)) < 0) {
                return error_wrap(err, "--resources");
        }
        if ((r = json_parse_string(text, file, &tree, err)) < 0)
                return r;
        r = spec_resources_parse(tree, "resources", res, err);
        yajl_tree_free(tree);
        return r;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "resources", required_argument, NULL, 'r' },
                { "memory", required_argument, NULL, OPT_MEMORY },
                { "memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION },
                { "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
                { "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
                { "kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP },
                { "cpu-share", required_argument, NULL, OPT_CPU_SHARES },
                { "cpu-shares", required_argument, NULL, OPT_CPU_SHARES },
                { "cpu-quota", required_argument, NULL, OPT_CPU_QUOTA },
                { "cpu-period", required_argument, NULL, OPT_CPU_PERIOD },
                { "cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD },
                { "cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME },
                { "cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS },
                { "cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS },
                { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
                { "blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT },
                { NULL, 0, NULL, 0 },
        };
        struct update_flags f = { 0 };
        struct spec_resources res = { 0 }, from_flags = { 0 };
        struct error err = { 0 };
        _cleanup_free_ char *json = NULL;
        const char *id;
        yajl_val tree = NULL;
        bool done;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &f, &done, &next)) < 0 || done)
                return -r;
        if ((r = cli_one_id(cli, argc, argv, next, &id)) < 0)
                return -r;
        if (!f.file && f.n_values == 0)
                return cli_usage_error(cli, "nothing to update: give -r FILE or a flag such as --memory");
        if (f.file && (r = read_resources(f.file, &res, &err)) < 0)
                goto out;
        /* The flags win over the file, value by value. */
        json = flags_to_json(&f);
        if ((r = json_parse_string(json, "flags", &tree, &err)) < 0 ||
            (r = spec_resources_parse(tree, "flags", &from_flags, &err)) < 0)
                goto out;
        for (size_t i = 0; i < f.n_values; i++) {
                struct res_value *to = flag_target(&res, f.values[i].opt), *from = flag_target(&from_flags, f.values[i].opt);
                if (to)
                        *to = *from;
        }
        res.present = true;
        if (from_flags.cpu.cpus) {
                free(res.cpu.cpus);
                res.cpu.cpus = TAKE_PTR(from_flags.cpu.cpus);
                res.has_cpu = true;
        }
        if (from_flags.cpu.mems) {
                free(res.cpu.mems);
                res.cpu.mems = TAKE_PTR(from_flags.cpu.mems);
                res.has_cpu = true;
        }
        r = container_update(cli->root, id, &res, &err);
out:
        if (tree)
                yajl_tree_free(tree);
        spec_resources_clear(&res);
        spec_resources_clear(&from_flags);
        return r < 0 ? cli_fail(cli, id, &err) : 0;
}

const struct command command_update = {
        .name = "update",
        .summary = "change the cgroup limits of a container",
        .usage = "[options] ID\n\n"
                 "  -r, --resources FILE      a linux.resources JSON object (\"-\" reads stdin)\n"
                 "  --memory SIZE             memory limit (512m, 1g; -1 for none)\n"
                 "  --memory-reservation SIZE soft limit\n"
                 "  --memory-swap SIZE        memory plus swap limit\n"
                 "  --kernel-memory SIZE      kernel memory limit (v1)\n"
                 "  --kernel-memory-tcp SIZE  kernel TCP buffer limit (v1)\n"
                 "  --cpu-share N             CPU shares (cpu.weight on v2); --cpu-shares too\n"
                 "  --cpu-quota N             CPU time per period in µs (-1 for none)\n"
                 "  --cpu-period N            CPU period in µs\n"
                 "  --cpu-rt-period N         realtime period in µs (v1)\n"
                 "  --cpu-rt-runtime N        realtime runtime in µs (v1)\n"
                 "  --cpuset-cpus LIST        CPUs to run on (0-2,4)\n"
                 "  --cpuset-mems LIST        memory nodes\n"
                 "  --pids-limit N            most tasks at once (-1 for none)\n"
                 "  --blkio-weight N          block I/O weight, 10 to 1000\n",
        .run = run,
};
