#include "spec-seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define FIELD(...) _cleanup_free_ char *field = xasprintf(__VA_ARGS__)

/* libseccomp 2.6 knows SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; older ones cannot set it. */
#define HAVE_SCMP_WAITKILL (SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6))

static const char *const action_names[] = { "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
                                            "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL };

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const char *const operator_names[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                              "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };

/* The runtime spec's names; those this libseccomp cannot resolve are left out of `features`. */
static const char *const spec_archs[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",      "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",     NULL,
};

static const struct {
        const char *name;
        unsigned flag;
        unsigned api_level;     /* the seccomp_api_get() level the kernel + library need */
} flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FLAG_TSYNC, 2 },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FLAG_LOG, 3 },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FLAG_SPEC_ALLOW, 4 },
#if HAVE_SCMP_WAITKILL
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FLAG_WAIT_KILLABLE_RECV, 7 },
#endif
};

const char *const *seccomp_known_actions(void)
{
        /* LOG and KILL_PROCESS need API level 3, NOTIFY level 5 (kernel 5.0 and libseccomp 2.5). */
        static const char *known[ARRAY_SIZE(action_names)];
        unsigned api = seccomp_api_get();
        size_t n = 0;

        for (size_t i = 0; action_names[i]; i++) {
                if (api < 3 && (strcmp(action_names[i], "SCMP_ACT_LOG") == 0 ||
                                strcmp(action_names[i], "SCMP_ACT_KILL_PROCESS") == 0))
                        continue;
                if (api < 5 && strcmp(action_names[i], "SCMP_ACT_NOTIFY") == 0)
                        continue;
                known[n++] = action_names[i];
        }
        known[n] = NULL;
        return known;
}

const char *const *seccomp_known_operators(void)
{
        return operator_names;
}

static uint32_t arch_token(const char *name)
{
        char lower[32];
        size_t i;

        if (strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(lower))
                return 0;
        for (i = 0; name[10 + i]; i++)
                lower[i] = (char)tolower((unsigned char)name[10 + i]);
        lower[i] = '\0';
        return seccomp_arch_resolve_name(lower);
}

const char *const *seccomp_known_archs(void)
{
        static const char *known[ARRAY_SIZE(spec_archs)];

        if (!known[0]) {
                size_t n = 0;
                for (size_t i = 0; spec_archs[i]; i++)
                        if (arch_token(spec_archs[i]))
                                known[n++] = spec_archs[i];
        }
        return known;
}

const char *const *seccomp_known_flags(void)
{
        static const char *known[ARRAY_SIZE(flag_table) + 1];

        for (size_t i = 0; i < ARRAY_SIZE(flag_table); i++)
                known[i] = flag_table[i].name;
        return known;
}

const char *const *seccomp_supported_flags(void)
{
        static const char *supported[ARRAY_SIZE(flag_table) + 1];
        unsigned api = seccomp_api_get();
        size_t n = 0;

        for (size_t i = 0; i < ARRAY_SIZE(flag_table); i++)
                if (api >= flag_table[i].api_level)
                        supported[n++] = flag_table[i].name;
        supported[n] = NULL;
        return supported;
}

/* errnoRet applies to ERRNO and TRACE; the default, as in runc, is EPERM. */
static int parse_action(yajl_val obj, const char *name_key, const char *errno_key, const char *parent,
                        uint32_t *ret, bool *ret_notify, struct error *err)
{
        _cleanup_free_ char *name = NULL;
        yajl_val v = json_member(obj, name_key);
        uint32_t errno_ret = EPERM;
        bool has_errno = false;
        int r;

        {
                FIELD("%s.%s", parent, name_key);
                if (!v)
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_string(v, field, &name, err)) < 0)
                        return r;
        }
        if ((v = json_member(obj, errno_key))) {
                FIELD("%s.%s", parent, errno_key);
                if ((r = json_to_uint32(v, field, &errno_ret, err)) < 0)
                        return r;
                if (errno_ret > 0xffff)
                        return error_set(err, ERANGE, "%s: %u does not fit in 16 bits", field, errno_ret);
                has_errno = true;
        }
        if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
                *ret = SCMP_ACT_KILL_THREAD;
        else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
                *ret = SCMP_ACT_KILL_PROCESS;
        else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
                *ret = SCMP_ACT_TRAP;
        else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
                *ret = SCMP_ACT_ERRNO(errno_ret);
        else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
                *ret = SCMP_ACT_TRACE(errno_ret);
        else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
                *ret = SCMP_ACT_ALLOW;
        else if (strcmp(name, "SCMP_ACT_LOG") == 0)
                *ret = SCMP_ACT_LOG;
        else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
                *ret = SCMP_ACT_NOTIFY;
        else
                return error_set(err, EINVAL, "%s.%s: unknown action \"%s\"", parent, name_key, name);
        if (has_errno && strcmp(name, "SCMP_ACT_ERRNO") != 0 && strcmp(name, "SCMP_ACT_TRACE") != 0)
                return error_set(err, EINVAL, "%s.%s: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a value, not %s",
                                 parent, errno_key, name);
        if (*ret == SCMP_ACT_NOTIFY)
                *ret_notify = true;
        return 0;
}

