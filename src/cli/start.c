#include "../lib/container.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        return cli_run_on_id(cli, argc, argv, container_start);
}

const struct command command_start = {
        .name = "start",
        .summary = "run the user program of a created container",
        .usage = "ID\n",
        .run = run,
};
