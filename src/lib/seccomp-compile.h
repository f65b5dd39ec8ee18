/* linux.seccomp to classic BPF with libseccomp, and a cache of the result under --root.
 *
 * libseccomp takes ~20 ms to turn Docker's default profile into BPF, more than all the rest of
 * `skiff run`. So create and exec compile on the host, before anything of the container exists (a
 * bad profile then fails cleanly), and keep the program in ROOT/.seccomp@cache keyed by everything
 * that shapes it; the init and exec'd processes load it with seccomp(2) and never call libseccomp. */
#pragma once
#include "error.h"
#include "spec-seccomp.h"

/* Fill s->program: from the cache under `root` when an entry matches, else compiled and stored. */
int seccomp_prepare(struct spec_seccomp *s, const char *root, struct error *err);
