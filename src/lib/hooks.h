/* Running OCI hooks: each gets the container's state JSON on stdin, its own argv and environment,
 * and a timeout after which it is killed and counts as failed. Where and when each kind runs:
 *   prestart, createRuntime  skiff create, in the runtime's namespaces, once the container's
 *                            namespaces and mounts exist and before pivot_root (hooks_create_side)
 *   createContainer          the init, in the container's namespaces, before pivot_root, so that the
 *                            path still resolves in the runtime's filesystem (hooks_init_before_pivot)
 *   startContainer           the init, after `skiff start`, before the user program executes
 *   poststart                skiff start, once the user program runs; a failure fails start
 *   poststop                 skiff delete, after the container is gone; a failure only warns
 * start and delete do not read the config: create saves startContainer, poststart and poststop in
 * ROOT/ID/hooks.json. */
#pragma once
#include <stdbool.h>

#include "error.h"
#include "spec-hooks.h"
#include "state.h"

#define HOOKS_SAVED_FILE "hooks.json"

/* Run the hooks of one kind in order; the first failure stops and names the hook
 * ("hooks.prestart[1]: /bin/x exited with status 3"). */
int hooks_run(const struct spec_hooks *h, enum hook_kind kind, const char *state_json, struct error *err);

/* The state JSON create hands to hooks and the seccomp listener: the init's pid, even while
 * `creating` (state_to_oci_json shows 0 then). */
char *hooks_state_json(const char *root, const struct state *st);

/* Whether create and the init meet before pivot_root (the init then waits for the state JSON). */
bool hooks_need_state_in_init(const struct spec_hooks *h);
/* The seconds the init's createContainer hooks may take (their timeouts summed), -1 when one of them
 * has none: the spec lets such a hook run as long as it likes. */
int hooks_in_init_seconds(const struct spec_hooks *h);
/* Create's half of that meeting: run prestart and createRuntime, send the state JSON to the init. */
int hooks_create_side(const struct spec_hooks *h, int init_sync, const char *state_json, struct error *err);
/* The init's half, a rootfs_step: ask create for the state JSON (kept for startContainer), then run
 * createContainer. Does nothing when no hook needs it. */
struct hooks_meeting {
        const struct spec_hooks *hooks;
        int sync_fd;
        char *state_json;       /* received; the caller frees it */
};
int hooks_init_before_pivot(void *meeting, struct error *err);

/* Save poststart and poststop hooks in the state dir, if there are any. */
int hooks_save(const struct spec_hooks *h, const char *root, const char *id, struct error *err);

/* After `start` has released the init, if it has startContainer or poststart hooks: wait until the
 * user program runs (a failed startContainer hook is an error of start's), then run poststart.
 * exec_fifo is start's read end of exec.fifo, whose writer the init holds until execve. */
int hooks_after_start(const char *root, const struct state *st, int exec_fifo, struct error *err);

/* poststop: read what they need before `delete` removes the state dir (no hooks or no container:
 * nothing to run), run them once it is done. A failure is the caller's warning, never delete's error. */
struct hooks_poststop {
        struct spec_hooks *hooks;
        struct state st;
};
void hooks_poststop_load(const char *root, const char *id, struct hooks_poststop *ret);
int hooks_poststop_run(struct hooks_poststop *p, const char *root, struct error *warning);
void hooks_poststop_clear(struct hooks_poststop *p);
