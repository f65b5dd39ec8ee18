#include "../lib/container-resources.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        return cli_run_on_id(cli, argc, argv, container_pause);
}

const struct command command_pause = {
        .name = "pause",
        .summary = "freeze every process of a running container",
        .usage = "ID\n",
        .run = run,
};
