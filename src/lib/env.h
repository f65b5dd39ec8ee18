/* NAME=VALUE environment lists (process.env), as NULL-terminated allocated string vectors. */
#pragma once
#include <stdbool.h>

/* Set NAME=VALUE in *env, replacing an existing NAME; *env may be NULL (an empty list). */
void env_set(char ***env, const char *name, const char *value);
/* The same for one "NAME=VALUE" string; false when it has no '='. */
bool env_put(char ***env, const char *assignment);
