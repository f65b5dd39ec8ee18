/* Typed access to a yajl tree; every error names the field it is about. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"

int json_parse_file(const char *path, yajl_val *ret_tree, struct error *err);
int json_parse_string(const char *text, const char *what, yajl_val *ret_tree, struct error *err);

/* The member `key` of an object, or NULL when absent or when `obj` is not an object. */
yajl_val json_member(yajl_val obj, const char *key);

/* Each converter checks the type of `v` and names `field` in its message on a mismatch. */
int json_to_object(yajl_val v, const char *field, struct error *err);
int json_to_array(yajl_val v, const char *field, size_t *ret_len, struct error *err);
int json_to_string(yajl_val v, const char *field, char **ret, struct error *err);
int json_to_bool(yajl_val v, const char *field, bool *ret, struct error *err);
int json_to_int64(yajl_val v, const char *field, int64_t *ret, struct error *err);
int json_to_uint64(yajl_val v, const char *field, uint64_t *ret, struct error *err);
int json_to_uint32(yajl_val v, const char *field, uint32_t *ret, struct error *err);
int json_to_strv(yajl_val v, const char *field, char ***ret, struct error *err);
/* An object whose values are all strings, as a NULL-terminated key,value,key,value,... list. */
/* Optional members of obj: absent is fine (ret untouched), present must have the right type; the
 * field in messages is PARENT.KEY (KEY alone at the top). */
int json_opt_string(yajl_val obj, const char *key, const char *parent, char **ret, struct error *err);
int json_opt_bool(yajl_val obj, const char *key, const char *parent, bool *ret, struct error *err);
int json_opt_strv(yajl_val obj, const char *key, const char *parent, char ***ret, struct error *err);
int json_to_string_map(yajl_val v, const char *field, char ***ret, struct error *err);

/* Generator helpers: keep the output code readable. */
void json_gen_string(yajl_gen g, const char *s);
void json_gen_kv_string(yajl_gen g, const char *key, const char *value);
void json_gen_kv_int(yajl_gen g, const char *key, long long value);
void json_gen_kv_bool(yajl_gen g, const char *key, bool value);
void json_gen_kv_strv(yajl_gen g, const char *key, char *const *strv);
/* Copy the generator's buffer into a NUL-terminated string. */
char *json_gen_take(yajl_gen g);
