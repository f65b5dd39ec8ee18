/* A directory used as a cache, kept to a bounded size. */
#pragma once
#include <stddef.h>

/* Keep the `keep` regular files of `path` last modified, and remove the others, oldest first.
 * Best effort: what cannot be listed or removed stays. */
void dir_keep_newest(const char *path, size_t keep);
