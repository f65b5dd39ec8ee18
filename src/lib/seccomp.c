#include "seccomp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "json.h"
#include "sync.h"
#include "util.h"

#define FIELD_PREFIX "linux.seccomp"

static enum seccomp_stage stage_for(const struct spec_seccomp *s, bool no_new_privileges)
{
        if (s->uses_notify)
                return SECCOMP_BEFORE_READY;
        return no_new_privileges ? SECCOMP_BEFORE_EXEC : SECCOMP_BEFORE_IDENTITY;
}

static void release_ctx(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

static int set_attributes(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct error *err)
{
        int r;

        /* no_new_privs is process.noNewPrivileges' business, not the filter's (libseccomp sets it by default). */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ": leave no_new_privs alone");
        if ((s->flags & SECCOMP_FLAG_LOG) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".flags: SECCOMP_FILTER_FLAG_LOG");
        if ((s->flags & SECCOMP_FLAG_SPEC_ALLOW) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".flags: SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        if ((s->flags & SECCOMP_FLAG_TSYNC) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".flags: SECCOMP_FILTER_FLAG_TSYNC");
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
        if ((s->flags & SECCOMP_FLAG_WAIT_KILLABLE_RECV) && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_WAITKILL, 1)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
#endif
        return 0;
}

static bool repeats_an_index(const struct seccomp_rule *rule)
{
        for (unsigned i = 0; i < rule->n_args; i++)
                for (unsigned j = i + 1; j < rule->n_args; j++)
                        if (rule->args[i].arg == rule->args[j].arg)
                                return true;
        return false;
}

/* Two comparisons of one argument cannot be ANDed in a libseccomp rule: like runc, each becomes a rule
 * of its own (they are ORed). */
static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *rule)
{
        int r;

        if (!repeats_an_index(rule))
                return seccomp_rule_add_array(ctx, rule->action, rule->nr, rule->n_args, rule->args);
        for (unsigned i = 0; i < rule->n_args; i++)
                if ((r = seccomp_rule_add_array(ctx, rule->action, rule->nr, 1, &rule->args[i])) < 0)
                        return r;
        return 0;
}

static int build(const struct spec_seccomp *s, scmp_filter_ctx *ret, struct error *err)
{
        _cleanup_(release_ctx) scmp_filter_ctx ctx = seccomp_init(s->default_action);
        int r;

        if (!ctx)
                return error_set(err, EINVAL, FIELD_PREFIX ".defaultAction: libseccomp refused it");
        for (size_t i = 0; i < s->n_archs; i++) {
                r = seccomp_arch_add(ctx, s->archs[i]);
                if (r < 0 && r != -EEXIST)
                        return error_sys(err, -r, FIELD_PREFIX ".architectures[%zu]", i);
        }
        if ((r = set_attributes(ctx, s, err)) < 0)
                return r;
        for (size_t i = 0; i < s->n_rules; i++) {
                const struct seccomp_rule *rule = &s->rules[i];
                /* libseccomp refuses a rule that restates the default action; it would change nothing. */
                if (rule->action == s->default_action)
                        continue;
                if ((r = add_rule(ctx, rule)) < 0) {
                        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->nr);
                        return error_sys(err, -r, FIELD_PREFIX ".syscalls: add the rule for %s", name ? name : "?");
                }
        }
        *ret = TAKE_PTR(ctx);
        return 0;
}

static int install(const struct spec_seccomp *s, int *ret_notify_fd, struct error *err)
{
        _cleanup_(release_ctx) scmp_filter_ctx ctx = NULL;
        int r, fd = -1;

        if ((r = build(s, &ctx, err)) < 0)
                return r;
        if ((r = seccomp_load(ctx)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ": load the filter");
        if (s->uses_notify) {
                /* The kernel makes it close-on-exec: the workload never holds it. */
                fd = seccomp_notify_fd(ctx);
                if (fd < 0)
                        return error_sys(err, -fd, FIELD_PREFIX ": the filter's notify fd");
        }
        *ret_notify_fd = fd;
        return 0;
}

int seccomp_install_at(const struct spec *spec, enum seccomp_stage stage, int sync_fd, struct error *err)
{
        const struct spec_seccomp *s = spec->linux_cfg.seccomp;
        _cleanup_close_ int notify_fd = -1;
        int r;

        if (!s || stage_for(s, spec->process.no_new_privileges) != stage)
                return 0;
        if ((r = install(s, &notify_fd, err)) < 0 || notify_fd < 0)
                return r;
        /* create takes its own copy with pidfd_getfd; ours closes once it says so. */
        if ((r = sync_send(sync_fd, SYNC_SECCOMP_FD, notify_fd, err)) < 0)
                return r;
        return sync_expect(sync_fd, SYNC_GO, NULL, "skiff create", err);
}

static char *process_state_json(const struct spec_seccomp *s, pid_t pid, const char *state_json)
{
        static char *const fds[] = { "seccompFd", NULL };
        yajl_gen g = yajl_gen_alloc(NULL);
        _cleanup_free_ char *head = NULL;

        yajl_gen_map_open(g);
        json_gen_kv_string(g, "ociVersion", "1.2.0");
        json_gen_kv_strv(g, "fds", fds);
        json_gen_kv_int(g, "pid", pid);
        json_gen_kv_string(g, "metadata", s->listener_metadata ? s->listener_metadata : "");
        yajl_gen_map_close(g);
        head = json_gen_take(g);
        yajl_gen_free(g);
        /* The state is JSON already: splice it in as the last member. */
        head[strlen(head) - 1] = '\0';
        return xasprintf("%s,\"state\":%s}", head, state_json);
}

static int send_with_fd(int sock, const char *payload, int fd)
{
        char control[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = (void *)payload, .iov_len = strlen(payload) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                              .msg_controllen = sizeof(control) };
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        ssize_t n;

        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        /* The fd went with the first byte; the rest of the JSON follows as a stream. */
        if ((size_t)n < iov.iov_len && write_all(sock, payload + n, iov.iov_len - (size_t)n) < 0)
                return -errno;
        return 0;
}

int seccomp_forward_listener(const struct spec_seccomp *s, pid_t init_pid, int remote_fd, const char *state_json,
                             struct error *err)
{
        _cleanup_close_ int pidfd = -1, fd = -1, sock = -1;
        _cleanup_free_ char *payload = NULL;
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int r;

        if (strlen(s->listener_path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, FIELD_PREFIX ".listenerPath: \"%s\" is too long for a socket",
                                 s->listener_path);
        strcpy(addr.sun_path, s->listener_path);
        pidfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
        if (pidfd < 0)
                return error_sys(err, errno, FIELD_PREFIX ": pidfd_open the init");
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0);
        if (fd < 0)
                return error_sys(err, errno, FIELD_PREFIX ": take the notify fd from the init");
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return error_sys(err, errno, FIELD_PREFIX ": socket");
        if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, errno, FIELD_PREFIX ".listenerPath: connect to %s", s->listener_path);
        payload = process_state_json(s, init_pid, state_json);
        if ((r = send_with_fd(sock, payload, fd)) < 0)
                return error_sys(err, -r, FIELD_PREFIX ".listenerPath: send to %s", s->listener_path);
        return 0;
}
