#include "../lib/container.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct error err = { 0 };
        const char *id;
        int r;

        if ((r = cli_parse_id_only(cli, argc, argv, &id)) != 0)
                return r < 0 ? 0 : r;
        if (container_start(cli->root, id, &err) < 0)
                return cli_fail(cli, id, &err);
        return 0;
}

const struct command command_start = {
        .name = "start",
        .summary = "run the user program of a created container",
        .usage = "ID\n",
        .run = run,
};
