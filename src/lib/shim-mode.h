/* Who reaps the container's init: skiff-shim as its parent, or the caller (an engine that is a child
 * subreaper, as conmon and containerd's shim are) with skiff-shim only watching it through a pidfd. */
#pragma once
#include "error.h"

enum shim_mode { SHIM_MODE_AUTO, SHIM_MODE_PARENT, SHIM_MODE_WATCH };

int shim_mode_parse(const char *name, enum shim_mode *ret);
const char *shim_mode_name(enum shim_mode mode);
/* AUTO becomes PARENT or WATCH: WATCH when our caller adopts orphans (it is a child subreaper and
 * so expects the init to be reparented to it), found out with a short-lived grandchild. */
int shim_mode_resolve(enum shim_mode requested, enum shim_mode *ret, struct error *err);
