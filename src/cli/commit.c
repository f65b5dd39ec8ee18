#include "../lib/storage-container.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct error err = { 0 };
        bool done;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, &done, &next)) < 0 || done)
                return -r;
        if (argc - next != 2)
                return cli_usage_error(cli, "needs a container ID and an image NAME");
        if (storage_commit(cli->root, argv[next], argv[next + 1], &err) < 0)
                return cli_fail(cli, argv[next], &err);
        return 0;
}

const struct command command_commit = {
        .name = "commit",
        .summary = "make an image of a container's thin rootfs (volumes are not part of it)",
        .usage = "ID NAME\n\n  A running container is frozen for the moment of the snapshot.\n",
        .run = run,
};
