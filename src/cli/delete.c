#include "../lib/container.h"
#include "../lib/hooks.h"
#include "cli.h"

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        bool *flags = data; /* force, keep_rootfs */

        (void)cli, (void)arg;
        if (opt == 'f')
                flags[0] = true;
        else if (opt == 'K')
                flags[1] = true;
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
                                              { "keep-rootfs", no_argument, NULL, 'K' },
                                              { NULL, 0, NULL, 0 } };
        struct error err = { 0 }, warning = { 0 };
        struct hooks_poststop poststop;
        bool flags[2] = { false, false }, done;
        const char *id;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, flags, &done, &next)) < 0 || done)
                return -r;
        if ((r = cli_one_id(cli, argc, argv, next, &id)) < 0)
                return -r;
        hooks_poststop_load(cli->root, id, &poststop);
        if (container_delete(cli->root, id, flags[0], flags[1], &err) < 0) {
                hooks_poststop_clear(&poststop);
                return cli_fail(cli, id, &err);
        }
        if (hooks_poststop_run(&poststop, cli->root, &warning) < 0)
                cli_warn(warning.msg);
        return 0;
}

const struct command command_delete = {
        .name = "delete",
        .summary = "remove a stopped container (and, with --force, stop it first)",
        .usage = "[options] ID\n\n  -f, --force     kill the container if it is still running\n"
                 "  --keep-rootfs  keep the thin snapshot (run.skiff.image) for a later create of ID\n",
        .run = run,
};
