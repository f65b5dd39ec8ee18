#include "json-locate.h"

#include <stdbool.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define MAX_DEPTH 128
#define OFF_PATH ((size_t)-1)

struct locating {
        yajl_handle h;
        const char *const *path;
        size_t n;
        struct json_span *spans;
        size_t closed;                  /* prefixes whose value has been closed */
        size_t depth;                   /* containers open */
        size_t keys_of[MAX_DEPTH + 1];  /* at depth d, an object whose keys are matched with path[keys_of[d]] */
        size_t value_of[MAX_DEPTH + 1]; /* at depth d, the value of path[0..value_of[d]), or 0 */
        bool taken[MAX_DEPTH + 1];      /* the object at depth d has had its path key already */
        size_t pending;                 /* the next value is that of path[0..pending), or 0 */
};

/* Where the parser is: just past the token it has read. */
static size_t here(const struct locating *l)
{
        return yajl_get_bytes_consumed(l->h);
}

static int scalar(void *ctx)
{
        ((struct locating *)ctx)->pending = 0;
        return 1;
}

static int on_bool(void *ctx, int b)
{
        (void)b;
        return scalar(ctx);
}

static int on_number_or_string(void *ctx, const char *s, size_t len)
{
        (void)s;
        (void)len;
        return scalar(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
        return on_number_or_string(ctx, (const char *)s, len);
}

static int open_container(struct locating *l, bool is_object)
{
        size_t k = l->pending;

        l->pending = 0;
        if (l->depth == MAX_DEPTH)
                return 0;
        l->depth++;
        l->value_of[l->depth] = k;
        l->taken[l->depth] = false;
        if (k)
                l->spans[k - 1].start = here(l) - 1;
        /* The top object's keys are matched with path[0]; the value of path[0..k), with path[k]. */
        if (is_object && l->depth == 1)
                l->keys_of[l->depth] = 0;
        else if (is_object && k && k < l->n)
                l->keys_of[l->depth] = k;
        else
                l->keys_of[l->depth] = OFF_PATH;
        return 1;
}

static int on_start_map(void *ctx)
{
        return open_container(ctx, true);
}

static int on_start_array(void *ctx)
{
        return open_container(ctx, false);
}

static int on_end(void *ctx)
{
        struct locating *l = ctx;
        size_t k = l->value_of[l->depth--];

        if (!k)
                return 1;
        l->spans[k - 1].end = here(l);
        if (k > l->closed)
                l->closed = k;
        /* Everything deeper is closed too: nothing more to find. */
        return k != 1;
}

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
        struct locating *l = ctx;
        size_t level = l->keys_of[l->depth];

        l->pending = 0;
        if (level == OFF_PATH || l->taken[l->depth] || strlen(l->path[level]) != len ||
            memcmp(l->path[level], key, len) != 0)
                return 1;
        l->taken[l->depth] = true;
        l->pending = level + 1;
        return 1;
}

size_t json_locate(const char *text, const char *const *path, size_t n, struct json_span *spans)
{
        static const yajl_callbacks callbacks = {
                .yajl_null = scalar,         .yajl_boolean = on_bool,        .yajl_number = on_number_or_string,
                .yajl_string = on_string,    .yajl_start_map = on_start_map, .yajl_map_key = on_key,
                .yajl_end_map = on_end,      .yajl_start_array = on_start_array, .yajl_end_array = on_end,
        };
        struct locating l = { .path = path, .n = n, .spans = spans };
        yajl_status status;

        memset(spans, 0, n * sizeof(*spans));
        if (n == 0 || !(l.h = yajl_alloc(&callbacks, NULL, &l)))
                return 0;
        /* As yajl_tree_parse reads config.json. */
        yajl_config(l.h, yajl_allow_comments, 1);
        status = yajl_parse(l.h, (const unsigned char *)text, strlen(text));
        if (status == yajl_status_ok)
                status = yajl_complete_parse(l.h);
        yajl_free(l.h);
        return status == yajl_status_error ? 0 : l.closed;
}
