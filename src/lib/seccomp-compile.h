/* linux.seccomp to classic BPF with libseccomp, and a cache of the result under --root.
 *
 * libseccomp takes ~20 ms to turn Docker's default profile into BPF, more than all the rest of
 * `skiff run`. So create and exec compile on the host, before anything of the container exists (a
 * bad profile then fails cleanly), and keep the program in ROOT/.seccomp@cache keyed by everything
 * that shapes it; the init and exec'd processes load it with seccomp(2) and never call libseccomp. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "spec-seccomp.h"

/* Fill s->program, unless it is already: from the cache under `root` when an entry matches, else
 * compiled and stored. The entry is keyed by s->text, linux.seccomp exactly as config.json has it,
 * when the profile carries it (spec-cached.h; seccomp_cache_get_raw then finds it), else by the
 * profile as parsed. */
int seccomp_prepare(struct spec_seccomp *s, const char *root, struct error *err);

/* The entry seccomp_prepare stored for linux.seccomp's text `raw`: on a hit, s->program and
 * s->uses_notify are filled (the text was parsed and checked before it was stored). */
bool seccomp_cache_get_raw(const char *root, const char *raw, size_t raw_len, struct spec_seccomp *s);
