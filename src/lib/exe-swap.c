#include "exe-swap.h"

#include <errno.h>
#include <link.h>
#include <linux/prctl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc-stat.h"
#include "util.h"

#define MAX_MAPPINGS 16

struct mapping {
        unsigned long start, end, offset;
        int prot;
};

/* The mappings of the file (dev, ino) in /proc/self/maps; -E2BIG past MAX_MAPPINGS. */
static int own_mappings(dev_t dev, ino_t ino, struct mapping *m, size_t *ret_n)
{
        _cleanup_free_ char *maps = NULL;
        struct error ignored = { 0 };
        size_t n = 0;
        char *line, *save = NULL;

        if (read_file("/proc/self/maps", &maps, NULL, &ignored) < 0)
                return -ignored.code;
        for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* START-END PERMS OFFSET MAJOR:MINOR INODE [PATH], in hex but the inode */
                char *p = line, *perms;
                unsigned long start = strtoul(p, &p, 16), end = strtoul(p + 1, &p, 16);
                unsigned long offset, major, minor, inode;

                perms = p + 1;
                if (*p != ' ' || strlen(perms) < 5 || perms[4] != ' ')
                        continue;
                offset = strtoul(perms + 5, &p, 16);
                major = strtoul(p, &p, 16);
                minor = *p == ':' ? strtoul(p + 1, &p, 16) : ~0UL;
                inode = strtoul(p, NULL, 10);
                if (inode != ino || makedev(major, minor) != dev)
                        continue;
                if (n == MAX_MAPPINGS)
                        return -E2BIG;
                m[n++] = (struct mapping){ .start = start, .end = end, .offset = offset,
                                           .prot = (perms[0] == 'r' ? PROT_READ : 0) |
                                                   (perms[1] == 'w' ? PROT_WRITE : 0) |
                                                   (perms[2] == 'x' ? PROT_EXEC : 0) };
        }
        *ret_n = n;
        return 0;
}

struct relro {
        unsigned long start, end;
};

/* The main program's RELRO range: read-only now, but written by the loader before. */
static int find_relro(struct dl_phdr_info *info, size_t size, void *data)
{
        struct relro *r = data;
        long page = sysconf(_SC_PAGESIZE);

        (void)size;
        for (int i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                if (ph->p_type != PT_GNU_RELRO)
                        continue;
                r->start = (info->dlpi_addr + ph->p_vaddr) & ~(unsigned long)(page - 1);
                r->end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        }
        return 1; /* the first object is the main program */
}

/* Put `fresh` (len bytes, prot as m's) where m is, in one step: no moment without a mapping. */
static int move_over(void *fresh, const struct mapping *m)
{
        size_t len = m->end - m->start;

        if (mremap(fresh, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)m->start) == MAP_FAILED) {
                int r = -errno;
                munmap(fresh, len);
                return r;
        }
        return 0;
}

/* An anonymous copy of what m holds now; the kernel copies (process_vm_readv), so that no
 * sanitizer checks the copy against the red zones of the globals it holds. */
static int replace_by_copy(const struct mapping *m)
{
        size_t len = m->end - m->start;
        void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        struct iovec local = { .iov_base = copy, .iov_len = len };
        struct iovec remote = { .iov_base = (void *)m->start, .iov_len = len };

        if (copy == MAP_FAILED)
                return -errno;
        if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len ||
            mprotect(copy, len, m->prot) < 0) {
                int r = errno ? -errno : -EIO;
                munmap(copy, len);
                return r;
        }
        return move_over(copy, m);
}

/* The same pages of fd's file, as the loader mapped them from the old one: MAP_FIXED swaps the
 * mapping within the one call, so even the code making it may live there. */
static int replace_by_file(const struct mapping *m, int fd)
{
        void *at = (void *)m->start;

        return mmap(at, m->end - m->start, m->prot, MAP_PRIVATE | MAP_FIXED, fd, (off_t)m->offset) == at ? 0 : -errno;
}

static bool overlaps(const struct mapping *m, const struct relro *r)
{
        return m->start < r->end && r->start < m->end;
}

/* The mm fields PR_SET_MM_MAP rewrites, as they are (proc(5): fields 26-28 and 45-51 of stat). */
static int current_layout(struct prctl_mm_map *map)
{
        static const int fields[] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
        _cleanup_free_ char *stat = proc_stat_read(0);
        unsigned long long v[ARRAY_SIZE(fields)];

        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                const char *field = proc_stat_field(stat, fields[i]);
                if (!field)
                        return -EINVAL;
                v[i] = strtoull(field, NULL, 10);
        }
        *map = (struct prctl_mm_map){ .start_code = v[0], .end_code = v[1], .start_stack = v[2],
                                      .start_data = v[3], .end_data = v[4], .start_brk = v[5],
                                      .arg_start = v[6], .arg_end = v[7], .env_start = v[8], .env_end = v[9] };
        return 0;
}

int exe_swap_in_place(int fd)
{
        struct mapping m[MAX_MAPPINGS];
        struct prctl_mm_map map;
        struct relro relro = { 0 };
        struct stat self;
        size_t n = 0;
        int r;

        if (stat("/proc/self/exe", &self) < 0)
                return -errno;
        if ((r = own_mappings(self.st_dev, self.st_ino, m, &n)) < 0 || (r = current_layout(&map)) < 0)
                return r;
        dl_iterate_phdr(find_relro, &relro);
        for (size_t i = 0; i < n; i++) {
                if (!(m[i].prot & PROT_READ))
                        return -EBUSY;
                if (m[i].prot & PROT_WRITE || overlaps(&m[i], &relro))
                        r = replace_by_copy(&m[i]);
                else
                        r = replace_by_file(&m[i], fd);
                if (r < 0)
                        return r;
        }
        /* Last, after every allocation: the heap's end as it is. */
        map.brk = (unsigned long)syscall(SYS_brk, 0);
        map.exe_fd = (unsigned)fd;
        return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0) < 0 ? -errno : 0;
}
