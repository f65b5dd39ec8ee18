#include "../lib/container.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct error err = { 0 };
        const char *id;
        int r, code;

        if ((r = cli_parse_id_only(cli, argc, argv, &id)) != 0)
                return r < 0 ? 0 : r;
        if (container_wait(cli->root, id, &code, &err) < 0)
                return cli_fail(cli, id, &err);
        return code;
}

const struct command command_wait = {
        .name = "wait",
        .summary = "wait for a container to exit; exit with its exit code",
        .usage = "ID\n\nExits with the workload's exit code, or 128 + the signal that ended it.\n",
        .run = run,
};
