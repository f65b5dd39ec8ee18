#include "spec-resources.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

#define FIELD(...) _cleanup_free_ char *field = xasprintf(__VA_ARGS__)

/* An optional integer member no smaller than `min` (-1 where the spec lets -1 mean "no limit"). */
static int opt_value(yajl_val obj, const char *key, const char *parent, int64_t min, int64_t max,
                     struct res_value *ret, struct error *err)
{
        yajl_val v = json_member(obj, key);
        FIELD("%s.%s", parent, key);
        int64_t n;
        int r;

        if (!v || YAJL_IS_NULL(v))
                return 0;
        if ((r = json_to_int64(v, field, &n, err)) < 0)
                return r;
        if (n < min)
                return min == -1 ? error_set(err, EINVAL, "%s: %lld is negative (-1 means no limit)", field, (long long)n)
                                 : error_set(err, EINVAL, "%s: %lld is below %lld", field, (long long)n, (long long)min);
        if (n > max)
                return error_set(err, EINVAL, "%s: %lld is above %lld", field, (long long)n, (long long)max);
        ret->set = true;
        ret->v = n;
        return 0;
}

static int opt_flag(yajl_val obj, const char *key, const char *parent, bool *ret_has, bool *ret, struct error *err)
{
        yajl_val v = json_member(obj, key);
        FIELD("%s.%s", parent, key);

        if (!v || YAJL_IS_NULL(v))
                return 0;
        *ret_has = true;
        return json_to_bool(v, field, ret, err);
}

bool spec_resources_list_valid(const char *list)
{
        const char *p = list;

        if (!*p)
                return true;
        for (;;) {
                char *end;
                unsigned long lo = strtoul(p, &end, 10), hi;

                if (end == p || !isdigit((unsigned char)*p))
                        return false;
                p = end;
                if (*p == '-') {
                        p++;
                        if (!isdigit((unsigned char)*p))
                                return false;
                        hi = strtoul(p, &end, 10);
                        if (hi < lo)
                                return false;
                        p = end;
                }
                if (*p == '\0' || *p == '\n')
                        return p[0] == '\0' || p[1] == '\0';
                if (*p++ != ',')
                        return false;
        }
}

static int parse_memory(yajl_val o, const char *parent, struct res_memory *m, struct error *err)
{
        int r;

        if ((r = json_to_object(o, parent, err)) < 0 ||
            (r = opt_value(o, "limit", parent, -1, INT64_MAX, &m->limit, err)) < 0 ||
            (r = opt_value(o, "reservation", parent, -1, INT64_MAX, &m->reservation, err)) < 0 ||
            (r = opt_value(o, "swap", parent, -1, INT64_MAX, &m->swap, err)) < 0 ||
            (r = opt_value(o, "kernel", parent, -1, INT64_MAX, &m->kernel, err)) < 0 ||
            (r = opt_value(o, "kernelTCP", parent, -1, INT64_MAX, &m->kernel_tcp, err)) < 0 ||
            (r = opt_value(o, "swappiness", parent, 0, 100, &m->swappiness, err)) < 0 ||
            (r = opt_flag(o, "disableOOMKiller", parent, &m->has_disable_oom_killer, &m->disable_oom_killer, err)) < 0 ||
            (r = opt_flag(o, "useHierarchy", parent, &m->has_use_hierarchy, &m->use_hierarchy, err)) < 0)
                return r;
        {
                bool has = false;
                if ((r = opt_flag(o, "checkBeforeUpdate", parent, &has, &m->check_before_update, err)) < 0)
                        return r;
        }
        /* memory.swap is memory+swap (v1's memsw): it cannot be below the limit. */
        if (m->limit.set && m->swap.set && m->limit.v > 0 && m->swap.v > 0 && m->swap.v < m->limit.v)
                return error_set(err, EINVAL, "%s.swap: %lld is below the limit %lld (swap counts memory plus swap)",
                                 parent, (long long)m->swap.v, (long long)m->limit.v);
        return 0;
}

