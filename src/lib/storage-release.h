/* What skiff-shim needs of storage, without linking libdevmapper or yajl into every shim: whether a
 * container has a thin snapshot, and a way to deactivate it (`skiff pool release ID`). */
#pragma once
#include <stdbool.h>

#include "error.h"

#define STORAGE_ROOT_DEFAULT "/var/lib/skiff/devmapper"

/* The storage root: $SKIFF_STORAGE_ROOT or /var/lib/skiff/devmapper. */
const char *storage_root(void);
/* ROOT/devices/ctr-ID.json: the record of container ID's snapshot. */
char *storage_container_record(const char *id);
/* When container ID has a snapshot, run `skiff pool release ID` (skiff beside this binary) to
 * deactivate it; bounded, like every wait. */
int storage_release_by_skiff(const char *id, struct error *err);
