#include <errno.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "../lib/container.h"
#include "../lib/hooks.h"
#include "../lib/shim-watch.h"
#include "../lib/signal-forward.h"
#include "../lib/state.h"
#include "../lib/terminal.h"
#include "../lib/util.h"
#include "cli.h"
#include "create-options.h"

/* With process.terminal and no console socket, the init sent the pty's master to us at create:
 * be the container's terminal until it exits. */
static int relay_terminal(int init_pidfd, int relay, struct error *err)
{
        _cleanup_close_ int master = -1;
        int r = terminal_receive_master(relay, false, &master, err);

        if (r == -EAGAIN) /* no terminal */
                return 0;
        if (r < 0)
                return r;
        return terminal_relay(master, init_pidfd, err);
}

/* We are the init's parent and its shim (create_options.shim_inline): start it, wait for it as
 * skiff-shim would, and take it apart. */
static int run_foreground(struct cli *cli, const struct create_flags *f, const struct state *st, int relay,
                          struct error *err)
{
        struct error warning = { 0 };
        struct hooks_poststop poststop;
        _cleanup_close_ int pidfd = -1;
        bool released = false;
        int code, r;

        /* Our child, not yet reaped: the pid cannot have been reused. */
        pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
        if (pidfd < 0)
                return error_sys(err, errno, "pidfd_open the container's init");
        signals_forward_to(st->pid, false);
        if ((r = container_start_own(cli->root, st, err)) < 0 || (r = relay_terminal(pidfd, relay, err)) < 0)
                return r;
        code = shim_watch(&(struct shim_target){ .root = cli->root, .id = st->id, .cgroup = st->cgroup,
                                                 .pid = st->pid, .pidfd = pidfd, .log_path = f->options.log_path,
                                                 .log_json = f->options.log_json }, &released);
        signals_forward_stop();
        hooks_poststop_load(cli->root, st->id, &poststop);
        /* What the shim's part could not release, the delete tries again, and reports. */
        if ((r = container_delete_own(cli->root, st->id, released ? NULL : st->cgroup, err)) < 0) {
                hooks_poststop_clear(&poststop);
                return r;
        }
        if (hooks_poststop_run(&poststop, cli->root, &warning) < 0)
                cli_warn(warning.msg);
        return code;
}

static int run(struct cli *cli, int argc, char **argv)
{
        struct create_flags f;
        struct error err = { 0 };
        struct state st = { 0 };
        const char *id;
        _cleanup_close_ int relay = -1;
        int r;

        if ((r = create_flags_parse(cli, argc, argv, &f, &id)) != 0)
                return r < 0 ? 0 : r;
        /* In the foreground, run is the init's parent and its shim, whatever --shim-mode says: the
         * caller never sees the init to reap it, so there is nothing to probe or watch. */
        if (!f.detach) {
                f.options.shim_mode = SHIM_MODE_PARENT;
                f.options.shim_inline = true;
        }
        if (!f.detach && f.options.console_fd < 0) {
                int pair[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                        create_flags_clear(&f);
                        return cli_fail(cli, id, &(struct error){ .code = errno, .msg = "create socket pair" });
                }
                relay = pair[0];
                f.options.console_fd = pair[1];
        }
        if (container_create(&f.options, f.detach ? NULL : &st, &err) < 0) {
                r = cli_fail(cli, id, &err);
        } else if (f.detach) {
                r = container_start(cli->root, id, &err) < 0 ? cli_fail(cli, id, &err) : 0;
        } else {
                r = run_foreground(cli, &f, &st, relay, &err);
                if (r < 0) {
                        struct error ignored = { 0 };
                        r = cli_fail(cli, id, &err);
                        container_delete(cli->root, id, true, false, &ignored);
                }
        }
        state_clear(&st);
        create_flags_clear(&f);
        return r;
}

const struct command command_run = {
        .name = "run",
        .summary = "create and start a container, wait for it and delete it",
        .usage = "[options] ID\n\n"
                 "Exits with the workload's exit code (128 + signal when a signal ended it).\n"
                 "  -b, --bundle DIR       the bundle (default: current directory)\n"
                 "  -d, --detach           return once the container has started\n"
                 "  --pid-file FILE        write the init's pid to FILE\n"
                 "  --no-pivot             MS_MOVE + chroot instead of pivot_root\n"
                 "  --preserve-fds N       pass N fds from 3 on to the container\n"
                 "  --console-socket PATH  send the pty master (process.terminal) to this unix socket;\n"
                 "                         in the foreground without it, skiff is the terminal\n",
        .run = run,
};