static int opt_list(yajl_val o, const char *key, const char *parent, char **ret, struct error *err)
{
        yajl_val v = json_member(o, key);
        FIELD("%s.%s", parent, key);
        int r;

        if (!v || YAJL_IS_NULL(v))
                return 0;
        if ((r = json_to_string(v, field, ret, err)) < 0)
                return r;
        if (!spec_resources_list_valid(*ret))
                return error_set(err, EINVAL, "%s: \"%s\" is not a list like \"0-2,4\"", field, *ret);
        return 0;
}

static int parse_cpu(yajl_val o, const char *parent, struct res_cpu *c, struct error *err)
{
        int r;

        if ((r = json_to_object(o, parent, err)) < 0 ||
            (r = opt_value(o, "shares", parent, 0, 262144, &c->shares, err)) < 0 ||
            (r = opt_value(o, "quota", parent, -1, INT64_MAX, &c->quota, err)) < 0 ||
            (r = opt_value(o, "burst", parent, 0, INT64_MAX, &c->burst, err)) < 0 ||
            (r = opt_value(o, "period", parent, 0, 1000000, &c->period, err)) < 0 ||
            (r = opt_value(o, "realtimeRuntime", parent, -1, INT64_MAX, &c->realtime_runtime, err)) < 0 ||
            (r = opt_value(o, "realtimePeriod", parent, 0, INT64_MAX, &c->realtime_period, err)) < 0 ||
            (r = opt_value(o, "idle", parent, 0, 1, &c->idle, err)) < 0 ||
            (r = opt_list(o, "cpus", parent, &c->cpus, err)) < 0 || (r = opt_list(o, "mems", parent, &c->mems, err)) < 0)
                return r;
        /* The kernel refuses a period under 1 ms; say so here rather than after the cgroup exists. */
        if (c->period.set && c->period.v != 0 && c->period.v < 1000)
                return error_set(err, EINVAL, "%s.period: %lld is below 1000 (µs)", parent, (long long)c->period.v);
        if (c->quota.set && c->quota.v >= 0 && c->quota.v < 1000)
                return error_set(err, EINVAL, "%s.quota: %lld is below 1000 (µs)", parent, (long long)c->quota.v);
        return 0;
}

static int parse_major_minor(yajl_val item, const char *field, int64_t *major, int64_t *minor, struct error *err)
{
        struct res_value ma = { 0 }, mi = { 0 };
        int r;

        if ((r = opt_value(item, "major", field, 0, UINT32_MAX, &ma, err)) < 0 ||
            (r = opt_value(item, "minor", field, 0, UINT32_MAX, &mi, err)) < 0)
                return r;
        if (!ma.set || !mi.set)
                return error_set(err, EINVAL, "%s: needs major and minor", field);
        *major = ma.v;
        *minor = mi.v;
        return 0;
}

