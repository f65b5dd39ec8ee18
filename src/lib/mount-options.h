/* config.json mount options → mount(2) flags, propagation, mount_setattr attributes and fs data. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct mount_options {
        unsigned long flags;            /* MS_* to set */
        unsigned long propagation;      /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE, | MS_REC */
        bool bind;                      /* bind or rbind */
        bool recursive_bind;            /* rbind */
        bool idmap;                     /* idmap or ridmap: mount-idmap.h */
        bool recursive_idmap;           /* ridmap */
        uint64_t attr_set, attr_clr;    /* recursive forms (rro, rnosuid, ...) for mount_setattr */
        char *data;                     /* what the kernel should see as fs-specific options */
};

void mount_options_parse(char *const *options, struct mount_options *ret);
void mount_options_clear(struct mount_options *mo);
/* Every option name skiff knows, NULL-terminated: `skiff features` lists them. */
const char *const *mount_options_known(void);
/* MS_* propagation flags for a rootfsPropagation value, 0 when unknown. */
unsigned long mount_propagation_flags(const char *name);
/* The mount_setattr attributes for MS_RDONLY, MS_NOSUID, MS_NODEV and MS_NOEXEC in flags. */
uint64_t mount_attrs_from_flags(unsigned long flags);
