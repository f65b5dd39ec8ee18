#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/log-file.h"
#include "../lib/sealed-exe.h"
#include "../lib/state.h"
#include "../lib/util.h"

#define ENTRY(name) &command_##name,
static const struct command *const commands[] = { COMMANDS(ENTRY) };
#undef ENTRY

const struct command *cli_find_command(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                if (strcmp(commands[i]->name, name) == 0)
                        return commands[i];
        return NULL;
}

void cli_print_help(const struct command *cmd)
{
        if (cmd) {
                printf("Usage: skiff [global options] %s %s", cmd->name, cmd->usage);
                return;
        }
        printf("Usage: skiff [global options] COMMAND [options] [ID]\n\n"
               "A daemonless OCI container runtime.\n\nCommands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
                printf("  %-10s %s\n", commands[i]->name, commands[i]->summary);
        printf("\nGlobal options:\n"
               "  --root DIR          state directory (default /run/skiff)\n"
               "  --log FILE          also write errors and debug messages to FILE\n"
               "  --log-format FMT    text or json (for --log)\n"
               "  --debug             log what skiff does\n"
               "  --shim-mode MODE    auto, parent (skiff-shim reaps the init) or watch (the\n"
               "                      caller reaps it, as conmon does); auto asks the caller.\n"
               "                      A foreground run is always its init's parent and shim\n"
               "  --version           print the version\n"
               "  --help              this text; COMMAND --help for a command's\n");
}

static void log_line(struct cli *cli, const char *level, const char *msg)
{
        log_file_append(cli->log_path, cli->log_json, level, msg);
}

int cli_fail(struct cli *cli, const char *id, const struct error *err)
{
        _cleanup_free_ char *line = id ? xasprintf("%s %s: %s", cli->command, id, err->msg)
                                       : xasprintf("%s: %s", cli->command, err->msg);

        fprintf(stderr, "skiff: %s\n", line);
        log_line(cli, "error", line);
        return 1;
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL, *line = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (cli->id)
                line = xasprintf("%s %s: %s", cli->command, cli->id, msg ? msg : "bad usage");
        else if (strcmp(cli->command, "skiff") == 0)
                line = xasprintf("%s (see skiff --help)", msg ? msg : "bad usage");
        else
                line = xasprintf("%s: %s (see skiff %s --help)", cli->command, msg ? msg : "bad usage",
                                 cli->command);
        fprintf(stderr, "skiff: %s\n", line);
        log_line(cli, "error", line);
        return 2;
}

void cli_warn(const char *msg)
{
        fprintf(stderr, "skiff: warning: %s\n", msg);
}

void cli_debug(struct cli *cli, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (!cli->debug)
                return;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return;
        if (cli->log_path)
                log_line(cli, "debug", msg);
        else
                fprintf(stderr, "skiff: debug: %s\n", msg);
}

int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
              int (*on_option)(struct cli *cli, int opt, const char *arg, void *data), void *data,
              bool *ret_done, int *ret_next)
{
        struct option all[32];
        char shortopts[64] = "+:h";
        size_t n = 0, len = strlen(shortopts);
        int opt;

        for (; opts && opts[n].name && n < ARRAY_SIZE(all) - 2; n++) {
                all[n] = opts[n];
                /* A long option whose value is a letter has that letter as its short form. */
                if (opts[n].val < 128 && isalpha(opts[n].val) && len + 3 < sizeof(shortopts)) {
                        shortopts[len++] = (char)opts[n].val;
                        if (opts[n].has_arg == required_argument)
                                shortopts[len++] = ':';
                        shortopts[len] = '\0';
                }
        }
        all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
        all[n] = (struct option){ NULL, 0, NULL, 0 };
        *ret_done = false;
        optind = 1;
        opterr = 0;
        /* '+': stop at the first operand, so `exec ID cmd --flag` keeps its flags. */
        while ((opt = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
                if (opt == 'h') {
                        cli_print_help(cli_find_command(cli->command));
                        *ret_done = true;
                        return 0;
                }
                if (opt == '?')
                        return -cli_usage_error(cli, "unknown option %s", argv[optind - 1]);
                if (opt == ':')
                        return -cli_usage_error(cli, "option %s needs a value", argv[optind - 1]);
                if (on_option(cli, opt, optarg, data) < 0)
                        return -2;
        }
        *ret_next = optind;
        return 0;
}

int cli_one_id(struct cli *cli, int argc, char **argv, int next, const char **ret_id)
{
        if (next >= argc)
                return -cli_usage_error(cli, "needs a container ID");
        if (next + 1 < argc)
                return -cli_usage_error(cli, "takes one container ID, got also \"%s\"", argv[next + 1]);
        *ret_id = argv[next];
        cli->id = argv[next];
        return 0;
}

int signal_from_name(const char *name)
{
        long n;

        if (str_to_long(name, &n))
                return n > 0 && n < NSIG ? (int)n : -1;
        if (strncasecmp(name, "SIG", 3) == 0)
                name += 3;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && strcasecmp(abbrev, name) == 0)
                        return sig;
        }
        if (strncasecmp(name, "RTMIN+", 6) == 0 && str_to_long(name + 6, &n) && SIGRTMIN + n <= SIGRTMAX)
                return SIGRTMIN + (int)n;
        return -1;
}

char *cli_shim_path(void)
{
        const char *env = getenv("SKIFF_SHIM");
        _cleanup_free_ char *self = NULL;

        if (env && *env)
                return xstrdup(env);
        self = skiff_exe_path();
        return xasprintf("%s/skiff-shim", dirname(self));
}

int cli_parse_id_only(struct cli *cli, int argc, char **argv, const char **ret_id)
{
        bool done;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, NULL, NULL, NULL, &done, &next)) < 0)
                return -r;
        if (done)
                return -1;
        if ((r = cli_one_id(cli, argc, argv, next, ret_id)) < 0)
                return -r;
        return 0;
}

int cli_run_on_id(struct cli *cli, int argc, char **argv,
                  int (*op)(const char *root, const char *id, struct error *err))
{
        struct error err = { 0 };
        const char *id;
        int r;

        if ((r = cli_parse_id_only(cli, argc, argv, &id)) != 0)
                return r < 0 ? 0 : r;
        if (op(cli->root, id, &err) < 0)
                return cli_fail(cli, id, &err);
        return 0;
}
