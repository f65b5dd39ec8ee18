/* skiff: global flags, then one command. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* create chdirs into the bundle and the shim outlives us: relative --root and --log are made
 * absolute against where skiff was started. */
static const char *absolute(const char *path, char buf[PATH_MAX])
{
        size_t n;

        if (path[0] == '/' || !getcwd(buf, PATH_MAX))
                return path;
        n = strlen(buf);
        snprintf(buf + n, PATH_MAX - n, "/%s", path);
        return buf;
}

static int parse_global(struct cli *cli, int argc, char **argv, int *ret_next)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },       { "log", required_argument, NULL, 'l' },
                { "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'd' },
                { "version", no_argument, NULL, 'v' },          { "help", no_argument, NULL, 'h' },
                { "systemd-cgroup", no_argument, NULL, 's' },   { "cgroup-manager", required_argument, NULL, 'm' },
                { "shim-mode", required_argument, NULL, 'S' },
                { NULL, 0, NULL, 0 },
        };
        static char root_buf[PATH_MAX], log_buf[PATH_MAX];
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
                switch (opt) {
                case 'r': cli->root = absolute(optarg, root_buf); break;
                case 'l': cli->log_path = absolute(optarg, log_buf); break;
                case 'f':
                        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                                return cli_usage_error(cli, "--log-format: \"%s\" is not text or json", optarg);
                        cli->log_json = strcmp(optarg, "json") == 0;
                        break;
                case 'd': cli->debug = true; break;
                case 'v':
                        printf("skiff version %s\nspec: 1.2.0\n", PACKAGE_VERSION);
                        return -1;
                case 'h':
                        cli_print_help(NULL);
                        return -1;
                case 's':
                        return cli_usage_error(cli, "--systemd-cgroup: the systemd cgroup driver is not supported");
                case 'm':
                        if (strcmp(optarg, "cgroupfs") != 0 && strcmp(optarg, "disabled") != 0)
                                return cli_usage_error(cli, "--cgroup-manager: \"%s\" is not supported (cgroupfs)", optarg);
                        break;
                case 'S':
                        if (shim_mode_parse(optarg, &cli->shim_mode) < 0)
                                return cli_usage_error(cli, "--shim-mode: \"%s\" is not auto, parent or watch", optarg);
                        break;
                case ':': return cli_usage_error(cli, "option %s needs a value", argv[optind - 1]);
                default: return cli_usage_error(cli, "unknown global option %s", argv[optind - 1]);
                }
        }
        *ret_next = optind;
        return 0;
}

int main(int argc, char **argv)
{
        struct cli cli = { .root = "/run/skiff", .command = "skiff" };
        const struct command *cmd;
        int next = 0, r;

        r = parse_global(&cli, argc, argv, &next);
        if (r != 0)
                return r < 0 ? 0 : r;
        if (next >= argc) {
                cli_print_help(NULL);
                return 2;
        }
        cmd = cli_find_command(argv[next]);
        if (!cmd)
                return cli_usage_error(&cli, "unknown command \"%s\"", argv[next]);
        cli.command = cmd->name;
        cli_debug(&cli, "%s: root %s", cmd->name, cli.root);
        r = cmd->run(&cli, argc - next, argv + next);
        cli_debug(&cli, "%s%s%s: exit code %d", cmd->name, cli.id ? " " : "", cli.id ? cli.id : "", r);
        return r;
}
