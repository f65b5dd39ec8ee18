#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../lib/spec-default.h"
#include "../lib/util.h"
#include "cli.h"

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        (void)cli;
        if (opt == 'b')
                *(const char **)data = arg;
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "bundle", required_argument, NULL, 'b' },
                                              { NULL, 0, NULL, 0 } };
        const char *bundle = ".";
        _cleanup_free_ char *path = NULL, *json = NULL;
        _cleanup_close_ int fd = -1;
        struct error err = { 0 };
        bool done;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &bundle, &done, &next)) < 0 || done)
                return -r;
        if (next < argc)
                return cli_usage_error(cli, "takes no operands, got \"%s\"", argv[next]);
        path = xasprintf("%s/config.json", bundle);
        json = spec_default_json();
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
                error_sys(&err, errno, "%s", path);
                if (errno == EEXIST)
                        error_set(&err, EEXIST, "%s already exists; remove it first", path);
                return cli_fail(cli, NULL, &err);
        }
        if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0) {
                error_sys(&err, errno, "write %s", path);
                return cli_fail(cli, NULL, &err);
        }
        return 0;
}

const struct command command_spec = {
        .name = "spec",
        .summary = "write a default config.json",
        .usage = "[options]\n\n  -b, --bundle DIR   write DIR/config.json (default: current directory)\n",
        .run = run,
};
