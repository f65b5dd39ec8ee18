/* /dev inside the container: the default devices, linux.devices and the standard symlinks. */
#pragma once
#include "error.h"
#include "spec.h"

int devices_create(const struct spec *spec, int rootfd, struct error *err);
