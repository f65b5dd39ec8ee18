/* The seccomp profile `skiff spec` writes: an allow-list, in its own file so it can be read and
 * changed as one piece. */
#pragma once
#include <yajl/yajl_gen.h>

/* Generate the "seccomp" member (key and object) of a config's "linux" object. */
void seccomp_default_gen(yajl_gen g);
