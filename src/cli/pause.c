#include "../lib/container-resources.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct error err = { 0 };
        const char *id;
        int r;

        if ((r = cli_parse_id_only(cli, argc, argv, &id)) != 0)
                return r < 0 ? 0 : r;
        if (container_pause(cli->root, id, &err) < 0)
                return cli_fail(cli, id, &err);
        return 0;
}

const struct command command_pause = {
        .name = "pause",
        .summary = "freeze every process of a running container",
        .usage = "ID\n",
        .run = run,
};
