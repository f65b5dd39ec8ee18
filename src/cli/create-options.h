/* The flags `create` and `run` share. */
#pragma once
#include "../lib/container.h"
#include "cli.h"

struct create_flags {
        struct create_options options;
        bool detach;    /* run only */
        const char *console_socket;
        char *shim_path;
};

/* Returns 0 with *ret_id set; -1 after printing --help; a positive exit code on a usage error. */
int create_flags_parse(struct cli *cli, int argc, char **argv, struct create_flags *f, const char **ret_id);
void create_flags_clear(struct create_flags *f);
