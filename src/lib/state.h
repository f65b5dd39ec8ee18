/* ROOT/ID: the state dir, its lock, state.json and exit.json. Truth comes from the kernel. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum status { STATUS_CREATING, STATUS_CREATED, STATUS_RUNNING, STATUS_PAUSED, STATUS_STOPPED };

struct state {
        char *id;
        char *bundle;
        char *rootfs;
        char *created;                  /* RFC 3339, UTC */
        char *owner;
        pid_t pid;                      /* container init, 0 while creating */
        unsigned long long start_time;  /* init's start time (clock ticks since boot) */
        pid_t creator;                  /* the skiff create that is still at work, or 0 */
        unsigned long long creator_start_time;
        pid_t shim_pid;
        unsigned long long shim_start_time;
        char *cgroup;                   /* cgroup path relative to each hierarchy's root */
        char **annotations;             /* key,value,... */
        /* From exit.json, when the shim has recorded one. */
        bool has_exit;
        bool exit_known;                /* false: the init died unseen (its shim was killed) */
        int exit_code;
        int exit_signal;
        char *exited_at;
        char *exit_unknown_why;
};

bool container_id_valid(const char *id);
char *state_path(const char *root, const char *id, const char *file);

/* Make ROOT/ID and take its lock; EEXIST when the id is in use. ret_lock_fd holds the lock. */
int state_dir_create(const char *root, const char *id, int *ret_lock_fd, struct error *err);
/* Take the lock of an existing container; ENOENT ("does not exist") when there is none. */
int state_lock(const char *root, const char *id, int *ret_lock_fd, struct error *err);
/* The same without waiting: EWOULDBLOCK while another command holds it. */
int state_trylock(const char *root, const char *id, int *ret_lock_fd, struct error *err);
int state_write(const char *root, const struct state *st, struct error *err);
int state_read(const char *root, const char *id, struct state *ret, struct error *err);
void state_clear(struct state *st);

/* The status the kernel backs: a dead or recycled init means stopped. */
enum status state_status(const char *root, const struct state *st);
const char *status_name(enum status s);
/* The state JSON that `skiff state` prints and hooks read on stdin. */
char *state_to_oci_json(const char *root, const struct state *st, bool pretty);

/* Start time of a pid from /proc/PID/stat (field 22), 0 when it is gone. */
unsigned long long proc_start_time(pid_t pid);
bool process_is(pid_t pid, unsigned long long start_time);

/* What one wait on exec.fifo's read end heard from the init: it writes a byte once `start` opens
 * the fifo, and one more if it fails before its exec closes the fifo (init.c). */
enum exec_fifo_news {
        EXEC_FIFO_BYTE,         /* a byte was read */
        EXEC_FIFO_CLOSED,       /* no byte, and none will come: the writer closed it, or the init is gone */
        EXEC_FIFO_NOTHING_YET,  /* 100 ms went by, the init lives */
};
/* Up to 100 ms for a byte from st's init on fd (the read end, opened O_NONBLOCK). Whether the init
 * lives is asked before the poll, and the read is tried whatever the poll says, so that a byte it
 * wrote just before it exited is still read. */
enum exec_fifo_news exec_fifo_wait(int fd, const struct state *st);
