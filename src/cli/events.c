#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/container-resources.h"
#include "../lib/json.h"
#include "../lib/util.h"
#include "cli.h"

struct events_flags {
        bool stats;
        long interval_ms;
};

/* "5s", "250ms", "1m" or a number of seconds, as runc's --interval takes Go durations. */
static bool parse_interval(const char *s, long *ret_ms)
{
        char *end;
        double n = strtod(s, &end);
        double scale;

        if (end == s || n <= 0)
                return false;
        if (!*end || strcmp(end, "s") == 0)
                scale = 1000;
        else if (strcmp(end, "ms") == 0)
                scale = 1;
        else if (strcmp(end, "m") == 0)
                scale = 60000;
        else
                return false;
        *ret_ms = (long)(n * scale);
        return *ret_ms > 0;
}

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct events_flags *f = data;

        if (opt == 's')
                f->stats = true;
        if (opt == 'i' && !parse_interval(arg, &f->interval_ms))
                return -cli_usage_error(cli, "--interval: \"%s\" is not a duration like 5s or 500ms", arg);
        return 0;
}

static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
        char buf[32];
        int len = snprintf(buf, sizeof(buf), "%" PRIu64, v);

        if (key)
                json_gen_string(g, key);
        yajl_gen_number(g, buf, (size_t)len);
}

/* The shape of runc's events: {"type","id","data":{cpu, memory, pids, ...}}. */
static void gen_stats(yajl_gen g, const struct cgroup_stats *s)
{
        yajl_gen_map_open(g);
        json_gen_string(g, "cpu");
        yajl_gen_map_open(g);
        json_gen_string(g, "usage");
        yajl_gen_map_open(g);
        gen_u64(g, "total", s->cpu_total);
        json_gen_string(g, "percpu");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < s->n_cpu_percpu; i++)
                gen_u64(g, NULL, s->cpu_percpu[i]);
        yajl_gen_array_close(g);
        gen_u64(g, "kernel", s->cpu_kernel);
        gen_u64(g, "user", s->cpu_user);
        yajl_gen_map_close(g);
        json_gen_string(g, "throttling");
        yajl_gen_map_open(g);
        gen_u64(g, "periods", s->cpu_periods);
        gen_u64(g, "throttledPeriods", s->cpu_throttled_periods);
        gen_u64(g, "throttledTime", s->cpu_throttled_time);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        json_gen_string(g, "memory");
        yajl_gen_map_open(g);
        json_gen_string(g, "usage");
        yajl_gen_map_open(g);
        gen_u64(g, "limit", s->mem_limit);
        gen_u64(g, "usage", s->mem_usage);
        gen_u64(g, "max", s->mem_max_usage);
        gen_u64(g, "failcnt", s->mem_failcnt);
        yajl_gen_map_close(g);
        json_gen_string(g, "swap");
        yajl_gen_map_open(g);
        gen_u64(g, "limit", s->swap_limit);
        gen_u64(g, "usage", s->swap_usage);
        yajl_gen_map_close(g);
        json_gen_string(g, "raw");
        yajl_gen_map_open(g);
        for (size_t i = 0; s->mem_raw && s->mem_raw[i]; i += 2) {
                uint64_t v = strtoull(s->mem_raw[i + 1], NULL, 10);
                gen_u64(g, s->mem_raw[i], v);
        }
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
        json_gen_string(g, "pids");
        yajl_gen_map_open(g);
        gen_u64(g, "current", s->pids_current);
        gen_u64(g, "limit", s->pids_limit);
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
}

static void print_event(const char *type, const char *id, const struct cgroup_stats *s)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        _cleanup_free_ char *text = NULL;

        yajl_gen_map_open(g);
        json_gen_kv_string(g, "type", type);
        json_gen_kv_string(g, "id", id);
        if (s) {
                json_gen_string(g, "data");
                gen_stats(g, s);
        }
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        printf("%s\n", text);
        fflush(stdout);
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "stats", no_argument, NULL, 's' },
                                              { "interval", required_argument, NULL, 'i' },
                                              { NULL, 0, NULL, 0 } };
        struct events_flags f = { .interval_ms = 5000 };
        struct error err = { 0 };
        uint64_t oom_kills = 0;
        const char *id;
        bool done, first = true;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &f, &done, &next)) < 0 || done)
                return -r;
        if ((r = cli_one_id(cli, argc, argv, next, &id)) < 0)
                return -r;
        /* A stream until the container stops: stats every interval, "oom" when the kernel killed. */
        for (;;) {
                struct cgroup_stats s = { 0 };
                struct timespec pause = { f.interval_ms / 1000, (f.interval_ms % 1000) * 1000000L };
                bool stopped = false;

                if (container_stats(cli->root, id, &s, &stopped, &err) < 0)
                        return cli_fail(cli, id, &err);
                if (stopped) {
                        if (f.stats || first) {
                                error_set(&err, EINVAL, "container not running");
                                return cli_fail(cli, id, &err);
                        }
                        return 0;
                }
                if (!first && s.oom_kills > oom_kills)
                        print_event("oom", id, NULL);
                oom_kills = s.oom_kills;
                print_event("stats", id, &s);
                cgroup_stats_clear(&s);
                if (f.stats)
                        return 0;
                first = false;
                nanosleep(&pause, NULL);
        }
}

const struct command command_events = {
        .name = "events",
        .summary = "print a container's resource usage, once (--stats) or as a stream",
        .usage = "[options] ID\n\n"
                 "  --stats            print one snapshot and exit\n"
                 "  --interval TIME    between snapshots of the stream (default 5s; 500ms, 1m)\n",
        .run = run,
};