static int parse_block_io(yajl_val o, const char *parent, struct res_block_io *b, struct error *err)
{
        static const char *const throttle_keys[THROTTLE_COUNT] = {
                [THROTTLE_READ_BPS] = "throttleReadBpsDevice", [THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
                [THROTTLE_READ_IOPS] = "throttleReadIOPSDevice", [THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
        };
        yajl_val v;
        size_t len;
        int r;

        if ((r = json_to_object(o, parent, err)) < 0 ||
            (r = opt_value(o, "weight", parent, 10, 1000, &b->weight, err)) < 0 ||
            (r = opt_value(o, "leafWeight", parent, 10, 1000, &b->leaf_weight, err)) < 0)
                return r;
        if ((v = json_member(o, "weightDevice")) && !YAJL_IS_NULL(v)) {
                FIELD("%s.weightDevice", parent);
                if ((r = json_to_array(v, field, &len, err)) < 0)
                        return r;
                b->weight_devices = xcalloc(len ? len : 1, sizeof(*b->weight_devices));
                for (size_t i = 0; i < len; i++) {
                        struct res_weight_device *d = &b->weight_devices[b->n_weight_devices++];
                        _cleanup_free_ char *f = xasprintf("%s[%zu]", field, i);
                        yajl_val item = v->u.array.values[i];

                        if ((r = json_to_object(item, f, err)) < 0 ||
                            (r = parse_major_minor(item, f, &d->major, &d->minor, err)) < 0 ||
                            (r = opt_value(item, "weight", f, 10, 1000, &d->weight, err)) < 0 ||
                            (r = opt_value(item, "leafWeight", f, 10, 1000, &d->leaf_weight, err)) < 0)
                                return r;
                }
        }
        for (int t = 0; t < THROTTLE_COUNT; t++) {
                if (!(v = json_member(o, throttle_keys[t])) || YAJL_IS_NULL(v))
                        continue;
                FIELD("%s.%s", parent, throttle_keys[t]);
                if ((r = json_to_array(v, field, &len, err)) < 0)
                        return r;
                b->throttle[t] = xcalloc(len ? len : 1, sizeof(*b->throttle[t]));
                for (size_t i = 0; i < len; i++) {
                        struct res_throttle_device *d = &b->throttle[t][b->n_throttle[t]++];
                        _cleanup_free_ char *f = xasprintf("%s[%zu]", field, i);
                        yajl_val item = v->u.array.values[i];
                        struct res_value rate = { 0 };

                        if ((r = json_to_object(item, f, err)) < 0 ||
                            (r = parse_major_minor(item, f, &d->major, &d->minor, err)) < 0 ||
                            (r = opt_value(item, "rate", f, 0, INT64_MAX, &rate, err)) < 0)
                                return r;
                        if (!rate.set)
                                return error_set(err, EINVAL, "%s.rate: missing", f);
                        d->rate = (uint64_t)rate.v;
                }
        }
        return 0;
}

static int parse_device_rule(yajl_val item, const char *f, struct res_device_rule *d, struct error *err)
{
        _cleanup_free_ char *type = NULL, *access = NULL;
        struct res_value ma = { 0 }, mi = { 0 };
        int r;

        if ((r = json_to_object(item, f, err)) < 0)
                return r;
        {
                yajl_val a = json_member(item, "allow");
                _cleanup_free_ char *af = xasprintf("%s.allow", f);
                if (!a)
                        return error_set(err, EINVAL, "%s: missing", af);
                if ((r = json_to_bool(a, af, &d->allow, err)) < 0)
                        return r;
        }
        {
                yajl_val t = json_member(item, "type"), acc = json_member(item, "access");
                _cleanup_free_ char *tf = xasprintf("%s.type", f), *accf = xasprintf("%s.access", f);
                if ((t && !YAJL_IS_NULL(t) && (r = json_to_string(t, tf, &type, err)) < 0) ||
                    (acc && !YAJL_IS_NULL(acc) && (r = json_to_string(acc, accf, &access, err)) < 0))
                        return r;
                if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
                        return error_set(err, EINVAL, "%s: \"%s\" is not a, c or b", tf, type);
                if (access && (!*access || strlen(access) > 3 || strspn(access, "rwm") != strlen(access)))
                        return error_set(err, EINVAL, "%s: \"%s\" is not made of r, w and m", accf, access);
        }
        if ((r = opt_value(item, "major", f, -1, UINT32_MAX, &ma, err)) < 0 ||
            (r = opt_value(item, "minor", f, -1, UINT32_MAX, &mi, err)) < 0)
                return r;
        d->type = type ? type[0] : 'a';
        d->major = ma.set ? ma.v : -1;
        d->minor = mi.set ? mi.v : -1;
        snprintf(d->access, sizeof(d->access), "%s", access ? access : "rwm");
        return 0;
}

static int parse_devices(yajl_val v, const char *parent, struct spec_resources *res, struct error *err)
{
        FIELD("%s.devices", parent);
        size_t len;
        int r;

        if ((r = json_to_array(v, field, &len, err)) < 0)
                return r;
        res->has_devices = true;
        res->devices = xcalloc(len ? len : 1, sizeof(*res->devices));
        for (size_t i = 0; i < len; i++) {
                _cleanup_free_ char *f = xasprintf("%s[%zu]", field, i);
                if ((r = parse_device_rule(v->u.array.values[i], f, &res->devices[res->n_devices++], err)) < 0)
                        return r;
        }
        return 0;
}

static int parse_hugepages(yajl_val v, const char *parent, struct spec_resources *res, struct error *err)
{
        FIELD("%s.hugepageLimits", parent);
        size_t len;
        int r;

        if ((r = json_to_array(v, field, &len, err)) < 0)
                return r;
        res->hugepages = xcalloc(len ? len : 1, sizeof(*res->hugepages));
        for (size_t i = 0; i < len; i++) {
                struct res_hugepage_limit *h = &res->hugepages[res->n_hugepages++];
                _cleanup_free_ char *f = xasprintf("%s[%zu]", field, i), *pf = xasprintf("%s.pageSize", f);
                yajl_val item = v->u.array.values[i], ps;
                struct res_value limit = { 0 };

                if ((r = json_to_object(item, f, err)) < 0)
                        return r;
                if (!(ps = json_member(item, "pageSize")))
                        return error_set(err, EINVAL, "%s: missing", pf);
                if ((r = json_to_string(ps, pf, &h->page_size, err)) < 0 ||
                    (r = opt_value(item, "limit", f, 0, INT64_MAX, &limit, err)) < 0)
                        return r;
                if (!limit.set)
                        return error_set(err, EINVAL, "%s.limit: missing", f);
                if (!isdigit((unsigned char)h->page_size[0]) || strspn(h->page_size, "0123456789KMGB") != strlen(h->page_size))
                        return error_set(err, EINVAL, "%s: \"%s\" is not a size like 2MB", pf, h->page_size);
                h->limit = (uint64_t)limit.v;
        }
        return 0;
}

static int parse_network(yajl_val o, const char *parent, struct spec_resources *res, struct error *err)
{
        FIELD("%s.network", parent);
        yajl_val v;
        size_t len;
        int r;

        if ((r = json_to_object(o, field, err)) < 0 ||
            (r = opt_value(o, "classID", field, 0, UINT32_MAX, &res->net_class_id, err)) < 0)
                return r;
        if (!(v = json_member(o, "priorities")) || YAJL_IS_NULL(v))
                return 0;
        {
                _cleanup_free_ char *pf = xasprintf("%s.priorities", field);
                if ((r = json_to_array(v, pf, &len, err)) < 0)
                        return r;
                res->net_priorities = xcalloc(len ? len : 1, sizeof(*res->net_priorities));
                for (size_t i = 0; i < len; i++) {
                        struct res_net_priority *p = &res->net_priorities[res->n_net_priorities++];
                        _cleanup_free_ char *f = xasprintf("%s[%zu]", pf, i), *nf = xasprintf("%s.name", f);
                        yajl_val item = v->u.array.values[i], name;
                        struct res_value prio = { 0 };

                        if ((r = json_to_object(item, f, err)) < 0)
                                return r;
                        if (!(name = json_member(item, "name")))
                                return error_set(err, EINVAL, "%s: missing", nf);
                        if ((r = json_to_string(name, nf, &p->name, err)) < 0 ||
                            (r = opt_value(item, "priority", f, 0, UINT32_MAX, &prio, err)) < 0)
                                return r;
                        p->priority = (uint32_t)prio.v;
                }
        }
        return 0;
}

static int parse_rdma(yajl_val o, const char *parent, struct spec_resources *res, struct error *err)
{
        FIELD("%s.rdma", parent);
        int r;

        if ((r = json_to_object(o, field, err)) < 0)
                return r;
        res->rdma = xcalloc(o->u.object.len ? o->u.object.len : 1, sizeof(*res->rdma));
        for (size_t i = 0; i < o->u.object.len; i++) {
                struct res_rdma *d = &res->rdma[res->n_rdma++];
                _cleanup_free_ char *f = xasprintf("%s.%s", field, o->u.object.keys[i]);

                d->device = xstrdup(o->u.object.keys[i]);
                if ((r = json_to_object(o->u.object.values[i], f, err)) < 0 ||
                    (r = opt_value(o->u.object.values[i], "hcaHandles", f, 0, UINT32_MAX, &d->hca_handles, err)) < 0 ||
                    (r = opt_value(o->u.object.values[i], "hcaObjects", f, 0, UINT32_MAX, &d->hca_objects, err)) < 0)
                        return r;
        }
        return 0;
}

static int parse_unified(yajl_val v, const char *parent, struct spec_resources *res, struct error *err)
{
        FIELD("%s.unified", parent);
        int r;

        if ((r = json_to_string_map(v, field, &res->unified, err)) < 0)
                return r;
        /* A key is a file name in the container's cgroup: never a path that leaves it. */
        for (size_t i = 0; res->unified[i]; i += 2) {
                const char *k = res->unified[i];
                if (!*k || strchr(k, '/') || k[0] == '.' || !strchr(k, '.'))
                        return error_set(err, EINVAL, "%s: \"%s\" is not a cgroup file name", field, k);
        }
        return 0;
}

int spec_resources_parse(yajl_val v, const char *field, struct spec_resources *ret, struct error *err)
{
        struct spec_resources res = { 0 };
        yajl_val m;
        int r;

        if ((r = json_to_object(v, field, err)) < 0)
                return r;
        res.present = true;
#define SUB(key) _cleanup_free_ char *f_##key = xasprintf("%s.%s", field, #key)
        SUB(memory);
        SUB(cpu);
        SUB(blockIO);
        SUB(pids);
#undef SUB
        if ((m = json_member(v, "memory")) && !YAJL_IS_NULL(m) &&
            (res.has_memory = true, r = parse_memory(m, f_memory, &res.memory, err)) < 0)
                goto fail;
        if ((m = json_member(v, "cpu")) && !YAJL_IS_NULL(m) && (res.has_cpu = true, r = parse_cpu(m, f_cpu, &res.cpu, err)) < 0)
                goto fail;
        if ((m = json_member(v, "blockIO")) && !YAJL_IS_NULL(m) &&
            (res.has_block_io = true, r = parse_block_io(m, f_blockIO, &res.block_io, err)) < 0)
                goto fail;
        if ((m = json_member(v, "pids")) && !YAJL_IS_NULL(m)) {
                if ((r = json_to_object(m, f_pids, err)) < 0 ||
                    (r = opt_value(m, "limit", f_pids, -1, INT64_MAX, &res.pids_limit, err)) < 0)
                        goto fail;
        }
        if (((m = json_member(v, "devices")) && !YAJL_IS_NULL(m) && (r = parse_devices(m, field, &res, err)) < 0) ||
            ((m = json_member(v, "hugepageLimits")) && !YAJL_IS_NULL(m) && (r = parse_hugepages(m, field, &res, err)) < 0) ||
            ((m = json_member(v, "network")) && !YAJL_IS_NULL(m) && (r = parse_network(m, field, &res, err)) < 0) ||
            ((m = json_member(v, "rdma")) && !YAJL_IS_NULL(m) && (r = parse_rdma(m, field, &res, err)) < 0) ||
            ((m = json_member(v, "unified")) && !YAJL_IS_NULL(m) && (r = parse_unified(m, field, &res, err)) < 0))
                goto fail;
        spec_resources_clear(ret);
        *ret = res;
        return 0;
fail:
        spec_resources_clear(&res);
        return r;
}

void spec_resources_clear(struct spec_resources *res)
{
        free(res->cpu.cpus);
        free(res->cpu.mems);
        free(res->block_io.weight_devices);
        for (int t = 0; t < THROTTLE_COUNT; t++)
                free(res->block_io.throttle[t]);
        free(res->devices);
        for (size_t i = 0; i < res->n_hugepages; i++)
                free(res->hugepages[i].page_size);
        free(res->hugepages);
        for (size_t i = 0; i < res->n_net_priorities; i++)
                free(res->net_priorities[i].name);
        free(res->net_priorities);
        for (size_t i = 0; i < res->n_rdma; i++)
                free(res->rdma[i].device);
        free(res->rdma);
        strv_free(res->unified);
        memset(res, 0, sizeof(*res));
}
