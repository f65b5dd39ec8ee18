/* In the foreground (run, exec), the signals meant for the workload reach skiff: pass them on. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

/* From now on TERM, INT, HUP, QUIT, USR1, USR2 (and WINCH unless a terminal relay keeps it) go to pid. */
void signals_forward_to(pid_t pid, bool keep_winch);
/* The process is gone: forward nothing more (its pid may be reused). */
void signals_forward_stop(void);
