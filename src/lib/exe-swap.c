#include "exe-swap.h"

#include <errno.h>
#include <link.h>
#include <linux/prctl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc-stat.h"
#include "util.h"

#define MAX_SEGMENTS 16

/* Pages of the running binary that map its file, as the kernel mapped them at exec: a PT_LOAD's
 * file part (what lies past it, the bss, is anonymous) from `offset` on, with its protection. */
struct mapping {
        unsigned long start, end, offset;
        int prot;
};

/* All of them, and the RELRO range: written by the loader, read-only since. */
struct plan {
        struct mapping m[MAX_SEGMENTS];
        size_t n;
        unsigned long relro_start, relro_end;
        int error;
};

static unsigned long page_down(unsigned long v)
{
        return v & ~((unsigned long)sysconf(_SC_PAGESIZE) - 1);
}

static unsigned long page_up(unsigned long v)
{
        return page_down(v + (unsigned long)sysconf(_SC_PAGESIZE) - 1);
}

static int prot_of(const ElfW(Phdr) *ph)
{
        return (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
               (ph->p_flags & PF_X ? PROT_EXEC : 0);
}

/* Read off the main program's program headers (the first object dl_iterate_phdr shows), which
 * costs no system call, unlike /proc/self/maps. The loader protects RELRO from its start to its
 * end, both rounded down to a page. */
static int read_plan(struct dl_phdr_info *info, size_t size, void *data)
{
        struct plan *p = data;

        (void)size;
        for (int i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                unsigned long at = info->dlpi_addr + ph->p_vaddr;

                if (ph->p_type == PT_GNU_RELRO) {
                        p->relro_start = page_down(at);
                        p->relro_end = page_down(at + ph->p_memsz);
                }
                if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
                        continue;
                if (p->n == MAX_SEGMENTS) {
                        p->error = -E2BIG;
                        break;
                }
                p->m[p->n++] = (struct mapping){ .start = page_down(at), .end = page_up(at + ph->p_filesz),
                                                 .offset = page_down(ph->p_offset), .prot = prot_of(ph) };
        }
        return 1;
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

/* An anonymous copy of what m holds now, its RELRO part read-only again. The kernel copies
 * (process_vm_readv), so that no sanitizer checks the copy against the red zones of the globals
 * it holds. The copy is one mapping until it is in place: mremap moves one only (before Linux
 * 6.17, and Linux 6.1 unmaps the destination before it finds that out). */
static int replace_by_copy(const struct mapping *m, const struct plan *p)
{
        size_t len = m->end - m->start;
        void *copy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        struct iovec local = { .iov_base = copy, .iov_len = len };
        struct iovec remote = { .iov_base = (void *)m->start, .iov_len = len };
        unsigned long ro_start = p->relro_start > m->start ? p->relro_start : m->start;
        unsigned long ro_end = p->relro_end < m->end ? p->relro_end : m->end;
        int r;

        if (copy == MAP_FAILED)
                return -errno;
        errno = 0;
        if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)len) {
                r = errno ? -errno : -EIO;
                munmap(copy, len);
                return r;
        }
        if ((r = move_over(copy, m)) < 0)
                return r;
        if (ro_start < ro_end && mprotect((void *)ro_start, ro_end - ro_start, m->prot & ~PROT_WRITE) < 0)
                return -errno;
        return 0;
}

/* The same pages of fd's file: MAP_FIXED swaps the mapping within the one call, so even the code
 * making it may live there. */
static int replace_by_file(const struct mapping *m, int fd)
{
        void *at = (void *)m->start;

        return mmap(at, m->end - m->start, m->prot, MAP_PRIVATE | MAP_FIXED, fd, (off_t)m->offset) == at ? 0 : -errno;
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
        struct plan plan = { 0 };
        struct prctl_mm_map map;
        int r;

        dl_iterate_phdr(read_plan, &plan);
        if (plan.error < 0)
                return plan.error;
        if ((r = current_layout(&map)) < 0)
                return r;
        /* In the order of the headers, which is that of the addresses: a page two segments share
         * is then the later one's, as the kernel mapped it. */
        for (size_t i = 0; i < plan.n; i++) {
                const struct mapping *m = &plan.m[i];

                r = m->prot & PROT_WRITE ? replace_by_copy(m, &plan) : replace_by_file(m, fd);
                if (r < 0)
                        return r;
        }
        /* Last, after every allocation: the heap's end as it is. Any mapping of the old file still
         * left makes the kernel refuse (EBUSY). */
        map.brk = (unsigned long)syscall(SYS_brk, 0);
        map.exe_fd = (unsigned)fd;
        return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0) < 0 ? -errno : 0;
}
