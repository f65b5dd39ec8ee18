#include "dir-prune.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

struct aged {
        char *name;
        struct timespec mtime;
};

static int newest_first(const void *a, const void *b)
{
        const struct aged *x = a, *y = b;

        if (x->mtime.tv_sec != y->mtime.tv_sec)
                return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
        if (x->mtime.tv_nsec != y->mtime.tv_nsec)
                return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
        return strcmp(x->name, y->name);
}

void dir_keep_newest(const char *path, size_t keep)
{
        DIR *dir = opendir(path);
        struct aged *files = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;

        if (!dir)
                return;
        while ((e = readdir(dir))) {
                struct stat st;

                if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (n == cap)
                        files = xrealloc(files, (cap = cap ? 2 * cap : 64) * sizeof(*files));
                files[n++] = (struct aged){ .name = xstrdup(e->d_name), .mtime = st.st_mtim };
        }
        if (n > keep)
                qsort(files, n, sizeof(*files), newest_first);
        for (size_t i = 0; i < n; i++) {
                if (i >= keep)
                        unlinkat(dirfd(dir), files[i].name, 0);
                free(files[i].name);
        }
        free(files);
        closedir(dir);
}
