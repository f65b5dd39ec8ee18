/* The --log file: one line appended per message, as text ("TIME LEVEL MSG") or as JSON
 * ({"level","msg","time"}), the two formats runc writes. skiff and skiff-shim both write it. */
#pragma once
#include <stdbool.h>

/* Best effort: a log that cannot be opened loses the line, never fails the caller. */
void log_file_append(const char *path, bool json, const char *level, const char *msg);
