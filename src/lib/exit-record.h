/* ROOT/ID/exit.json: how the container's init ended. Written once, atomically, by whoever saw the
 * end: skiff-shim, or the repair of a container whose shim was gone (status unknown then). Its
 * presence also says that the container's host resources were released. state.c reads it. */
#pragma once
#include "error.h"

/* wait_status as waitpid(2) gives it, or -1 when nobody could learn it (`why` says why). */
int exit_record_write(const char *root, const char *id, int wait_status, const char *why, struct error *err);
