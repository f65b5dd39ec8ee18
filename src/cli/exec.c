#include <errno.h>
#include <string.h>
#include <sys/capability.h>

#include "../lib/env.h"
#include "../lib/exec.h"
#include "../lib/fds.h"
#include "../lib/sealed-exe.h"
#include "../lib/terminal.h"
#include "../lib/util.h"
#include "cli.h"

/* skiff's own failures, as runc: anything else is the process's exit code. */
#define EXEC_FAILED 255

enum { OPT_CWD = 1000, OPT_CONSOLE_SOCKET, OPT_PID_FILE, OPT_PRESERVE_FDS, OPT_CAP };

struct exec_flags {
        const char *process_file;
        const char *console_socket;
        const char *pid_file;
        const char *user;
        const char *cwd;
        char **env;             /* --env, in order */
        char **caps;            /* --cap */
        bool tty, detach;
        int preserve_fds;
};

static void strv_push(char ***v, const char *s)
{
        size_t n = strv_length(*v);

        *v = xrealloc(*v, (n + 2) * sizeof(char *));
        (*v)[n] = xstrdup(s);
        (*v)[n + 1] = NULL;
}

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct exec_flags *f = data;
        long n;

        switch (opt) {
        case 'p': f->process_file = arg; break;
        case 't': f->tty = true; break;
        case 'd': f->detach = true; break;
        case 'e': strv_push(&f->env, arg); break;
        case 'u': f->user = arg; break;
        case OPT_CWD: f->cwd = arg; break;
        case 'c': strv_push(&f->caps, arg); break;
        case OPT_CONSOLE_SOCKET: f->console_socket = arg; break;
        case OPT_PID_FILE: f->pid_file = arg; break;
        case OPT_PRESERVE_FDS:
                if (!str_to_long(arg, &n) || n < 0 || n > 65536)
                        return -cli_usage_error(cli, "--preserve-fds: \"%s\" is not a count of fds", arg);
                f->preserve_fds = (int)n;
                break;
        }
        return 0;
}

static int parse_user(const char *arg, struct spec_user *u, struct error *err)
{
        _cleanup_free_ char *copy = xstrdup(arg);
        char *colon = strchr(copy, ':');
        long n;

        if (colon)
                *colon = '\0';
        if (!str_to_long(copy, &n) || n < 0 || n > UINT32_MAX - 1)
                return error_set(err, EINVAL, "--user: \"%s\" is not uid[:gid] (numbers)", arg);
        u->uid = (uid_t)n;
        if (colon) {
                if (!str_to_long(colon + 1, &n) || n < 0 || n > UINT32_MAX - 1)
                        return error_set(err, EINVAL, "--user: \"%s\" is not uid[:gid] (numbers)", arg);
                u->gid = (gid_t)n;
        }
        return 0;
}

/* The process to start: --process FILE, or the config's process with the command line's args;
 * then the flags on top, as runc applies them. */
