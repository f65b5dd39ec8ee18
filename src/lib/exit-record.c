#include "exit-record.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Formatted by hand: skiff-shim links this, and it stays free of the JSON library. `why` is one
 * of skiff's own fixed phrases, never user text, so it needs no escaping. */
int exit_record_write(const char *root, const char *id, int wait_status, const char *why, struct error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
        _cleanup_free_ char *path = xasprintf("%s/exit.json", dir);
        _cleanup_free_ char *when = now_rfc3339();
        _cleanup_free_ char *text = NULL;

        if (wait_status >= 0)
                text = xasprintf("{\"exitCode\":%d,\"signal\":%d,\"exitedAt\":\"%s\"}\n",
                                 WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 0,
                                 WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0, when);
        else
                text = xasprintf("{\"exitedAt\":\"%s\",\"unknown\":\"%s\"}\n", when, why);
        /* A `delete --force` may have removed the state dir already: then there is nobody to tell. */
        if (access(dir, F_OK) < 0)
                return 0;
        return write_file_replace(path, text, strlen(text), err);
}
