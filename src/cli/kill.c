#include <signal.h>
#include <string.h>

#include "../lib/container.h"
#include "cli.h"

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        (void)cli, (void)arg;
        if (opt == 'a')
                *(bool *)data = true;
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
        struct error err = { 0 };
        bool all = false, done;
        int next, r, sig = SIGTERM;
        const char *id;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &all, &done, &next)) < 0 || done)
                return -r;
        if (next >= argc)
                return cli_usage_error(cli, "needs a container ID");
        id = cli->id = argv[next];
        if (next + 2 < argc)
                return cli_usage_error(cli, "takes an ID and a signal, got also \"%s\"", argv[next + 2]);
        if (next + 1 < argc && (sig = signal_from_name(argv[next + 1])) < 0)
                return cli_usage_error(cli, "unknown signal \"%s\"", argv[next + 1]);
        if (container_kill(cli->root, id, sig, all, &err) < 0)
                return cli_fail(cli, id, &err);
        cli_debug(cli, "kill %s: sent %s to %s", id, sigabbrev_np(sig) ? sigabbrev_np(sig) : "a signal",
                  all ? "every process in its cgroup" : "its init");
        return 0;
}

const struct command command_kill = {
        .name = "kill",
        .summary = "send a signal to a container's init (or all its processes)",
        .usage = "[options] ID [SIGNAL]\n\n"
                 "SIGNAL is a name (TERM, SIGKILL) or a number; the default is TERM.\n"
                 "  -a, --all   send it to every process in the container's cgroup\n",
        .run = run,
};