static int parse_arg(yajl_val a, const char *at, struct scmp_arg_cmp *ret, struct error *err)
{
        _cleanup_free_ char *op = NULL;
        uint64_t index = 0, value = 0, value_two = 0;
        yajl_val v;
        size_t i;
        int r;

        if ((r = json_to_object(a, at, err)) < 0)
                return r;
        {
                FIELD("%s.index", at);
                if (!(v = json_member(a, "index")))
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_uint64(v, field, &index, err)) < 0)
                        return r;
                if (index > 5)
                        return error_set(err, EINVAL, "%s: %llu is not a syscall argument (0 to 5)", field,
                                         (unsigned long long)index);
        }
        {
                FIELD("%s.value", at);
                if (!(v = json_member(a, "value")))
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_uint64(v, field, &value, err)) < 0)
                        return r;
        }
        if ((v = json_member(a, "valueTwo"))) {
                FIELD("%s.valueTwo", at);
                if ((r = json_to_uint64(v, field, &value_two, err)) < 0)
                        return r;
        }
        {
                FIELD("%s.op", at);
                if (!(v = json_member(a, "op")))
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_string(v, field, &op, err)) < 0)
                        return r;
                for (i = 0; i < ARRAY_SIZE(operators); i++)
                        if (strcmp(operators[i].name, op) == 0)
                                break;
                if (i == ARRAY_SIZE(operators))
                        return error_set(err, EINVAL, "%s: unknown operator \"%s\"", field, op);
        }
        /* For MASKED_EQ, value is the mask and valueTwo what the masked argument must equal. */
        *ret = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = operators[i].op, .datum_a = value,
                                      .datum_b = value_two };
        return 0;
}

static int parse_syscall(yajl_val sc, const char *at, struct spec_seccomp *s, struct error *err)
{
        _cleanup_strv_ char **names = NULL;
        struct seccomp_rule rule = { 0 };
        yajl_val v, args = NULL;
        size_t n_args = 0;
        int r;

        if ((r = json_to_object(sc, at, err)) < 0)
                return r;
        {
                FIELD("%s.names", at);
                if (!(v = json_member(sc, "names")))
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_strv(v, field, &names, err)) < 0)
                        return r;
        }
        if ((r = parse_action(sc, "action", "errnoRet", at, &rule.action, &s->uses_notify, err)) < 0)
                return r;
        if ((args = json_member(sc, "args"))) {
                FIELD("%s.args", at);
                if ((r = json_to_array(args, field, &n_args, err)) < 0)
                        return r;
                if (n_args > 6)
                        return error_set(err, EINVAL, "%s: at most 6 comparisons, got %zu", field, n_args);
        }
        for (size_t i = 0; i < n_args; i++) {
                FIELD("%s.args[%zu]", at, i);
                if ((r = parse_arg(args->u.array.values[i], field, &rule.args[i], err)) < 0)
                        return r;
        }
        rule.n_args = (unsigned)n_args;
        /* Room for every name at once: growing by one rule moved the whole array each time. */
        s->rules = xrealloc(s->rules, (s->n_rules + strv_length(names)) * sizeof(*s->rules));
        for (size_t i = 0; names[i]; i++) {
                rule.nr = seccomp_syscall_resolve_name(names[i]);
                if (rule.nr == __NR_SCMP_ERROR) {
                        size_t n = strv_length(s->unknown_syscalls);
                        s->unknown_syscalls = xrealloc(s->unknown_syscalls, (n + 2) * sizeof(char *));
                        s->unknown_syscalls[n] = xstrdup(names[i]);
                        s->unknown_syscalls[n + 1] = NULL;
                        continue;
                }
                s->rules[s->n_rules++] = rule;
        }
        return 0;
}

