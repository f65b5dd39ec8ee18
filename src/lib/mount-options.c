#include "mount-options.h"

#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

#include "util.h"

enum kind { FLAG_SET, FLAG_CLEAR, PROPAGATION, ATTR_SET, ATTR_CLEAR, BIND, IDMAP };

static const struct option {
        const char *name;
        enum kind kind;
        unsigned long value;
} options[] = {
        { "ro", FLAG_SET, MS_RDONLY },          { "rw", FLAG_CLEAR, MS_RDONLY },
        { "nosuid", FLAG_SET, MS_NOSUID },      { "suid", FLAG_CLEAR, MS_NOSUID },
        { "nodev", FLAG_SET, MS_NODEV },        { "dev", FLAG_CLEAR, MS_NODEV },
        { "noexec", FLAG_SET, MS_NOEXEC },      { "exec", FLAG_CLEAR, MS_NOEXEC },
        { "sync", FLAG_SET, MS_SYNCHRONOUS },   { "async", FLAG_CLEAR, MS_SYNCHRONOUS },
        { "dirsync", FLAG_SET, MS_DIRSYNC },    { "remount", FLAG_SET, MS_REMOUNT },
        { "mand", FLAG_SET, MS_MANDLOCK },      { "nomand", FLAG_CLEAR, MS_MANDLOCK },
        { "atime", FLAG_CLEAR, MS_NOATIME },    { "noatime", FLAG_SET, MS_NOATIME },
        { "diratime", FLAG_CLEAR, MS_NODIRATIME }, { "nodiratime", FLAG_SET, MS_NODIRATIME },
        { "relatime", FLAG_SET, MS_RELATIME },  { "norelatime", FLAG_CLEAR, MS_RELATIME },
        { "strictatime", FLAG_SET, MS_STRICTATIME }, { "nostrictatime", FLAG_CLEAR, MS_STRICTATIME },
        { "silent", FLAG_SET, MS_SILENT },      { "loud", FLAG_CLEAR, MS_SILENT },
        { "nosymfollow", FLAG_SET, MS_NOSYMFOLLOW }, { "symfollow", FLAG_CLEAR, MS_NOSYMFOLLOW },
        { "bind", BIND, 0 },                    { "rbind", BIND, MS_REC },
        { "idmap", IDMAP, 0 },                  { "ridmap", IDMAP, 1 },
        { "private", PROPAGATION, MS_PRIVATE }, { "rprivate", PROPAGATION, MS_PRIVATE | MS_REC },
        { "shared", PROPAGATION, MS_SHARED },   { "rshared", PROPAGATION, MS_SHARED | MS_REC },
        { "slave", PROPAGATION, MS_SLAVE },     { "rslave", PROPAGATION, MS_SLAVE | MS_REC },
        { "unbindable", PROPAGATION, MS_UNBINDABLE }, { "runbindable", PROPAGATION, MS_UNBINDABLE | MS_REC },
        { "rro", ATTR_SET, MOUNT_ATTR_RDONLY }, { "rrw", ATTR_CLEAR, MOUNT_ATTR_RDONLY },
        { "rnosuid", ATTR_SET, MOUNT_ATTR_NOSUID }, { "rsuid", ATTR_CLEAR, MOUNT_ATTR_NOSUID },
        { "rnodev", ATTR_SET, MOUNT_ATTR_NODEV }, { "rdev", ATTR_CLEAR, MOUNT_ATTR_NODEV },
        { "rnoexec", ATTR_SET, MOUNT_ATTR_NOEXEC }, { "rexec", ATTR_CLEAR, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", ATTR_SET, MOUNT_ATTR_NODIRATIME }, { "rdiratime", ATTR_CLEAR, MOUNT_ATTR_NODIRATIME },
        { "rnosymfollow", ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW }, { "rsymfollow", ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
        { "rrelatime", ATTR_SET, MOUNT_ATTR_RELATIME }, { "rnorelatime", ATTR_CLEAR, MOUNT_ATTR_RELATIME },
        { "rnoatime", ATTR_SET, MOUNT_ATTR_NOATIME }, { "ratime", ATTR_CLEAR, MOUNT_ATTR_NOATIME },
        { "rstrictatime", ATTR_SET, MOUNT_ATTR_STRICTATIME }, { "rnostrictatime", ATTR_CLEAR, MOUNT_ATTR_STRICTATIME },
};

static void append_data(char **data, const char *opt)
{
        char *next = *data ? xasprintf("%s,%s", *data, opt) : xstrdup(opt);

        free(*data);
        *data = next;
}

void mount_options_parse(char *const *opts, struct mount_options *ret)
{
        struct mount_options mo = { 0 };

        for (size_t i = 0; opts && opts[i]; i++) {
                size_t k;

                for (k = 0; k < ARRAY_SIZE(options); k++)
                        if (strcmp(options[k].name, opts[i]) == 0)
                                break;
                if (k == ARRAY_SIZE(options)) {
                        /* Unknown to us: fs-specific data such as mode=755 or size=64k. */
                        append_data(&mo.data, opts[i]);
                        continue;
                }
                switch (options[k].kind) {
                case FLAG_SET: mo.flags |= options[k].value; break;
                case FLAG_CLEAR: mo.flags &= ~options[k].value; break;
                case PROPAGATION: mo.propagation = options[k].value; break;
                case ATTR_SET: mo.attr_set |= options[k].value; mo.attr_clr &= ~options[k].value; break;
                case ATTR_CLEAR: mo.attr_clr |= options[k].value; mo.attr_set &= ~options[k].value; break;
                case BIND:
                        mo.bind = true;
                        mo.recursive_bind = options[k].value != 0;
                        break;
                case IDMAP:
                        mo.idmap = true;
                        mo.recursive_idmap = options[k].value != 0;
                        break;
                }
        }
        /* The atime attributes are one field: clearing any of them means clearing the field. */
        if (mo.attr_set & (MOUNT_ATTR_RELATIME | MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME))
                mo.attr_clr |= MOUNT_ATTR__ATIME;
        *ret = mo;
}

void mount_options_clear(struct mount_options *mo)
{
        free(mo->data);
        mo->data = NULL;
}

const char *const *mount_options_known(void)
{
        static const char *names[ARRAY_SIZE(options) + 1];

        for (size_t i = 0; i < ARRAY_SIZE(options); i++)
                names[i] = options[i].name;
        return names;
}

unsigned long mount_propagation_flags(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(options); i++)
                if (options[i].kind == PROPAGATION && strcmp(options[i].name, name) == 0)
                        return options[i].value;
        return 0;
}

uint64_t mount_attrs_from_flags(unsigned long flags)
{
        uint64_t attrs = 0;

        if (flags & MS_RDONLY)
                attrs |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                attrs |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                attrs |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                attrs |= MOUNT_ATTR_NOEXEC;
        return attrs;
}
