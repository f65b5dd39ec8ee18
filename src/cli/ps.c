#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "../lib/container-resources.h"
#include "../lib/json.h"
#include "../lib/util.h"
#include "cli.h"

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        if (opt == 'f') {
                if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
                        return -cli_usage_error(cli, "--format: \"%s\" is not table or json", arg);
                *(bool *)data = strcmp(arg, "json") == 0;
        }
        return 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* Run ps(1) with the caller's options and keep the header and the lines of our pids. */
static int filter_ps(char **ps_args, const pid_t *pids, size_t n, struct error *err)
{
        int fds[2], status, pid_col = -1;
        _cleanup_fclose_ FILE *out = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        bool header = true;
        pid_t child;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return error_sys(err, errno, "pipe");
        child = fork();
        if (child < 0)
                return error_sys(err, errno, "fork");
        if (child == 0) {
                dup2(fds[1], 1);
                execvp("ps", ps_args);
                fprintf(stderr, "skiff: ps: exec ps: %s\n", strerror(errno));
                _exit(127);
        }
        close(fds[1]);
        out = fdopen(fds[0], "re");
        while (out && getline(&line, &cap, out) > 0) {
                _cleanup_free_ char *copy = xstrdup(line);
                char *save = NULL, *word = strtok_r(copy, " \t\n", &save);
                long pid = 0;

                for (int col = 0; word; col++, word = strtok_r(NULL, " \t\n", &save)) {
                        if (header && strcmp(word, "PID") == 0)
                                pid_col = col;
                        if (!header && col == pid_col)
                                str_to_long(word, &pid);
                }
                if (header || has_pid(pids, n, pid))
                        fputs(line, stdout);
                header = false;
        }
        waitpid(child, &status, 0);
        if (pid_col < 0)
                return error_set(err, EINVAL, "ps printed no PID column (give it options that show one, like -ef)");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(err, EIO, "ps failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char **ps_args = NULL;
        struct error err = { 0 };
        bool json = false, done;
        const char *id;
        size_t n = 0, n_args = 0;
        int next, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &json, &done, &next)) < 0 || done)
                return -r;
        if (next >= argc)
                return cli_usage_error(cli, "needs a container ID");
        id = argv[next];
        if (container_pids(cli->root, id, &pids, &n, &err) < 0)
                return cli_fail(cli, id, &err);
        if (json) {
                yajl_gen g = yajl_gen_alloc(NULL);
                _cleanup_free_ char *text = NULL;

                yajl_gen_array_open(g);
                for (size_t i = 0; i < n; i++)
                        yajl_gen_integer(g, pids[i]);
                yajl_gen_array_close(g);
                text = json_gen_take(g);
                yajl_gen_free(g);
                printf("%s\n", text);
                return 0;
        }
        /* What follows the ID goes to ps; "-ef" when nothing does, as in runc. */
        ps_args = xcalloc((size_t)(argc - next) + 2, sizeof(char *));
        ps_args[n_args++] = "ps";
        if (next + 1 >= argc)
                ps_args[n_args++] = "-ef";
        for (int i = next + 1; i < argc; i++)
                ps_args[n_args++] = argv[i];
        fflush(stdout);
        if (filter_ps(ps_args, pids, n, &err) < 0)
                return cli_fail(cli, id, &err);
        return 0;
}

const struct command command_ps = {
        .name = "ps",
        .summary = "list the processes in a container's cgroup",
        .usage = "[options] ID [ps options]\n\n"
                 "  -f, --format FMT   table (ps(1)'s output; its options default to -ef) or json (the pids)\n",
        .run = run,
};
