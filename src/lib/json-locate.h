/* Where a value stands in JSON text, found by the streaming parser without building a tree: for
 * reusing work keyed on a part of config.json exactly as it is written. */
#pragma once
#include <stddef.h>

struct json_span {
        size_t start, end; /* text[start..end) is the object or array, its brackets included */
};

/* For each i < n, spans[i] becomes the span of the object or array at path[0..i] (object keys
 * from the top; the first of equal keys, as json_member takes it). Returns how many of the path's
 * prefixes lead to an object or array (they nest: spans[0..returned)), 0 for text that is not
 * JSON. Reading stops once the first prefix's value is closed. */
size_t json_locate(const char *text, const char *const *path, size_t n, struct json_span *spans);
