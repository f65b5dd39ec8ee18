/* The config.json that `skiff spec` writes: what `runc spec` gives, with skiff's defaults. */
#pragma once

/* Allocated, pretty-printed JSON. */
char *spec_default_json(void);
