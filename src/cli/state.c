#include <stdio.h>

#include "../lib/recover.h"
#include "../lib/state.h"
#include "../lib/util.h"
#include "cli.h"

static int run(struct cli *cli, int argc, char **argv)
{
        struct error err = { 0 };
        struct state st = { 0 };
        _cleanup_free_ char *json = NULL;
        const char *id;
        int r;

        if ((r = cli_parse_id_only(cli, argc, argv, &id)) != 0)
                return r < 0 ? 0 : r;
        if (state_read_recovered(cli->root, id, &st, &err) < 0)
                return cli_fail(cli, id, &err);
        json = state_to_oci_json(cli->root, &st, true);
        printf("%s\n", json);
        state_clear(&st);
        return 0;
}

const struct command command_state = {
        .name = "state",
        .summary = "print a container's state as OCI state JSON",
        .usage = "ID\n",
        .run = run,
};
