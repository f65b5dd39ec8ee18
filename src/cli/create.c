#include <stdlib.h>
#include <string.h>

#include "../lib/container.h"
#include "../lib/util.h"
#include "cli.h"
#include "create-options.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct create_flags f;
        const char *id;
        struct error err = { 0 };
        int r;

        if ((r = create_flags_parse(cli, argc, argv, &f, &id)) != 0)
                return r < 0 ? 0 : r;
        if (container_create(&f.options, NULL, &err) < 0)
                r = cli_fail(cli, id, &err);
        else
                cli_debug(cli, "create %s: created from bundle %s", id, f.options.bundle);
        create_flags_clear(&f);
        return r;
}

const struct command command_create = {
        .name = "create",
        .summary = "create a container from a bundle; it waits for start",
        .usage = "[options] ID\n\n"
                 "  -b, --bundle DIR       the bundle (default: current directory)\n"
                 "  --pid-file FILE        write the init's pid to FILE\n"
                 "  --no-pivot             MS_MOVE + chroot instead of pivot_root (for a ramfs root)\n"
                 "  --preserve-fds N       pass N fds from 3 on to the container\n"
                 "  --console-socket PATH  send the pty master (process.terminal) to this unix socket\n"
                 "  --no-new-keyring       accepted; skiff makes no session keyring\n",
        .run = run,
};
