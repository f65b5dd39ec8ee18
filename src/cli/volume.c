#include <stdio.h>
#include <string.h>

#include "../lib/storage-meta.h"
#include "../lib/storage-volume.h"
#include "../lib/util.h"
#include "cli.h"

struct volume_flags {
        uint64_t size;
        struct error err;
};

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct volume_flags *f = data;

        if (opt != 's')
                return -1;
        if (parse_size("--size", arg, &f->size, &f->err) < 0)
                return -cli_usage_error(cli, "%s", f->err.msg);
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "size", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
        struct volume_flags f = { 0 };
        _cleanup_free_ char *path = NULL, *what = NULL;
        const char *sub;
        bool done;
        int next, r, n;

        if (argc < 2)
                return cli_usage_error(cli, "needs a subcommand: create, ls or rm");
        sub = argv[1];
        if ((r = cli_parse(cli, argc - 1, argv + 1, opts, on_option, &f, &done, &next)) < 0 || done)
                return -r;
        n = argc - 1 - next;
        argv += 1 + next;
        if (f.size && strcmp(sub, "create") != 0)
                return cli_usage_error(cli, "--size goes with create");
        if (strcmp(sub, "create") == 0 && n == 1) {
                if ((r = volume_create(argv[0], f.size, &path, &f.err)) == 0)
                        printf("%s\n", path);
        } else if (strcmp(sub, "ls") == 0 && n == 0) {
                r = volume_list(stdout, &f.err);
        } else if (strcmp(sub, "rm") == 0 && n == 1) {
                r = volume_remove(cli->root, argv[0], &f.err);
        } else if (strcmp(sub, "create") && strcmp(sub, "ls") && strcmp(sub, "rm")) {
                return cli_usage_error(cli, "unknown subcommand \"%s\" (create, ls, rm)", sub);
        } else {
                return cli_usage_error(cli, "wrong number of operands for %s (see skiff volume --help)", sub);
        }
        what = n ? xasprintf("%s %s", sub, argv[0]) : xstrdup(sub);
        return r < 0 ? cli_fail(cli, what, &f.err) : 0;
}

const struct command command_volume = {
        .name = "volume",
        .summary = "named volumes: create, ls, rm",
        .usage = "create [--size SIZE] NAME | ls | rm NAME\n\n"
                 "  create prints the volume's path: bind-mount it with a config mount. With --size the\n"
                 "  volume is a thin device (ext4) mounted only inside the containers that use it.\n"
                 "  The annotation run.skiff.volumes-from=ID adds container ID's volume mounts.\n",
        .run = run,
};
