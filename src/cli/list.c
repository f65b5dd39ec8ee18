#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/recover.h"
#include "../lib/state.h"
#include "../lib/util.h"
#include "cli.h"

struct list_flags {
        bool json;
        bool quiet;
};

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct list_flags *f = data;

        if (opt == 'q')
                f->quiet = true;
        if (opt == 'f') {
                if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
                        return -cli_usage_error(cli, "--format: \"%s\" is not table or json", arg);
                f->json = strcmp(arg, "json") == 0;
        }
        return 0;
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
                                              { "quiet", no_argument, NULL, 'q' },
                                              { NULL, 0, NULL, 0 } };
        struct list_flags f = { 0 };
        struct dirent **names = NULL;
        bool done, first = true;
        int next, r, n;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &f, &done, &next)) < 0 || done)
                return -r;
        if (next < argc)
                return cli_usage_error(cli, "takes no operands, got \"%s\"", argv[next]);
        n = scandir(cli->root, &names, NULL, compare_names);
        if (f.json)
                printf("[");
        else if (!f.quiet)
                printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (int i = 0; i < n; i++) {
                struct state st = { 0 };
                struct error ignored = { 0 };

                if (container_id_valid(names[i]->d_name) && state_read_recovered(cli->root, names[i]->d_name, &st, &ignored) == 0) {
                        enum status s = state_status(cli->root, &st);
                        if (f.json) {
                                _cleanup_free_ char *json = state_to_oci_json(cli->root, &st, false);
                                printf("%s%s", first ? "" : ",", json);
                        } else if (f.quiet) {
                                printf("%s\n", st.id);
                        } else {
                                printf("%-20s %-8d %-10s %-40s %-31s %s\n", st.id,
                                       s == STATUS_STOPPED ? 0 : (int)st.pid, status_name(s), st.bundle,
                                       st.created ? st.created : "", st.owner ? st.owner : "root");
                        }
                        first = false;
                        state_clear(&st);
                }
                free(names[i]);
        }
        free(names);
        if (f.json)
                printf("]\n");
        return 0;
}

const struct command command_list = {
        .name = "list",
        .summary = "list the containers under --root",
        .usage = "[options]\n\n  -f, --format table|json   output format (default table)\n"
                 "  -q, --quiet               print only the IDs\n",
        .run = run,
};
