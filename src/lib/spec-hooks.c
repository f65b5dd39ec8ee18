#include "spec-hooks.h"

#include <errno.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define FIELD(...) _cleanup_free_ char *field = xasprintf(__VA_ARGS__)

static const char *const kind_names[HOOK_KIND_COUNT] = {
        [HOOK_PRESTART] = "prestart",
        [HOOK_CREATE_RUNTIME] = "createRuntime",
        [HOOK_CREATE_CONTAINER] = "createContainer",
        [HOOK_START_CONTAINER] = "startContainer",
        [HOOK_POSTSTART] = "poststart",
        [HOOK_POSTSTOP] = "poststop",
};

const char *hook_kind_name(enum hook_kind kind)
{
        return kind_names[kind];
}

static int parse_hook(yajl_val v, const char *at, struct spec_hook *h, struct error *err)
{
        yajl_val m;
        int64_t timeout;
        int r;

        if ((r = json_to_object(v, at, err)) < 0)
                return r;
        {
                FIELD("%s.path", at);
                if (!(m = json_member(v, "path")))
                        return error_set(err, EINVAL, "%s: missing", field);
                if ((r = json_to_string(m, field, &h->path, err)) < 0)
                        return r;
                if (h->path[0] != '/')
                        return error_set(err, EINVAL, "%s: \"%s\" is not an absolute path", field, h->path);
        }
        if ((m = json_member(v, "args"))) {
                FIELD("%s.args", at);
                if ((r = json_to_strv(m, field, &h->args, err)) < 0)
                        return r;
        }
        if ((m = json_member(v, "env"))) {
                FIELD("%s.env", at);
                if ((r = json_to_strv(m, field, &h->env, err)) < 0)
                        return r;
        }
        if ((m = json_member(v, "timeout"))) {
                FIELD("%s.timeout", at);
                if ((r = json_to_int64(m, field, &timeout, err)) < 0)
                        return r;
                if (timeout <= 0 || timeout > 86400)
                        return error_set(err, EINVAL, "%s: %lld is not a number of seconds above zero", field,
                                         (long long)timeout);
                h->timeout = (int)timeout;
        }
        return 0;
}

static int parse(yajl_val v, const char *at, struct spec_hooks *h, struct error *err)
{
        int r;

        if ((r = json_to_object(v, at, err)) < 0)
                return r;
        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                yajl_val list = json_member(v, kind_names[k]);
                size_t n;

                if (!list)
                        continue;
                {
                        FIELD("%s.%s", at, kind_names[k]);
                        if ((r = json_to_array(list, field, &n, err)) < 0)
                                return r;
                }
                h->list[k] = xcalloc(n ? n : 1, sizeof(struct spec_hook));
                for (size_t i = 0; i < n; i++) {
                        FIELD("%s.%s[%zu]", at, kind_names[k], i);
                        h->n[k] = i + 1;
                        if ((r = parse_hook(list->u.array.values[i], field, &h->list[k][i], err)) < 0)
                                return r;
                }
        }
        return 0;
}

int spec_hooks_parse(yajl_val v, const char *field, struct spec_hooks **ret, struct error *err)
{
        struct spec_hooks *h = xcalloc(1, sizeof(*h));
        int r = parse(v, field, h, err);

        if (r < 0) {
                spec_hooks_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

char *spec_hooks_to_json(const struct spec_hooks *h, unsigned kinds)
{
        yajl_gen g = yajl_gen_alloc(NULL);
        char *text;

        yajl_gen_map_open(g);
        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                if (!(kinds & (1u << k)) || !h->n[k])
                        continue;
                json_gen_string(g, kind_names[k]);
                yajl_gen_array_open(g);
                for (size_t i = 0; i < h->n[k]; i++) {
                        const struct spec_hook *hook = &h->list[k][i];
                        yajl_gen_map_open(g);
                        json_gen_kv_string(g, "path", hook->path);
                        if (hook->args)
                                json_gen_kv_strv(g, "args", hook->args);
                        if (hook->env)
                                json_gen_kv_strv(g, "env", hook->env);
                        if (hook->timeout)
                                json_gen_kv_int(g, "timeout", hook->timeout);
                        yajl_gen_map_close(g);
                }
                yajl_gen_array_close(g);
        }
        yajl_gen_map_close(g);
        text = json_gen_take(g);
        yajl_gen_free(g);
        return text;
}

void spec_hooks_free(struct spec_hooks *h)
{
        if (!h)
                return;
        for (int k = 0; k < HOOK_KIND_COUNT; k++) {
                for (size_t i = 0; i < h->n[k]; i++) {
                        free(h->list[k][i].path);
                        strv_free(h->list[k][i].args);
                        strv_free(h->list[k][i].env);
                }
                free(h->list[k]);
        }
        free(h);
}

void spec_hooks_freep(struct spec_hooks **h)
{
        spec_hooks_free(*h);
}
