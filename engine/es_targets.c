/*
 * es_targets.c — level 2 of the public API: target sets (es_targets, over
 * the engine's IPv4 and IPv6 interval sets) and the scan's order
 * (es_order, over the permutation), so a program can list, count or
 * replay what a scan probes without engine headers. The index space is the
 * scan's: IPv4 addresses first, ascending, then IPv6 ones.
 *
 * Threads: a set is built by one thread and read by many once sealed; an
 * order belongs to one thread.
 */
#include "engine/es_api.h"

#include <stdlib.h>
#include <string.h>

#include "engine/addr.h"
#include "engine/ip6set.h"
#include "engine/ipset.h"
#include "engine/permute.h"

struct es_targets {
	struct ipset v4;
	struct ip6set v6;
	bool sealed;
};

struct es_order {
	struct permute pm;
};

int es_targets_new(es_targets **out)
{
	es_targets *t;

	if (!out)
		return ES_EINVAL;
	*out = t = calloc(1, sizeof(*t));
	if (!t)
		return ES_ENOMEM;
	ipset_init(&t->v4);
	ip6set_init(&t->v6);
	return ES_OK;
}

void es_targets_free(es_targets **tp)
{
	if (!tp || !*tp)
		return;
	ipset_free(&(*tp)->v4);
	ip6set_free(&(*tp)->v6);
	free(*tp);
	*tp = NULL;
}

/* lo..hi as IPv4 numbers (family 4) or IPv6 ones (family 6): 4 or 6, or 0
 * when the pair is not a range. */
static int range_of(const struct es_addr *lo, const struct es_addr *hi, uint32_t *lo4,
		    uint32_t *hi4, es_u128 *lo6, es_u128 *hi6)
{
	if (!lo || !hi || lo->family != hi->family)
		return 0;
	if (lo->family == 4) {
		*lo4 = es_addr_get_v4(lo);
		*hi4 = es_addr_get_v4(hi);
		return *lo4 <= *hi4 ? 4 : 0;
	}
	if (lo->family == 6) {
		*lo6 = es_addr_to_u128(lo);
		*hi6 = es_addr_to_u128(hi);
		return *lo6 <= *hi6 ? 6 : 0;
	}
	return 0;
}

int es_targets_add_range(es_targets *t, const struct es_addr *lo, const struct es_addr *hi)
{
	uint32_t lo4 = 0, hi4 = 0;
	es_u128 lo6 = 0, hi6 = 0;
	int fam;

	if (!t || !(fam = range_of(lo, hi, &lo4, &hi4, &lo6, &hi6)))
		return ES_EINVAL;
	t->sealed = false;
	if (fam == 4)
		return ipset_add(&t->v4, lo4, hi4) < 0 ? ES_ENOMEM : ES_OK;
	return ip6set_add(&t->v6, lo6, hi6) < 0 ? ES_ENOMEM : ES_OK;
}

int es_targets_remove_range(es_targets *t, const struct es_addr *lo, const struct es_addr *hi)
{
	uint32_t lo4 = 0, hi4 = 0;
	es_u128 lo6 = 0, hi6 = 0;
	struct ip6set ex;
	int fam, rc;

	if (!t || !(fam = range_of(lo, hi, &lo4, &hi4, &lo6, &hi6)))
		return ES_EINVAL;
	t->sealed = false;
	if (fam == 4)
		return ipset_remove(&t->v4, lo4, hi4) < 0 ? ES_ENOMEM : ES_OK;
	ip6set_init(&ex);
	rc = ip6set_add(&ex, lo6, hi6) < 0 || ip6set_subtract(&t->v6, &ex) < 0 ? ES_ENOMEM : ES_OK;
	ip6set_free(&ex);
	return rc;
}

int es_targets_subtract(es_targets *t, const es_targets *ex)
{
	if (!t || !ex)
		return ES_EINVAL;
	t->sealed = false;
	if (ipset_subtract(&t->v4, &ex->v4) < 0 || ip6set_subtract(&t->v6, &ex->v6) < 0)
		return ES_ENOMEM;
	return ES_OK;
}

int es_targets_seal(es_targets *t)
{
	if (!t)
		return ES_EINVAL;
	if (ipset_finalize(&t->v4) < 0 || ip6set_finalize(&t->v6) < 0)
		return ES_ENOMEM;
	t->sealed = true;
	return ES_OK;
}

uint64_t es_targets_count4(const es_targets *t)
{
	return t && t->sealed ? ipset_count(&t->v4) : 0;
}

uint64_t es_targets_count6(const es_targets *t)
{
	return t && t->sealed ? ip6set_count(&t->v6) : 0;
}

uint64_t es_targets_count(const es_targets *t)
{
	uint64_t n4 = es_targets_count4(t), n6 = es_targets_count6(t);

	return n6 > UINT64_MAX - n4 ? UINT64_MAX : n4 + n6;
}

int es_targets_at(const es_targets *t, uint64_t index, struct es_addr *out)
{
	uint64_t n4 = es_targets_count4(t);

	if (!out || index >= es_targets_count(t))
		return ES_EINVAL;
	*out = index < n4 ? es_addr_v4(ipset_at(&t->v4, index)) : ip6set_at(&t->v6, index - n4);
	return ES_OK;
}

size_t es_targets_nranges(const es_targets *t)
{
	return t && t->sealed ? t->v4.n + t->v6.n : 0;
}

int es_targets_range(const es_targets *t, size_t i, struct es_addr *lo, struct es_addr *hi)
{
	if (!lo || !hi || i >= es_targets_nranges(t))
		return ES_EINVAL;
	if (i < t->v4.n) {
		*lo = es_addr_v4(t->v4.r[i].lo);
		*hi = es_addr_v4(t->v4.r[i].hi);
	} else {
		*lo = es_addr_from_u128(t->v6.r[i - t->v4.n].lo);
		*hi = es_addr_from_u128(t->v6.r[i - t->v4.n].hi);
	}
	return ES_OK;
}

const struct ipset *es_targets_v4(const es_targets *t)
{
	return &t->v4;
}

const struct ip6set *es_targets_v6(const es_targets *t)
{
	return &t->v6;
}

bool es_targets_sealed(const es_targets *t)
{
	return t->sealed;
}

/* ---- the order ------------------------------------------------------- */

int es_order_new(es_order **out, uint64_t n, uint64_t seed, unsigned shards, unsigned shard)
{
	es_order *o;

	if (!out)
		return ES_EINVAL;
	*out = NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return ES_ENOMEM;
	if (permute_init(&o->pm, n, seed, shards, shard) < 0) {
		free(o);
		return ES_EINVAL;
	}
	*out = o;
	return ES_OK;
}

void es_order_free(es_order **o)
{
	if (!o || !*o)
		return;
	free(*o);
	*o = NULL;
}

int es_order_next(es_order *o, uint64_t *index)
{
	return o && index && permute_next(&o->pm, index) ? 1 : 0;
}

void es_order_rewind(es_order *o)
{
	if (o)
		permute_rewind(&o->pm);
}

uint64_t es_order_size(const es_order *o)
{
	return o ? permute_shard_size(&o->pm) : 0;
}
