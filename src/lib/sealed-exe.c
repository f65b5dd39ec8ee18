#include "sealed-exe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "exe-swap.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say that the memfd is meant to be executed */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* A binary no one can open for writing needs no copy: one on a read-only mount (the /proc/PID/exe
 * link keeps the mount it was run through, so a write through it fails with EROFS), or one marked
 * immutable (chattr +i: clearing it takes CAP_LINUX_IMMUTABLE in the host's user namespace). */
static bool write_protected(int fd)
{
        struct statvfs sv;
        int flags = 0;

        if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
                return true;
        return ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL);
}

bool self_exe_unwritable(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int seals;

        if (fd < 0)
                return false;
        seals = fcntl(fd, F_GET_SEALS);
        return (seals >= 0 && (seals & SEALS) == SEALS) || write_protected(fd);
}

/* A read-only bind mount of our own binary, attached to no tree: only its holders (the fd, then our
 * mappings and exe link) reach it, and no one can remount it writable without CAP_SYS_ADMIN over
 * the host's mounts. The binary through it, open for reading; -1 when the kernel or our privileges
 * cannot make it. */
static int read_only_self(void)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int tree = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        _cleanup_free_ char *path = NULL;

        if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -1;
        /* open_tree gives an O_PATH fd, which neither mmap nor PR_SET_MM_MAP takes. */
        path = xasprintf("/proc/self/fd/%d", tree);
        return open(path, O_RDONLY | O_CLOEXEC);
}

static int make_sealed_copy(int *ret_fd, struct error *err)
{
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int copy = -1;
        struct stat st;
        off_t done = 0;

        if (self < 0)
                return error_sys(err, errno, "open /proc/self/exe");
        if (fstat(self, &st) < 0)
                return error_sys(err, errno, "stat /proc/self/exe");
        copy = memfd_create("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (copy < 0 && errno == EINVAL) /* before Linux 6.3, MFD_EXEC is unknown */
                copy = memfd_create("skiff", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (copy < 0)
                return error_sys(err, errno, "memfd_create");
        while (done < st.st_size) {
                ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return error_sys(err, n < 0 ? errno : EIO, "copy /proc/self/exe to a memfd");
                done += n;
        }
        if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
                return error_sys(err, errno, "seal the memfd copy of skiff");
        *ret_fd = TAKE_FD(copy);
        return 0;
}

/* argv as the kernel recorded it: the new image must parse exactly what this one did. */
static int own_argv(char ***ret_argv, struct error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len, n = 0;
        char **argv;
        int r;

        if ((r = read_file("/proc/self/cmdline", &data, &len, err)) < 0)
                return r;
        for (size_t i = 0; i < len; i++)
                n += data[i] == '\0';
        argv = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0, k = 0; i < len && k < n; i += strlen(data + i) + 1)
                argv[k++] = xstrdup(data + i);
        *ret_argv = argv;
        return 0;
}

/* Where /proc/self/exe leads, or NULL. */
static char *proc_self_exe(void)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n < 0)
                return NULL;
        self[n] = '\0';
        return xstrdup(self);
}

char *skiff_exe_path(void)
{
        const char *env = getenv("SKIFF_EXE");
        char *self;

        if (env && *env)
                return xstrdup(env);
        self = proc_self_exe();
        return self ? self : xstrdup("skiff");
}

/* Run from `sealed` from now on: in place (exe-swap.h), or else by executing it, with the same argv
 * and environment (the new image starts again from main()). Returns 0 after the swap, -errno when
 * neither could be done. */
static int switch_to(int sealed, struct error *err)
{
        _cleanup_strv_ char **argv = NULL;
        int r;

        if (exe_swap_in_place(sealed) == 0)
                return 0;
        if ((r = own_argv(&argv, err)) < 0)
                return r;
        fexecve(sealed, argv, environ);
        return -errno;
}

int sealed_exe_switch(struct error *err)
{
        _cleanup_close_ int mounted = -1, copy = -1;
        _cleanup_free_ char *self = NULL;
        int r;

        if (self_exe_unwritable())
                return 0;
        /* The mount and the copy have no directory: skiff_exe_path keeps the binary's path. */
        self = proc_self_exe();
        if (!self)
                return error_sys(err, errno, "readlink /proc/self/exe");
        setenv("SKIFF_EXE", self, 1);
        if ((mounted = read_only_self()) >= 0 && switch_to(mounted, err) == 0)
                return 0;
        if ((r = make_sealed_copy(&copy, err)) < 0)
                return r;
        if ((r = switch_to(copy, err)) < 0)
                return error_sys(err, -r, "run from the sealed copy of skiff");
        return 0;
}
