#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/storage-identity.h"
#include "../lib/storage-image.h"
#include "../lib/util.h"
#include "cli.h"

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        (void)cli;
        (void)arg;
        if (opt != 'a')
                return -1;
        *(bool *)data = true;
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "accept", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
        struct error err = { 0 };
        bool accept = false;
        _cleanup_free_ char *what = NULL;
        const char *sub;
        bool done;
        int next, r, n;

        if (argc < 2)
                return cli_usage_error(cli, "needs a subcommand: import, ls, rm, export or verify");
        sub = argv[1];
        if ((r = cli_parse(cli, argc - 1, argv + 1, opts, on_option, &accept, &done, &next)) < 0 || done)
                return -r;
        n = argc - 1 - next; /* operands after the subcommand */
        argv += 1 + next;
        if (accept && strcmp(sub, "verify"))
                return cli_usage_error(cli, "--accept goes with verify only");
        if (strcmp(sub, "verify") == 0 && accept && n != 1)
                return cli_usage_error(cli, "verify --accept takes the NAME of one image");
        if (strcmp(sub, "verify") == 0 && n <= 1) {
                r = image_verify(n ? argv[0] : NULL, accept, stdout, &err);
        } else if (strcmp(sub, "ls") == 0 && n == 0) {
                r = image_list(stdout, &err);
        } else if (strcmp(sub, "import") == 0 && n == 2) {
                r = image_import(argv[0], argv[1], &err);
        } else if (strcmp(sub, "rm") == 0 && n == 1) {
                r = image_remove(argv[0], &err);
        } else if (strcmp(sub, "export") == 0 && n == 1) {
                if (isatty(STDOUT_FILENO))
                        return cli_usage_error(cli, "export writes a tar to stdout: redirect it to a file");
                r = image_export(argv[0], STDOUT_FILENO, &err);
        } else if (strcmp(sub, "ls") && strcmp(sub, "import") && strcmp(sub, "rm") && strcmp(sub, "export") &&
                   strcmp(sub, "verify")) {
                return cli_usage_error(cli, "unknown subcommand \"%s\" (import, ls, rm, export, verify)", sub);
        } else {
                return cli_usage_error(cli, "wrong number of operands for %s (see skiff image --help)", sub);
        }
        what = n ? xasprintf("%s %s", sub, argv[0]) : xstrdup(sub);
        return r < 0 ? cli_fail(cli, what, &err) : 0;
}

const struct command command_image = {
        .name = "image",
        .summary = "images on the thin pool: import, ls, rm, export, verify",
        .usage = "import NAME TAR|DIR | ls | rm NAME | export NAME >FILE.tar | verify [--accept NAME | NAME]\n\n"
                 "A container whose config has the annotation run.skiff.image=NAME runs on a thin snapshot of it.\n"
                 "verify checks that each image (or NAME) still holds the filesystem recorded when it was made\n"
                 "(type and UUID; printed one image a line); --accept records the one NAME holds now.\n",
        .run = run,
};
