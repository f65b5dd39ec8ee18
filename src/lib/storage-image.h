/* Images: thin devices holding an ext4 filesystem, made from a tar or a directory. */
#pragma once
#include <stdio.h>

#include "error.h"

int image_import(const char *name, const char *source, struct error *err);
/* Write the image's files as a tar to out_fd. */
int image_export(const char *name, int out_fd, struct error *err);
/* One line per image: NAME SIZE PARENT. */
int image_list(FILE *out, struct error *err);
/* Refused while a container's snapshot or another image was made from it. */
int image_remove(const char *name, struct error *err);
