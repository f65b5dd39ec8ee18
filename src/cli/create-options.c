#include "create-options.h"

#include <string.h>

#include "../lib/fds.h"
#include "../lib/sealed-exe.h"
#include "../lib/spec.h"
#include "../lib/terminal.h"
#include "../lib/util.h"

enum { OPT_PID_FILE = 1000, OPT_NO_PIVOT, OPT_PRESERVE_FDS, OPT_CONSOLE_SOCKET, OPT_NO_NEW_KEYRING, OPT_DETACH };

static int on_option(struct cli *cli, int opt, const char *arg, void *data)
{
        struct create_flags *f = data;
        long n;

        switch (opt) {
        case 'b': f->options.bundle = arg; break;
        case OPT_PID_FILE: f->options.pid_file = arg; break;
        case OPT_NO_PIVOT: f->options.no_pivot = true; break;
        case OPT_NO_NEW_KEYRING: break;
        case 'd': f->detach = true; break;
        case OPT_PRESERVE_FDS:
                if (!str_to_long(arg, &n) || n < 0 || n > 65536)
                        return -cli_usage_error(cli, "--preserve-fds: \"%s\" is not a count of fds", arg);
                f->options.preserve_fds = (int)n;
                break;
        case OPT_CONSOLE_SOCKET: f->console_socket = arg; break;
        }
        return 0;
}

/* Socket activation (systemd): fds from 3 on, when LISTEN_PID says they are meant for us. */
static int listen_fds_of_caller(void)
{
        const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
        long n, p;

        if (!fds || !pid || !str_to_long(fds, &n) || !str_to_long(pid, &p) || p != getpid() || n <= 0 || n > 65536)
                return 0;
        return (int)n;
}

/* Check the passed fds while no fd of ours can have taken one of their numbers, re-execute from a
 * binary the container cannot write (sealed-exe.h: the init must not show the real one), then
 * connect the console socket, once: the receiver takes one connection. */
static int prepare_fds(struct cli *cli, struct create_flags *f)
{
        struct error err = { 0 };

        f->options.listen_fds = listen_fds_of_caller();
        if (fds_check_passed(f->options.listen_fds + f->options.preserve_fds, "--preserve-fds", &err) < 0 ||
            sealed_exe_switch(&err) < 0 ||
            (f->console_socket && terminal_connect_socket(f->console_socket, &f->options.console_fd, &err) < 0))
                return cli_fail(cli, f->options.id, &err);
        return 0;
}

/* What the config parser skipped without failing, for --debug: the library never prints itself. */
static void debug_config_notes(struct cli *cli, const char *bundle)
{
        _cleanup_(spec_freep) struct spec *spec = NULL;
        struct error ignored = { 0 };

        if (!cli->debug || spec_load(bundle, &spec, &ignored) < 0 || !spec->linux_cfg.seccomp)
                return;
        for (char **name = spec->linux_cfg.seccomp->unknown_syscalls; name && *name; name++)
                cli_debug(cli, "linux.seccomp: syscall \"%s\" is unknown to libseccomp on this architecture, skipped",
                          *name);
}

int create_flags_parse(struct cli *cli, int argc, char **argv, struct create_flags *f, const char **ret_id)
{
        static const struct option opts[] = {
                { "bundle", required_argument, NULL, 'b' },
                { "pid-file", required_argument, NULL, OPT_PID_FILE },
                { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
                { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
                { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
                { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
                { "detach", no_argument, NULL, 'd' },
                { NULL, 0, NULL, 0 },
        };
        bool done;
        int next, r;

        memset(f, 0, sizeof(*f));
        f->options.root = cli->root;
        f->options.log_path = cli->log_path;
        f->options.log_json = cli->log_json;
        f->options.warn = cli_warn;
        f->options.shim_mode = cli->shim_mode;
        f->options.bundle = ".";
        f->options.console_fd = -1;
        if ((r = cli_parse(cli, argc, argv, opts, on_option, f,
                           &done, &next)) < 0)
                return -r;
        if (done)
                return -1;
        if (f->detach && strcmp(cli->command, "run") != 0)
                return cli_usage_error(cli, "--detach is an option of run");
        if ((r = cli_one_id(cli, argc, argv, next, ret_id)) < 0)
                return -r;
        f->options.id = *ret_id;
        f->shim_path = cli_shim_path();
        f->options.shim_path = f->shim_path;
        debug_config_notes(cli, f->options.bundle);
        return prepare_fds(cli, f);
}

void create_flags_clear(struct create_flags *f)
{
        if (f->options.console_fd >= 0)
                close(f->options.console_fd);
        free(f->shim_path);
}
