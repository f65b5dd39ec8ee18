#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../lib/recover.h"
#include "../lib/state.h"
#include "../lib/storage-orphans.h"
#include "../lib/util.h"
#include "cli.h"

/* The thin rootfs snapshots of containers of this --root whose state dir is gone; their IDs printed. */
static int drop_orphan_snapshots(struct cli *cli)
{
        _cleanup_strv_ char **ids = NULL;
        struct error err = { 0 };
        int failed = 0;

        if (storage_drop_orphans(cli->root, &ids, &err) < 0)
                failed = cli_fail(cli, NULL, &err);
        for (size_t i = 0; ids && ids[i]; i++)
                printf("%s\n", ids[i]);
        return failed;
}

static int run(struct cli *cli, int argc, char **argv)
{
        struct dirent **names = NULL;
        bool done;
        int next, n, r, failed = 0;

        if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, &done, &next)) < 0 || done)
                return -r;
        if (next < argc)
                return cli_usage_error(cli, "takes no operands, got \"%s\"", argv[next]);
        n = scandir(cli->root, &names, NULL, alphasort);
        if (n < 0 && errno != ENOENT) {
                struct error err = { 0 };
                error_sys(&err, errno, "read %s", cli->root);
                return cli_fail(cli, NULL, &err);
        }
        for (int i = 0; i < n; i++) {
                struct error err = { 0 };
                bool removed = false;

                if (container_id_valid(names[i]->d_name)) {
                        if (container_collect(cli->root, names[i]->d_name, &removed, &err) < 0)
                                failed = cli_fail(cli, names[i]->d_name, &err);
                        else if (removed)
                                printf("%s\n", names[i]->d_name);
                }
                free(names[i]);
        }
        free(names);
        return drop_orphan_snapshots(cli) || failed;
}

const struct command command_gc = {
        .name = "gc",
        .summary = "remove every stopped or abandoned container under --root",
        .usage = "\n\nRepairs what a killed skiff or skiff-shim left (processes, cgroup), then removes each\n"
                 "stopped container, and prints its ID. A container another command holds is skipped.\n"
                 "Then drops the thin rootfs snapshots (run.skiff.image) of containers of this --root whose\n"
                 "state dir is gone (after a reboot, or a crash), and prints their IDs too; a rootfs kept by\n"
                 "delete --keep-rootfs stays.\n",
        .run = run,
};
