#include "spec-cached.h"

#include <string.h>

#include "json-locate.h"
#include "seccomp-compile.h"
#include "util.h"

int spec_parse_cached(const char *text, const char *bundle, const char *root, struct spec **ret_spec,
                      struct error *err)
{
        static const char *const path[] = { "linux", "seccomp", "syscalls" };
        _cleanup_free_ char *blanked = NULL, *raw = NULL;
        struct spec_seccomp cached = { 0 };
        struct spec_seccomp *s;
        struct json_span at[3];
        int r;

        if (json_locate(text, path, 3, at) == 3 && text[at[2].start] == '[') {
                size_t raw_len = at[1].end - at[1].start;

                if (seccomp_cache_get_raw(root, text + at[1].start, raw_len, &cached)) {
                        /* The same text with an empty list: "[   ...   ]". */
                        blanked = xstrdup(text);
                        memset(blanked + at[2].start + 1, ' ', at[2].end - at[2].start - 2);
                } else {
                        raw = xasprintf("%.*s", (int)raw_len, text + at[1].start);
                }
        }
        if ((r = spec_parse(blanked ? blanked : text, bundle, ret_spec, err)) < 0) {
                free(cached.program.filter);
                return r;
        }
        s = (*ret_spec)->linux_cfg.seccomp;
        if (blanked) {
                /* The locator found linux.seccomp as an object: the parse made the profile. */
                s->program = cached.program;
                s->uses_notify = cached.uses_notify;
                s->allows_init_tail = cached.allows_init_tail;
        } else if (s) {
                s->text = TAKE_PTR(raw);
        }
        return 0;
}
