/* The thin CLI: global flags, error reporting, one small file per command. */
#pragma once
#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>

#include "../lib/error.h"
#include "../lib/shim-mode.h"

struct cli {
        const char *root;
        const char *log_path;
        bool log_json;
        bool debug;
        const char *command;
        enum shim_mode shim_mode;       /* --shim-mode, for create and run */
        const char *id;         /* once known: usage errors name it too */
};

struct command {
        const char *name;
        const char *summary;
        const char *usage;      /* the rest of `skiff NAME --help` */
        int (*run)(struct cli *cli, int argc, char **argv);
};

/* Print "skiff: COMMAND ID: message" once (and to --log), return the exit code 1. */
int cli_fail(struct cli *cli, const char *id, const struct error *err);
/* A usage error about an argument, one line "skiff: COMMAND [ID]: message": exit code 2 as runc's
 * CLI gives. */
int cli_usage_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_debug(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning that does not stop the command: "skiff: warning: MSG" on stderr. */
void cli_warn(const char *msg);
/* Parse the command's flags with getopt_long; --help prints usage and makes *ret_done true. The
 * callback returns < 0 on a bad flag. On return *ret_next is the index of the first operand. */
int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
              int (*on_option)(struct cli *cli, int opt, const char *arg, void *data), void *data,
              bool *ret_done, int *ret_next);
/* The single ID operand most commands take. */
int cli_one_id(struct cli *cli, int argc, char **argv, int next, const char **ret_id);
/* For commands that take only an ID: 0 with *ret_id, -1 after --help, else the exit code. */
int cli_parse_id_only(struct cli *cli, int argc, char **argv, const char **ret_id);
/* A whole command that takes only an ID and applies one library operation to it. */
int cli_run_on_id(struct cli *cli, int argc, char **argv,
                  int (*op)(const char *root, const char *id, struct error *err));
const struct command *cli_find_command(const char *name);
void cli_print_help(const struct command *cmd);
int signal_from_name(const char *name);
/* The path of skiff-shim, beside the running skiff unless SKIFF_SHIM says otherwise. */
char *cli_shim_path(void);

#define COMMANDS(X) \
        X(create) X(start) X(state) X(kill) X(delete) X(run) X(exec) X(wait) X(list) X(spec) X(features) X(gc) \
        X(pool) X(image) X(commit) X(volume) \
        X(pause) X(resume) X(update) X(ps) X(events)
#define DECLARE(name) extern const struct command command_##name;
COMMANDS(DECLARE)
#undef DECLARE
