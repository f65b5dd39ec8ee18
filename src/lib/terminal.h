/* Terminals: the pty a container process gets when process.terminal is true, the console socket
 * that hands its master to the caller (conmon, containerd), and skiff's own relay for a foreground
 * `run` or `exec` without one. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Connect to the unix socket at PATH (--console-socket); ret_fd is close-on-exec. */
int terminal_connect_socket(const char *path, int *ret_fd, struct error *err);
/* In the container, after its mounts: open a pty in the container's devpts, apply consoleSize, make
 * the slave this process's stdin/out/err and controlling terminal (a new session), chown it to
 * process.user, and send the master over console_fd (SCM_RIGHTS), which is then closed. */
int terminal_setup(const struct spec_process *p, int console_fd, struct error *err);
/* Receive the master that terminal_setup sent; without `wait`, -EAGAIN (err untouched) when none
 * has come. */
int terminal_receive_master(int sock, bool wait, int *ret_master, struct error *err);
/* Copy our stdin to the master and the master to our stdout, with our stdin in raw mode when it is
 * a terminal, until pidfd (the process that owns the pty's other side) has exited and the master
 * has nothing more to read. The pty takes our terminal's size at the start unless it has one
 * (process.consoleSize), and again on every SIGWINCH. */
int terminal_relay(int master, int pidfd, struct error *err);
