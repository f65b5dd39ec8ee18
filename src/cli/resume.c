#include "../lib/container-resources.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        return cli_run_on_id(cli, argc, argv, container_resume);
}

const struct command command_resume = {
        .name = "resume",
        .summary = "thaw a paused container",
        .usage = "ID\n",
        .run = run,
};
