/* Named volumes: directories under ROOT/volumes, or thin devices (with a size) whose filesystem is
 * mounted on that directory inside each container that uses it, never on the host. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* size 0 makes a directory volume. ret_path (may be NULL): where config mounts bind it from. */
int volume_create(const char *name, uint64_t size, char **ret_path, struct error *err);
int volume_list(FILE *out, struct error *err);
/* Refused while a container that is not stopped (in state_root) mounts it. */
int volume_remove(const char *state_root, const char *name, struct error *err);
/* The volume's name when `source` is a volume's directory, else NULL. */
char *volume_name_of(const char *source);
char *volume_path(const char *name);
