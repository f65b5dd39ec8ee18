#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../lib/storage-container.h"
#include "../lib/storage-pool.h"
#include "../lib/util.h"
#include "cli.h"

#define WARN_PERCENT 80

struct pool_flags {
        struct pool_init_options init;
        bool force;
        struct error err;
        int bad;        /* 1 once a value was bad: the message is in err */
};

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct pool_flags *f = data;
        uint64_t *size = NULL;
        const char *field = NULL;

        switch (opt) {
        case 'D': f->init.data_dev = arg; return 0;
        case 'M': f->init.metadata_dev = arg; return 0;
        case 'w': f->init.wipe_metadata = true; return 0;
        case 'f': f->force = true; return 0;
        case 'd': size = &f->init.data_size, field = "--data-size"; break;
        case 'm': size = &f->init.metadata_size, field = "--metadata-size"; break;
        case 'b': size = &f->init.base_size, field = "--base-size"; break;
        case 'B': size = &f->init.block_size, field = "--block-size"; break;
        default: return -1;
        }
        if (parse_size(field, arg, size, &f->err) < 0)
                return -cli_usage_error(cli, "%s", f->err.msg);
        return 0;
}

static int percent(uint64_t used, uint64_t total)
{
        return total ? (int)(used * 100 / total) : 100;
}

static int print_status(struct error *err)
{
        struct storage_pool p = { .lock_fd = -1 };
        struct dm_pool_usage u;
        int r;

        if ((r = pool_open(&p, err)) < 0)
                return r;
        if ((r = dm_pool_usage(p.cfg.name, &u, err)) == 0) {
                _cleanup_free_ char *du = format_size(u.data_used * p.cfg.block_size);
                _cleanup_free_ char *dt = format_size(u.data_total * p.cfg.block_size);
                _cleanup_free_ char *mu = format_size(u.meta_used * 4096);
                _cleanup_free_ char *mt = format_size(u.meta_total * 4096);
                _cleanup_free_ char *bs = format_size(p.cfg.base_size);
                _cleanup_free_ char *bl = format_size(p.cfg.block_size);
                int dp = percent(u.data_used, u.data_total), mp = percent(u.meta_used, u.meta_total);

                printf("pool:           %s (%s)\n", p.cfg.name, u.read_only ? "read-only" : "read-write");
                printf("data:           %s (%s)\n", p.cfg.data, p.cfg.loop ? "loop file" : "block device");
                printf("metadata:       %s (%s)\n", p.cfg.metadata, p.cfg.loop ? "loop file" : "block device");
                printf("data used:      %s of %s (%d%%)\n", du, dt, dp);
                printf("metadata used:  %s of %s (%d%%)\n", mu, mt, mp);
                printf("base size:      %s\nblock size:     %s\n", bs, bl);
                printf("transaction id: %" PRIu64 "\n", u.transaction_id);
                if (dp >= WARN_PERCENT)
                        fprintf(stderr, "skiff: pool status: warning: data space is %d%% used\n", dp);
                if (mp >= WARN_PERCENT)
                        fprintf(stderr, "skiff: pool status: warning: metadata space is %d%% used\n", mp);
                if (u.needs_check)
                        fprintf(stderr, "skiff: pool status: warning: the pool needs thin_check\n");
                if (p.cfg.loop)
                        printf("note: loop files are for development and tests; use --data-dev and "
                               "--metadata-dev (real block devices) in production\n");
        }
        pool_close(&p);
        return r;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "data-dev", required_argument, NULL, 'D' },      { "metadata-dev", required_argument, NULL, 'M' },
                { "data-size", required_argument, NULL, 'd' },     { "metadata-size", required_argument, NULL, 'm' },
                { "base-size", required_argument, NULL, 'b' },     { "block-size", required_argument, NULL, 'B' },
                { "wipe-metadata", no_argument, NULL, 'w' },       { "force", no_argument, NULL, 'f' },
                { NULL, 0, NULL, 0 },
        };
        struct pool_flags f = { .init = { .data_size = 100ull << 30, .metadata_size = 2ull << 30,
                                          .base_size = 10ull << 30, .block_size = 64 << 10 } };
        const char *sub;
        bool done;
        int next, r;

        if (argc < 2)
                return cli_usage_error(cli, "needs a subcommand: init, status or destroy");
        sub = argv[1];
        if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
                cli_print_help(cli_find_command(cli->command));
                return 0;
        }
        if ((r = cli_parse(cli, argc - 1, argv + 1, opts, on_option, &f, &done, &next)) < 0 || done)
                return -r;
        if (strcmp(sub, "release") == 0) {
                if (next != argc - 2)
                        return cli_usage_error(cli, "release needs one container ID");
                r = storage_container_release(argv[1 + next], &f.err);
                return r < 0 ? cli_fail(cli, sub, &f.err) : 0;
        }
        if (next < argc - 1)
                return cli_usage_error(cli, "%s takes no operands, got \"%s\"", sub, argv[1 + next]);
        if (strcmp(sub, "init") == 0)
                r = pool_init(&f.init, &f.err);
        else if (strcmp(sub, "status") == 0)
                r = print_status(&f.err);
        else if (strcmp(sub, "destroy") == 0)
                r = pool_destroy(f.force, &f.err);
        else
                return cli_usage_error(cli, "unknown subcommand \"%s\" (init, status, destroy)", sub);
        return r < 0 ? cli_fail(cli, sub, &f.err) : 0;
}

const struct command command_pool = {
        .name = "pool",
        .summary = "the devmapper thin pool: init, status, destroy",
        .usage = "init|status|destroy [options] | release ID\n\n"
                 "  init: make the pool (sparse loop files under the storage root by default)\n"
                 "    --data-dev DEV        a block device for data (with --metadata-dev)\n"
                 "    --metadata-dev DEV    a block device for metadata\n"
                 "    --data-size SIZE      loop file size for data (100G)\n"
                 "    --metadata-size SIZE  loop file size for metadata (2G)\n"
                 "    --base-size SIZE      size of each image's filesystem (10G)\n"
                 "    --block-size SIZE     pool block size, a multiple of 64K (64K)\n"
                 "    --wipe-metadata       erase a stale header on the metadata device\n"
                 "  status: data and metadata use\n"
                 "  destroy: remove the pool (--force: with its images, containers and volumes)\n"
                 "  release ID: deactivate container ID's thin rootfs (skiff-shim runs it at exit)\n"
                 "\nThe storage root is /var/lib/skiff/devmapper, or $SKIFF_STORAGE_ROOT.\n",
        .run = run,
};
