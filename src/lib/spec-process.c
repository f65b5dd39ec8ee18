/* The config's "process": args, env, cwd, user, rlimits, capabilities, and the rest. */
#include "spec-process.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "util.h"

/* A field path such as "process.user.uid", built as the parser descends. */
#define FIELD(...) _cleanup_free_ char *field = xasprintf(__VA_ARGS__)

static const struct {
        const char *name;
        int resource;
} rlimit_types[] = {
        { "RLIMIT_AS", RLIMIT_AS },         { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static const char *const cap_set_names[CAP_SET_COUNT] = {
        [CAP_SET_BOUNDING] = "bounding",       [CAP_SET_EFFECTIVE] = "effective",
        [CAP_SET_INHERITABLE] = "inheritable", [CAP_SET_PERMITTED] = "permitted",
        [CAP_SET_AMBIENT] = "ambient",
};

static int parse_user(yajl_val user, struct spec_user *u, struct error *err)
{
        yajl_val v;
        uint32_t n;
        size_t len;
        int r;

        if ((r = json_to_object(user, "process.user", err)) < 0)
                return r;
        if ((v = json_member(user, "uid")) && (r = json_to_uint32(v, "process.user.uid", &n, err)) < 0)
                return r;
        u->uid = v ? n : 0;
        if ((v = json_member(user, "gid")) && (r = json_to_uint32(v, "process.user.gid", &n, err)) < 0)
                return r;
        u->gid = v ? n : 0;
        if ((v = json_member(user, "umask"))) {
                if ((r = json_to_uint32(v, "process.user.umask", &n, err)) < 0)
                        return r;
                if (n > 0777)
                        return error_set(err, EINVAL, "process.user.umask: %u is not a file mode mask", n);
                u->has_umask = true;
                u->umask = n;
        }
        if ((v = json_member(user, "additionalGids"))) {
                if ((r = json_to_array(v, "process.user.additionalGids", &len, err)) < 0)
                        return r;
                u->additional_gids = xcalloc(len, sizeof(gid_t));
                for (size_t i = 0; i < len; i++) {
                        FIELD("process.user.additionalGids[%zu]", i);
                        if ((r = json_to_uint32(v->u.array.values[i], field, &n, err)) < 0)
                                return r;
                        u->additional_gids[i] = n;
                }
                u->n_additional_gids = len;
        }
        return 0;
}

static int parse_rlimits(yajl_val arr, struct spec_process *p, struct error *err)
{
        size_t len;
        int r;

        if ((r = json_to_array(arr, "process.rlimits", &len, err)) < 0)
                return r;
        p->rlimits = xcalloc(len, sizeof(*p->rlimits));
        for (size_t i = 0; i < len; i++) {
                yajl_val item = arr->u.array.values[i], v;
                struct spec_rlimit *rl = &p->rlimits[i];
                FIELD("process.rlimits[%zu]", i);
                size_t t;

                p->n_rlimits = i + 1;
                if ((r = json_to_object(item, field, err)) < 0)
                        return r;
                if (!(v = json_member(item, "type")))
                        return error_set(err, EINVAL, "%s.type: missing", field);
                if ((r = json_opt_string(item, "type", field, &rl->type, err)) < 0)
                        return r;
                for (t = 0; t < ARRAY_SIZE(rlimit_types); t++)
                        if (strcmp(rlimit_types[t].name, rl->type) == 0)
                                break;
                if (t == ARRAY_SIZE(rlimit_types))
                        return error_set(err, EINVAL, "%s.type: unknown rlimit \"%s\"", field, rl->type);
                rl->resource = rlimit_types[t].resource;
                for (size_t j = 0; j < i; j++)
                        if (p->rlimits[j].resource == rl->resource)
                                return error_set(err, EINVAL, "%s.type: %s given twice", field, rl->type);
                {
                        FIELD("process.rlimits[%zu].soft", i);
                        if (!(v = json_member(item, "soft")))
                                return error_set(err, EINVAL, "%s: missing", field);
                        if ((r = json_to_uint64(v, field, &rl->soft, err)) < 0)
                                return r;
                }
                {
                        FIELD("process.rlimits[%zu].hard", i);
                        if (!(v = json_member(item, "hard")))
                                return error_set(err, EINVAL, "%s: missing", field);
                        if ((r = json_to_uint64(v, field, &rl->hard, err)) < 0)
                                return r;
                }
                if (rl->soft > rl->hard)
                        return error_set(err, EINVAL, "%s: soft limit %llu is above hard limit %llu", field,
                                         (unsigned long long)rl->soft, (unsigned long long)rl->hard);
        }
        return 0;
}

static int check_cap_subset(uint64_t set, uint64_t allowed, const char *field, const char *what, struct error *err)
{
        char *name;
        int r;

        if (!(set & ~allowed))
                return 0;
        name = cap_to_name(__builtin_ctzll(set & ~allowed));
        r = error_set(err, EINVAL, "%s: %s is not in %s", field, name ? name : "?", what);
        cap_free(name);
        return r;
}

static int parse_capabilities(yajl_val caps, struct spec_capabilities *c, struct error *err)
{
        int r;

        if ((r = json_to_object(caps, "process.capabilities", err)) < 0)
                return r;
        c->present = true;
        for (int s = 0; s < CAP_SET_COUNT; s++) {
                _cleanup_strv_ char **names = NULL;
                FIELD("process.capabilities.%s", cap_set_names[s]);

                if ((r = json_opt_strv(caps, cap_set_names[s], "process.capabilities", &names, err)) < 0)
                        return r;
                for (size_t i = 0; names && names[i]; i++) {
                        cap_value_t cap;

                        if (cap_from_name(names[i], &cap) < 0 || cap < 0 || cap > 63)
                                return error_set(err, EINVAL, "%s: unknown capability \"%s\"", field, names[i]);
                        /* A capability this kernel does not know cannot be granted; runc skips it too. */
                        if (cap > CAP_LAST_CAP && !CAP_IS_SUPPORTED(cap))
                                continue;
                        c->sets[s] |= UINT64_C(1) << cap;
                }
        }
        /* What the kernel would refuse at exec time, refused here where the field can be named. */
        if ((r = check_cap_subset(c->sets[CAP_SET_EFFECTIVE], c->sets[CAP_SET_PERMITTED],
                                  "process.capabilities.effective", "permitted", err)) < 0 ||
            (r = check_cap_subset(c->sets[CAP_SET_AMBIENT], c->sets[CAP_SET_PERMITTED] & c->sets[CAP_SET_INHERITABLE],
                                  "process.capabilities.ambient", "both permitted and inheritable", err)) < 0)
                return r;
        return 0;
}

int spec_process_from_json(yajl_val proc, struct spec_process *p, struct error *err)
{
        yajl_val v;
        int r;

        if ((r = json_to_object(proc, "process", err)) < 0)
                return r;
        if ((r = json_opt_bool(proc, "terminal", "process", &p->terminal, err)) < 0)
                return r;
        if ((v = json_member(proc, "consoleSize"))) {
                uint32_t h = 0, w = 0;
                yajl_val hv = json_member(v, "height"), wv = json_member(v, "width");

                if ((r = json_to_object(v, "process.consoleSize", err)) < 0 ||
                    (hv && (r = json_to_uint32(hv, "process.consoleSize.height", &h, err)) < 0) ||
                    (wv && (r = json_to_uint32(wv, "process.consoleSize.width", &w, err)) < 0))
                        return r;
                p->console_height = h;
                p->console_width = w;
        }
        if (!(v = json_member(proc, "args")))
                return error_set(err, EINVAL, "process.args: missing");
        if ((r = json_to_strv(v, "process.args", &p->args, err)) < 0)
                return r;
        if (!p->args[0])
                return error_set(err, EINVAL, "process.args: must name a program");
        if ((r = json_opt_strv(proc, "env", "process", &p->env, err)) < 0)
                return r;
        for (size_t i = 0; p->env && p->env[i]; i++)
                if (!strchr(p->env[i], '='))
                        return error_set(err, EINVAL, "process.env[%zu]: \"%s\" is not NAME=VALUE", i, p->env[i]);
        if (!json_member(proc, "cwd"))
                return error_set(err, EINVAL, "process.cwd: missing");
        if ((r = json_opt_string(proc, "cwd", "process", &p->cwd, err)) < 0)
                return r;
        if (p->cwd[0] != '/')
                return error_set(err, EINVAL, "process.cwd: \"%s\" is not an absolute path", p->cwd);
        if (!(v = json_member(proc, "user")))
                return error_set(err, EINVAL, "process.user: missing");
        if ((r = parse_user(v, &p->user, err)) < 0)
                return r;
        if ((v = json_member(proc, "rlimits")) && (r = parse_rlimits(v, p, err)) < 0)
                return r;
        if ((r = json_opt_bool(proc, "noNewPrivileges", "process", &p->no_new_privileges, err)) < 0)
                return r;
        if ((v = json_member(proc, "capabilities")) && (r = parse_capabilities(v, &p->caps, err)) < 0)
                return r;
        if ((v = json_member(proc, "oomScoreAdj"))) {
                int64_t n;

                if ((r = json_to_int64(v, "process.oomScoreAdj", &n, err)) < 0)
                        return r;
                if (n < -1000 || n > 1000)
                        return error_set(err, ERANGE, "process.oomScoreAdj: %lld is outside -1000..1000", (long long)n);
                p->has_oom_score_adj = true;
                p->oom_score_adj = (int)n;
        }
        return 0;
}
int spec_process_parse(const char *json, struct spec_process *ret, struct error *err)
{
        struct spec_process p = { 0 };
        yajl_val tree = NULL;
        int r;

        if ((r = json_parse_string(json, "process", &tree, err)) < 0)
                return r;
        r = spec_process_from_json(tree, &p, err);
        yajl_tree_free(tree);
        if (r < 0) {
                spec_process_clear(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void spec_process_clear(struct spec_process *p)
{
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->user.additional_gids);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].type);
        free(p->rlimits);
        *p = (struct spec_process){ 0 };
}