static int build_process(const struct exec_flags *f, char **args, struct spec *spec, struct error *err)
{
        struct spec_process *p = &spec->process;
        int r;

        if (f->process_file) {
                _cleanup_free_ char *text = NULL;
                struct spec_process parsed;

                if ((r = read_file(f->process_file, &text, NULL, err)) < 0)
                        return error_wrap(err, "--process");
                if ((r = spec_process_parse(text, &parsed, err)) < 0)
                        return error_wrap(err, "--process %s", f->process_file);
                spec_process_clear(p);
                *p = parsed;
        } else {
                strv_free(p->args);
                p->args = NULL;
                for (size_t i = 0; args[i]; i++)
                        strv_push(&p->args, args[i]);
                /* The config's terminal is the init's; an exec'd process has one only with --tty. */
                p->terminal = false;
        }
        if (f->tty)
                p->terminal = true;
        for (size_t i = 0; f->env && f->env[i]; i++)
                if (!env_put(&p->env, f->env[i]))
                        return error_set(err, EINVAL, "--env: \"%s\" is not NAME=VALUE", f->env[i]);
        if (f->user && (r = parse_user(f->user, &p->user, err)) < 0)
                return r;
        if (f->cwd) {
                if (f->cwd[0] != '/')
                        return error_set(err, EINVAL, "--cwd: \"%s\" is not an absolute path", f->cwd);
                free(p->cwd);
                p->cwd = xstrdup(f->cwd);
        }
        for (size_t i = 0; f->caps && f->caps[i]; i++) {
                cap_value_t cap;

                if (cap_from_name(f->caps[i], &cap) < 0 || cap < 0 || cap > 63)
                        return error_set(err, EINVAL, "--cap: unknown capability \"%s\"", f->caps[i]);
                p->caps.present = true;
                p->caps.sets[CAP_SET_BOUNDING] |= UINT64_C(1) << cap;
                p->caps.sets[CAP_SET_EFFECTIVE] |= UINT64_C(1) << cap;
                p->caps.sets[CAP_SET_PERMITTED] |= UINT64_C(1) << cap;
        }
        return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "process", required_argument, NULL, 'p' },
                { "tty", no_argument, NULL, 't' },
                { "detach", no_argument, NULL, 'd' },
                { "env", required_argument, NULL, 'e' },
                { "user", required_argument, NULL, 'u' },
                { "cwd", required_argument, NULL, OPT_CWD },
                { "cap", required_argument, NULL, 'c' },
                { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
                { "pid-file", required_argument, NULL, OPT_PID_FILE },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
                { NULL, 0, NULL, 0 },
        };
        struct exec_flags f = { 0 };
        _cleanup_(spec_freep) struct spec *spec = NULL;
        _cleanup_close_ int console = -1;
        struct error err = { 0 };
        const char *id;
        bool done;
        int next, code = EXEC_FAILED, r;

        if ((r = cli_parse(cli, argc, argv, opts, on_option, &f, &done, &next)) < 0) {
                code = -r;
                goto out;
        }
        if (done) {
                code = 0;
                goto out;
        }
        if (next >= argc) {
                code = cli_usage_error(cli, "needs a container ID");
                goto out;
        }
        id = argv[next];
        if (!f.process_file && next + 1 >= argc) {
                code = cli_usage_error(cli, "needs a command to run, or --process FILE");
                goto out;
        }
        /* Checked first, while no fd of ours can have taken one of those numbers. */
        if (fds_check_passed(f.preserve_fds, "--preserve-fds", &err) < 0 || sealed_exe_switch(&err) < 0 ||
            exec_load_spec(cli->root, id, &spec, &err) < 0 || build_process(&f, argv + next + 1, spec, &err) < 0 ||
            (f.console_socket && terminal_connect_socket(f.console_socket, &console, &err) < 0)) {
                cli_fail(cli, id, &err);
                goto out;
        }
        {
                struct exec_options o = { .root = cli->root, .id = id, .spec = spec, .preserve_fds = f.preserve_fds,
                                          .console_fd = console, .detach = f.detach, .pid_file = f.pid_file };
                if (container_exec(&o, &code, &err) < 0) {
                        cli_fail(cli, id, &err);
                        code = EXEC_FAILED;
                }
        }
out:
        strv_free(f.env);
        strv_free(f.caps);
        return code;
}

const struct command command_exec = {
        .name = "exec",
        .summary = "run another process in a running container",
        .usage = "[options] ID [COMMAND [ARG...]]\n\n"
                 "Exits with the process's exit code (128 + signal when a signal ended it), 255 when\n"
                 "skiff itself failed.\n"
                 "  -p, --process FILE     the process as JSON (config.json's \"process\")\n"
                 "  -t, --tty              give the process a pty\n"
                 "  -d, --detach           return once the process runs\n"
                 "  -e, --env NAME=VALUE   set an environment variable (repeatable)\n"
                 "  -u, --user UID[:GID]   run as this user\n"
                 "  --cwd DIR              working directory in the container\n"
                 "  -c, --cap CAP          add a capability (repeatable)\n"
                 "  --console-socket PATH  send the pty master to this unix socket\n"
                 "  --pid-file FILE        write the process's pid to FILE\n"
                 "  --preserve-fds N       pass N fds from 3 on to the process\n",
        .run = run,
};
