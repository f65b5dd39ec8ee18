#include "env.h"

#include <string.h>

#include "util.h"

static void replace_or_append(char ***env, const char *name, size_t name_len, char *entry)
{
        size_t n = 0;

        for (char **e = *env; e && *e; e++, n++)
                if (strncmp(*e, name, name_len) == 0 && (*e)[name_len] == '=') {
                        free(*e);
                        *e = entry;
                        return;
                }
        *env = xrealloc(*env, (n + 2) * sizeof(char *));
        (*env)[n] = entry;
        (*env)[n + 1] = NULL;
}

void env_set(char ***env, const char *name, const char *value)
{
        replace_or_append(env, name, strlen(name), xasprintf("%s=%s", name, value));
}

bool env_put(char ***env, const char *assignment)
{
        const char *eq = strchr(assignment, '=');

        if (!eq || eq == assignment)
                return false;
        replace_or_append(env, assignment, (size_t)(eq - assignment), xstrdup(assignment));
        return true;
}
