#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../lib/container.h"
#include "../lib/hooks.h"
#include "../lib/signal-forward.h"
#include "../lib/state.h"
#include "../lib/terminal.h"
#include "../lib/util.h"
#include "cli.h"
#include "create-options.h"

/* With process.terminal and no console socket, the init sent the pty's master to us at create:
 * be the container's terminal until it exits. */
static int relay_terminal(pid_t shim, int relay, struct error *err)
{
        _cleanup_close_ int master = -1, pidfd = -1;
        int r = terminal_receive_master(relay, false, &master, err);

        if (r == -EAGAIN) /* no terminal */
                return 0;
        if (r < 0)
                return r;
        pidfd = (int)syscall(SYS_pidfd_open, shim, 0);
        return terminal_relay(master, pidfd, err);
}

static int run_foreground(struct cli *cli, const char *id, pid_t shim, int relay, struct error *err)
{
        struct error warning = { 0 };
        struct hooks_poststop poststop;
        struct state st = { 0 };
        int code, r;

        if ((r = state_read(cli->root, id, &st, err)) < 0)
                return r;
        signals_forward_to(st.pid, false);
        state_clear(&st);
        if ((r = container_start(cli->root, id, err)) < 0)
                return r;
        if ((r = relay_terminal(shim, relay, err)) < 0)
                return r;
        /* The shim is our child: once it is gone, exit.json is written and the cgroup removed. */
        while (waitpid(shim, NULL, 0) < 0 && errno == EINTR)
                ;
        signals_forward_stop();
        if ((r = container_wait(cli->root, id, &code, err)) < 0)
                return r;
        hooks_poststop_load(cli->root, id, &poststop);
        if ((r = container_delete(cli->root, id, false, false, err)) < 0) {
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
        const char *id;
        _cleanup_close_ int relay = -1;
        pid_t shim;
        int r;

        if ((r = create_flags_parse(cli, argc, argv, &f, &id)) != 0)
                return r < 0 ? 0 : r;
        if (!f.detach) {
                /* run waits for the container itself: the caller never reaps the init, so no probe
                 * of who adopts orphans, and no exec of skiff-shim. */
                if (f.options.shim_mode == SHIM_MODE_AUTO)
                        f.options.shim_mode = SHIM_MODE_PARENT;
                f.options.shim_in_process = true;
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
        if (container_create(&f.options, &shim, &err) < 0) {
                r = cli_fail(cli, id, &err);
        } else if (f.detach) {
                r = container_start(cli->root, id, &err) < 0 ? cli_fail(cli, id, &err) : 0;
        } else {
                r = run_foreground(cli, id, shim, relay, &err);
                if (r < 0) {
                        struct error ignored = { 0 };
                        r = cli_fail(cli, id, &err);
                        container_delete(cli->root, id, true, false, &ignored);
                }
        }
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
