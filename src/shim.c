/* skiff-shim: watches one container's init, records how it ended, releases what it held, exits.
 *
 * Two modes (src/lib/shim-mode.h). parent: the shim is the init's parent and a child subreaper; it
 * reaps the init (and, without a pid namespace, the container's orphans) and knows the wait status.
 * watch: the caller is the init's parent and reaps it; the shim only polls a pidfd, and reads the
 * status from the zombie's /proc/PID/stat or, once the caller has reaped it, from the pidfd
 * (PIDFD_INFO_EXIT, Linux 6.15).
 *
 * Small on purpose: no config parsing and no JSON library, a handful of syscalls, no lock held
 * while it waits, every signal a caller sends to it passed on to the container. This file only reads
 * the arguments: the loop is src/lib/shim-watch.c, which `skiff run` in the foreground runs in its
 * forked shim-to-be without exec'ing this binary. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/shim-watch.h"
#include "lib/util.h"

static int parse_args(int argc, char **argv, struct shim_target *s)
{
        static const struct option longopts[] = {
                { "root", required_argument, NULL, 'r' },   { "id", required_argument, NULL, 'i' },
                { "pid", required_argument, NULL, 'p' },    { "pidfd", required_argument, NULL, 'f' },
                { "cgroup", required_argument, NULL, 'c' }, { "watch", no_argument, NULL, 'w' },
                { "log", required_argument, NULL, 'l' },    { "log-format", required_argument, NULL, 'F' },
                { NULL, 0, NULL, 0 },
        };
        long n;
        int opt;

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'r': s->root = optarg; break;
                case 'i': s->id = optarg; break;
                case 'c': s->cgroup = optarg; break;
                case 'w': s->watch = true; break;
                case 'l': s->log_path = optarg; break;
                case 'F': s->log_json = strcmp(optarg, "json") == 0; break;
                case 'p':
                case 'f':
                        if (!str_to_long(optarg, &n) || n < 0 || n > INT32_MAX) {
                                fprintf(stderr, "skiff-shim: \"%s\" is not a number\n", optarg);
                                return -1;
                        }
                        if (opt == 'p')
                                s->pid = (pid_t)n;
                        else
                                s->pidfd = (int)n;
                        break;
                default: return -1;
                }
        }
        if (!s->root || !s->id || s->pid <= 0 || s->pidfd <= 2) {
                fprintf(stderr, "skiff-shim: needs --root, --id, --pid and --pidfd (skiff create starts it)\n");
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        struct shim_target s = { .pidfd = -1 };

        if (parse_args(argc, argv, &s) < 0)
                return 2;
        return shim_watch(&s, NULL);
}
