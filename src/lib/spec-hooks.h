/* The config's "hooks" object as a C struct, parsed and validated with the rest of config.json. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "error.h"

enum hook_kind {
        HOOK_PRESTART,
        HOOK_CREATE_RUNTIME,
        HOOK_CREATE_CONTAINER,
        HOOK_START_CONTAINER,
        HOOK_POSTSTART,
        HOOK_POSTSTOP,
        HOOK_KIND_COUNT,
};

struct spec_hook {
        char *path;     /* absolute */
        char **args;    /* NULL: argv is { path } */
        char **env;     /* NULL: an empty environment */
        int timeout;    /* seconds; 0 for none */
};

struct spec_hooks {
        struct spec_hook *list[HOOK_KIND_COUNT];
        size_t n[HOOK_KIND_COUNT];
};

/* "prestart", "createRuntime", ...: the config's key for a kind. */
const char *hook_kind_name(enum hook_kind kind);
/* v is the "hooks" object; field names it in messages. */
int spec_hooks_parse(yajl_val v, const char *field, struct spec_hooks **ret, struct error *err);
/* The hooks of the kinds in `kinds` (a bit mask of 1 << kind) as a "hooks" JSON object. */
char *spec_hooks_to_json(const struct spec_hooks *h, unsigned kinds);
void spec_hooks_free(struct spec_hooks *h);
void spec_hooks_freep(struct spec_hooks **h);
