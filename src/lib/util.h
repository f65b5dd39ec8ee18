/* Small helpers shared by every module: cleanup attributes, file I/O, strings. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

void freep(void *p);
void closep(int *fd);
void fclosep(FILE **f);
void strv_freep(char ***v);

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_ _cleanup_(strv_freep)

/* Hand a resource over to a new owner: the cleanup of the old variable then does nothing. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void strv_free(char **v);
size_t strv_length(char *const *v);
/* A deep copy; of NULL, an empty vector. */
char **strv_copy(char *const *v);

int read_file(const char *path, char **ret_data, size_t *ret_len, struct error *err);
int write_file(const char *path, const char *data, struct error *err);
/* write-temp + fsync + rename, so readers see the old or the new file, never half of one. */
int write_file_atomic(const char *path, const char *data, size_t len, struct error *err);
/* write-temp + rename without the fsync: for files about live processes (the state dir, pid files)
 * that mean nothing after a crash, where readers still must never see half a file. An fsync costs
 * ~0.5 ms on a disk-backed /run, several per container. */
int write_file_replace(const char *path, const char *data, size_t len, struct error *err);
int mkdir_p(const char *path, mode_t mode, struct error *err);
/* Remove a directory tree; a missing path is not an error. */
int rm_rf(const char *path, struct error *err);

int write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

bool str_to_long(const char *s, long *ret);
bool streq_ptr(const char *a, const char *b);
/* The current time as RFC 3339 in UTC, with nanoseconds. */
char *now_rfc3339(void);
