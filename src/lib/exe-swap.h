/* Let /proc/self/exe lead to another file that holds the same binary (a read-only mount of it, a
 * sealed copy) without executing it again: an exec costs this process its whole start-up again
 * (about 0.5 ms here, most of it glibc's start), the swap a few mappings.
 *
 * The kernel changes a process's exe link (prctl PR_SET_MM_MAP with exe_fd, Linux 3.18, for
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE) only once no mapping of the old file is left. So every
 * mapping of the running binary is replaced first, at the same address and with the same bytes:
 * the read-only ones by mappings of the new file (shared page cache, nothing copied), the written
 * ones (data, and what the loader relocated) by anonymous copies. The process runs on unchanged. */
#pragma once

/* Make FD's file (opened for reading) the running binary. 0, or -errno when it could not be done
 * (no CONFIG_CHECKPOINT_RESTORE, no privilege, a mapping it cannot replace): the process is then
 * as good as before, some of its mappings perhaps moved to the new file or to copies. */
int exe_swap_in_place(int fd);
