/* config.json as create parses it: linux.seccomp's syscall list, most of the parse (400-odd names
 * for Docker's profile), is not parsed when the seccomp cache under --root holds the program for
 * linux.seccomp exactly as written (seccomp-compile.h). */
#pragma once
#include "error.h"
#include "spec.h"

/* spec_parse of `text`; the profile then carries the cached program, or else its own text (s->text)
 * for seccomp_prepare to store the program under. */
int spec_parse_cached(const char *text, const char *bundle, const char *root, struct spec **ret_spec,
                      struct error *err);