static int parse_archs(yajl_val v, const char *parent, struct spec_seccomp *s, struct error *err)
{
        _cleanup_strv_ char **names = NULL;
        FIELD("%s.architectures", parent);
        int r;

        if ((r = json_to_strv(v, field, &names, err)) < 0)
                return r;
        s->archs = xcalloc(strv_length(names) + 1, sizeof(*s->archs));
        for (size_t i = 0; names[i]; i++) {
                uint32_t token = arch_token(names[i]);
                if (!token)
                        return error_set(err, EINVAL, "%s[%zu]: unknown architecture \"%s\"", field, i, names[i]);
                s->archs[s->n_archs++] = token;
        }
        return 0;
}

static int parse_flags(yajl_val v, const char *parent, struct spec_seccomp *s, struct error *err)
{
        _cleanup_strv_ char **names = NULL;
        FIELD("%s.flags", parent);
        unsigned api = seccomp_api_get();
        int r;

        if ((r = json_to_strv(v, field, &names, err)) < 0)
                return r;
        for (size_t i = 0; names[i]; i++) {
                size_t k;
                for (k = 0; k < ARRAY_SIZE(flag_table); k++)
                        if (strcmp(flag_table[k].name, names[i]) == 0)
                                break;
                if (k == ARRAY_SIZE(flag_table))
                        return error_set(err, EINVAL, "%s[%zu]: unknown or unsupported flag \"%s\"", field, i,
                                         names[i]);
                if (api < flag_table[k].api_level)
                        return error_set(err, EOPNOTSUPP, "%s[%zu]: %s needs seccomp API level %u, this "
                                         "kernel and libseccomp give %u", field, i, names[i],
                                         flag_table[k].api_level, api);
                s->flags |= flag_table[k].flag;
        }
        return 0;
}

static int parse(yajl_val v, const char *parent, struct spec_seccomp *s, struct error *err)
{
        yajl_val sub;
        size_t n;
        int r;

        if ((r = json_to_object(v, parent, err)) < 0)
                return r;
        if ((r = parse_action(v, "defaultAction", "defaultErrnoRet", parent, &s->default_action, &s->uses_notify,
                              err)) < 0)
                return r;
        if (s->default_action == SCMP_ACT_NOTIFY)
                return error_set(err, EINVAL, "%s.defaultAction: SCMP_ACT_NOTIFY cannot be the default: the "
                                 "container could not even make the calls that hand its filter over", parent);
        if ((sub = json_member(v, "architectures")) && (r = parse_archs(sub, parent, s, err)) < 0)
                return r;
        if ((sub = json_member(v, "flags")) && (r = parse_flags(sub, parent, s, err)) < 0)
                return r;
        if ((sub = json_member(v, "listenerPath"))) {
                FIELD("%s.listenerPath", parent);
                if ((r = json_to_string(sub, field, &s->listener_path, err)) < 0)
                        return r;
        }
        if ((sub = json_member(v, "listenerMetadata"))) {
                FIELD("%s.listenerMetadata", parent);
                if ((r = json_to_string(sub, field, &s->listener_metadata, err)) < 0)
                        return r;
        }
        if ((sub = json_member(v, "syscalls"))) {
                FIELD("%s.syscalls", parent);
                if ((r = json_to_array(sub, field, &n, err)) < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        FIELD("%s.syscalls[%zu]", parent, i);
                        if ((r = parse_syscall(sub->u.array.values[i], field, s, err)) < 0)
                                return r;
                }
        }
        if (s->uses_notify && seccomp_api_get() < 5)
                return error_set(err, EOPNOTSUPP, "%s: SCMP_ACT_NOTIFY needs seccomp API level 5, this kernel and "
                                 "libseccomp give %u", parent, seccomp_api_get());
        if (s->uses_notify && (!s->listener_path || !s->listener_path[0]))
                return error_set(err, EINVAL, "%s.listenerPath: required when an action is SCMP_ACT_NOTIFY", parent);
        if (s->listener_path && s->listener_path[0] != '/')
                return error_set(err, EINVAL, "%s.listenerPath: \"%s\" is not an absolute path", parent,
                                 s->listener_path);
        return 0;
}

int spec_seccomp_parse(yajl_val v, const char *field, struct spec_seccomp **ret, struct error *err)
{
        struct spec_seccomp *s = xcalloc(1, sizeof(*s));
        int r = parse(v, field, s, err);

        if (r < 0) {
                spec_seccomp_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void spec_seccomp_free(struct spec_seccomp *s)
{
        if (!s)
                return;
        free(s->archs);
        free(s->listener_path);
        free(s->listener_metadata);
        free(s->rules);
        strv_free(s->unknown_syscalls);
        free(s->program.filter);
        free(s->text);
        free(s);
}
