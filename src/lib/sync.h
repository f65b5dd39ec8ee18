/* Messages between skiff create and the container init over a SOCK_SEQPACKET pair. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum sync_type {
        SYNC_PID = 1,   /* shim-to-be → create: the init's pid */
        SYNC_GO,        /* create → init: maps and cgroup are ready, set yourself up */
        SYNC_READY,     /* init → create: blocked on exec.fifo, waiting for start */
        SYNC_ERROR,     /* either way: what failed, in msg */
        SYNC_EXEC_SHIM, /* create → shim-to-be: become skiff-shim */
        SYNC_HOOKS,     /* init → create: mounts done, run prestart/createRuntime; the state JSON answers */
        SYNC_SECCOMP_FD, /* init → create: value is the notify fd's number in the init; SYNC_GO answers */
};

struct sync_msg {
        int type;
        int value;
        int code;
        char msg[1024];
};

/* How long create and exec wait for a process they made (the shim-to-be, the init, a joining
 * process) to answer before they give up and take everything back: SKIFF_SYNC_TIMEOUT seconds,
 * 60 by default. No wait of skiff's may last for ever (a frozen or stuck init once hung create). */
int sync_timeout_seconds(void);
/* Bound every later sync_expect on fd to `seconds`; 0 lifts the bound. */
int sync_bound(int fd, int seconds, struct error *err);

/* The most fds one message carries (SCM_RIGHTS). */
#define SYNC_MAX_FDS 32

int sync_send(int fd, int type, int value, struct error *err);
/* A message with n fds (its value is n); they arrive close-on-exec (sync_expect_fds). */
int sync_send_fds(int fd, int type, const int *fds, size_t n, struct error *err);
int sync_send_error(int fd, const struct error *failure);
/* Receive one message of type `expect`; a SYNC_ERROR becomes `err`, EOF a "died" error, the end of
 * the bound (sync_bound) an ETIMEDOUT error naming the peer. */
int sync_expect(int fd, int expect, int *ret_value, const char *peer, struct error *err);
/* sync_expect that takes the fds sent with the message too: *ret_n of them into fds[]. More than
 * max (any at all for sync_expect) is a protocol error; fds of a message that fails are closed. */
int sync_expect_fds(int fd, int expect, int *fds, size_t max, size_t *ret_n, const char *peer, struct error *err);
/* An error the peer has sent and nobody has read yet, without waiting: true, and *err holds it. A
 * failure of ours that followed one of the peer's (it exited) is better told as the peer's. */
bool sync_take_error(int fd, struct error *err);
