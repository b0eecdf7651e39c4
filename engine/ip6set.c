/*
 * ip6set.c — IPv6 address intervals. Additions are appended and sorted and
 * merged only when the set is normalized (finalize, subtract), so reading a
 * hitlist of millions of lines costs one O(n log n) sort, and a hitlist
 * already in order costs one linear pass. The interval logic is
 * engine/ivset_impl.h (shared with engine/ipset.c), here on 128-bit keys and
 * counts: hi + 1 is never formed for the top address, and the count of the
 * whole space (2^128) wraps to 0, which `full` records.
 */
#include "engine/ip6set.h"

#define IVSET_SET     struct ip6set
#define IVSET_RANGE   struct ip6set_range
#define IVSET_KEY     es_u128
#define IVSET_KEY_MAX (~(es_u128)0)
#define IVSET_COUNT   es_u128
#include "engine/ivset_impl.h"

void ip6set_init(struct ip6set *s)
{
	memset(s, 0, sizeof(*s));
}

void ip6set_free(struct ip6set *s)
{
	free(s->r);
	free(s->prefix);
	ip6set_init(s);
}

int ip6set_add(struct ip6set *s, es_u128 lo, es_u128 hi)
{
	return ivset_add(s, lo, hi);
}

int ip6set_subtract(struct ip6set *s, const struct ip6set *ex)
{
	return ivset_subtract(s, ex);
}

int ip6set_finalize(struct ip6set *s)
{
	if (ivset_finalize(s) < 0)
		return -1;
	s->full = s->n == 1 && s->r[0].lo == 0 && s->r[0].hi == ~(es_u128)0;
	return 0;
}

uint64_t ip6set_count(const struct ip6set *s)
{
	if (s->full || s->total > UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)s->total;
}

struct es_addr ip6set_at(const struct ip6set *s, uint64_t i)
{
	return es_addr_from_u128(ivset_at(s, i));
}

bool ip6set_contains(const struct ip6set *s, const struct es_addr *a)
{
	if (a->family != ES_AF6)
		return false;
	return ivset_find(s, es_addr_to_u128(a)) != IVSET_NONE;
}

bool ip6set_index(const struct ip6set *s, const struct es_addr *a, uint64_t *rank)
{
	es_u128 v;
	size_t i;

	if (a->family != ES_AF6 || !s->final)
		return false;
	v = es_addr_to_u128(a);
	i = ivset_find(s, v);
	if (i == IVSET_NONE)
		return false;
	*rank = (uint64_t)(s->prefix[i] + (v - s->r[i].lo));
	return true;
}
