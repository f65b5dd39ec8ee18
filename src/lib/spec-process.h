/* Parsing the config's "process" object (spec.c for the rest of config.json). */
#pragma once
#include <yajl/yajl_tree.h>

#include "error.h"
#include "json.h"
#include "spec.h"

/* proc is the "process" object; every error names the field ("process.user.uid: ..."). */
int spec_process_from_json(yajl_val proc, struct spec_process *p, struct error *err);
