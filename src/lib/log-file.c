#include "log-file.h"

#include <stdio.h>

#include "util.h"

/* By hand: skiff-shim writes here too, and links no JSON library. */
static void put_json_string(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

void log_file_append(const char *path, bool json, const char *level, const char *msg)
{
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *when = NULL;

        if (!path || !(f = fopen(path, "ae")))
                return;
        when = now_rfc3339();
        if (!json) {
                fprintf(f, "%s %s %s\n", when, level, msg);
                return;
        }
        fputs("{\"level\":", f);
        put_json_string(f, level);
        fputs(",\"msg\":", f);
        put_json_string(f, msg);
        fputs(",\"time\":", f);
        put_json_string(f, when);
        fputs("}\n", f);
}
