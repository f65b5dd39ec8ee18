#include "proc-stat.h"

#include <string.h>

#include "util.h"

char *proc_stat_read(pid_t pid)
{
        _cleanup_free_ char *path = pid > 0 ? xasprintf("/proc/%d/stat", (int)pid) : xstrdup("/proc/self/stat");
        struct error ignored = { 0 };
        char *text = NULL;

        if (read_file(path, &text, NULL, &ignored) < 0)
                return NULL;
        return text;
}

const char *proc_stat_field(const char *text, int n)
{
        const char *p = text ? strrchr(text, ')') : NULL;

        if (!p || p[1] != ' ' || n < 3)
                return NULL;
        p += 2;
        for (int field = 3; field < n && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p && *p ? p : NULL;
}
