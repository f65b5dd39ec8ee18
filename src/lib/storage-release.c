#include "storage-release.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "sealed-exe.h"
#include "util.h"

#define RELEASE_TIMEOUT_MS 150000 /* the pool lock waits up to 120 s */

const char *storage_root(void)
{
        const char *env = getenv("SKIFF_STORAGE_ROOT");

        return env && *env ? env : STORAGE_ROOT_DEFAULT;
}

char *storage_container_record(const char *id)
{
        return xasprintf("%s/devices/ctr-%s.json", storage_root(), id);
}

int storage_release_by_skiff(const char *id, struct error *err)
{
        _cleanup_free_ char *record = storage_container_record(id);
        _cleanup_free_ char *self = NULL, *skiff = NULL;
        int status = 0, r;
        pid_t pid;

        if (access(record, F_OK) < 0)
                return 0;
        /* skiff-shim's own directory, or skiff's (`run` in the foreground is its own shim). */
        self = skiff_exe_path();
        skiff = xasprintf("%s/skiff", dirname(self));
        pid = fork();
        if (pid < 0)
                return error_sys(err, errno, "fork");
        if (pid == 0) {
                execl(skiff, "skiff", "pool", "release", id, (char *)NULL);
                _exit(127);
        }
        /* ECHILD: SIGCHLD is ignored (the shim's case), the kernel reaped it and kept no status. */
        for (int waited = 0; (r = waitpid(pid, &status, WNOHANG)) == 0; waited += 10) {
                if (waited >= RELEASE_TIMEOUT_MS) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return error_set(err, ETIMEDOUT, "%s pool release %s: no answer in %d s", skiff, id,
                                         RELEASE_TIMEOUT_MS / 1000);
                }
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        if (r < 0 && errno == ECHILD)
                return 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(err, EIO, "%s pool release %s failed", skiff, id);
        return 0;
}
