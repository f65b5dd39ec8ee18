#include "json.h"

#include <errno.h>
#include <string.h>

#include "util.h"

int json_parse_string(const char *text, const char *what, yajl_val *ret_tree, struct error *err)
{
        char msg[512] = "";
        yajl_val tree = yajl_tree_parse(text, msg, sizeof(msg));

        if (!tree) {
                msg[strcspn(msg, "\n")] = '\0';
                return error_set(err, EINVAL, "%s: not valid JSON: %s", what, msg[0] ? msg : "parse error");
        }
        *ret_tree = tree;
        return 0;
}

int json_parse_file(const char *path, yajl_val *ret_tree, struct error *err)
{
        _cleanup_free_ char *text = NULL;
        int r = read_file(path, &text, NULL, err);

        if (r < 0)
                return r;
        return json_parse_string(text, path, ret_tree, err);
}

yajl_val json_member(yajl_val obj, const char *key)
{
        if (!YAJL_IS_OBJECT(obj))
                return NULL;
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        return obj->u.object.values[i];
        return NULL;
}

int json_to_object(yajl_val v, const char *field, struct error *err)
{
        if (!YAJL_IS_OBJECT(v))
                return error_set(err, EINVAL, "%s: expected an object", field);
        return 0;
}

int json_to_array(yajl_val v, const char *field, size_t *ret_len, struct error *err)
{
        if (!YAJL_IS_ARRAY(v))
                return error_set(err, EINVAL, "%s: expected an array", field);
        *ret_len = v->u.array.len;
        return 0;
}

int json_to_string(yajl_val v, const char *field, char **ret, struct error *err)
{
        if (!YAJL_IS_STRING(v))
                return error_set(err, EINVAL, "%s: expected a string", field);
        free(*ret);
        *ret = xstrdup(v->u.string);
        return 0;
}

int json_to_bool(yajl_val v, const char *field, bool *ret, struct error *err)
{
        if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                return error_set(err, EINVAL, "%s: expected a boolean", field);
        *ret = YAJL_IS_TRUE(v);
        return 0;
}

int json_to_int64(yajl_val v, const char *field, int64_t *ret, struct error *err)
{
        if (!YAJL_IS_INTEGER(v))
                return error_set(err, EINVAL, "%s: expected an integer", field);
        *ret = YAJL_GET_INTEGER(v);
        return 0;
}

int json_to_uint64(yajl_val v, const char *field, uint64_t *ret, struct error *err)
{
        /* yajl keeps the digits: parse them ourselves so values above INT64_MAX survive. */
        const char *s;
        char *end;
        unsigned long long n;

        if (!YAJL_IS_NUMBER(v) || !(s = YAJL_GET_NUMBER(v)) || s[0] == '-' || strpbrk(s, ".eE"))
                return error_set(err, EINVAL, "%s: expected a non-negative integer", field);
        errno = 0;
        n = strtoull(s, &end, 10);
        if (errno || *end)
                return error_set(err, EINVAL, "%s: expected a non-negative integer", field);
        *ret = n;
        return 0;
}

int json_to_uint32(yajl_val v, const char *field, uint32_t *ret, struct error *err)
{
        uint64_t n;
        int r = json_to_uint64(v, field, &n, err);

        if (r < 0)
                return r;
        if (n > UINT32_MAX)
                return error_set(err, ERANGE, "%s: value %llu is too large", field, (unsigned long long)n);
        *ret = (uint32_t)n;
        return 0;
}

int json_to_strv(yajl_val v, const char *field, char ***ret, struct error *err)
{
        char **strv;
        size_t n;

        if (!YAJL_IS_ARRAY(v))
                return error_set(err, EINVAL, "%s: expected an array of strings", field);
        n = v->u.array.len;
        for (size_t i = 0; i < n; i++)
                if (!YAJL_IS_STRING(v->u.array.values[i]))
                        return error_set(err, EINVAL, "%s: expected an array of strings", field);
        strv = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                strv[i] = xstrdup(v->u.array.values[i]->u.string);
        strv_free(*ret);
        *ret = strv;
        return 0;
}

int json_to_string_map(yajl_val v, const char *field, char ***ret, struct error *err)
{
        char **map;
        size_t n;

        if (!YAJL_IS_OBJECT(v))
                return error_set(err, EINVAL, "%s: expected an object of strings", field);
        n = v->u.object.len;
        for (size_t i = 0; i < n; i++)
                if (!YAJL_IS_STRING(v->u.object.values[i]))
                        return error_set(err, EINVAL, "%s.%s: expected a string", field, v->u.object.keys[i]);
        map = xcalloc(2 * n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                map[2 * i] = xstrdup(v->u.object.keys[i]);
                map[2 * i + 1] = xstrdup(v->u.object.values[i]->u.string);
        }
        strv_free(*ret);
        *ret = map;
        return 0;
}

void json_gen_string(yajl_gen g, const char *s)
{
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void json_gen_kv_string(yajl_gen g, const char *key, const char *value)
{
        json_gen_string(g, key);
        if (value)
                json_gen_string(g, value);
        else
                yajl_gen_null(g);
}

void json_gen_kv_int(yajl_gen g, const char *key, long long value)
{
        json_gen_string(g, key);
        yajl_gen_integer(g, value);
}

void json_gen_kv_bool(yajl_gen g, const char *key, bool value)
{
        json_gen_string(g, key);
        yajl_gen_bool(g, value);
}

void json_gen_kv_strv(yajl_gen g, const char *key, char *const *strv)
{
        json_gen_string(g, key);
        yajl_gen_array_open(g);
        for (size_t i = 0; strv && strv[i]; i++)
                json_gen_string(g, strv[i]);
        yajl_gen_array_close(g);
}

char *json_gen_take(yajl_gen g)
{
        const unsigned char *buf;
        size_t len;
        char *s;

        yajl_gen_get_buf(g, &buf, &len);
        s = xmalloc(len + 1);
        memcpy(s, buf, len);
        s[len] = '\0';
        return s;
}

/* Optional members: absent is fine, present must have the right type. */
int json_opt_string(yajl_val obj, const char *key, const char *parent, char **ret, struct error *err)
{
        yajl_val v = json_member(obj, key);
        _cleanup_free_ char *field = xasprintf("%s%s%s", parent, *parent ? "." : "", key);

        return v ? json_to_string(v, field, ret, err) : 0;
}

int json_opt_bool(yajl_val obj, const char *key, const char *parent, bool *ret, struct error *err)
{
        yajl_val v = json_member(obj, key);
        _cleanup_free_ char *field = xasprintf("%s%s%s", parent, *parent ? "." : "", key);

        return v ? json_to_bool(v, field, ret, err) : 0;
}

int json_opt_strv(yajl_val obj, const char *key, const char *parent, char ***ret, struct error *err)
{
        yajl_val v = json_member(obj, key);
        _cleanup_free_ char *field = xasprintf("%s%s%s", parent, *parent ? "." : "", key);

        return v ? json_to_strv(v, field, ret, err) : 0;
}
