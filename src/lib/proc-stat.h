/* /proc/PID/stat, read by field as proc(5) numbers them. The command name (field 2) may hold spaces
 * and parentheses: the fields after it start past the last ')'. */
#pragma once
#include <sys/types.h>

/* The text of /proc/PID/stat (pid 0: our own), allocated; NULL when it cannot be read. */
char *proc_stat_read(pid_t pid);
/* Where field n (3, the state, or later) starts in that text; NULL when there is no such field. */
const char *proc_stat_field(const char *text, int n);
