/*
 * ipset.c — a set of IPv4 addresses stored as intervals. Additions are
 * appended and only sorted and merged when the set is normalized (on
 * finalize, remove or subtract), so reading a long target list costs
 * O(n log n) once rather than O(n) per line. Memory depends on the number of
 * intervals only. After finalize, a prefix-sum index gives the i-th address
 * in O(log n); adding or removing afterwards is allowed and simply clears
 * `final` until the next finalize. The interval logic is engine/ivset_impl.h,
 * instantiated here on 32-bit keys (the same code serves engine/ip6set.c on
 * 128-bit keys); counts are 64-bit, so the whole space (2^32) fits.
 */
#include "engine/ipset.h"

#define IVSET_SET     struct ipset
#define IVSET_RANGE   struct ipset_range
#define IVSET_KEY     uint32_t
#define IVSET_KEY_MAX UINT32_MAX
#define IVSET_COUNT   uint64_t
#include "engine/ivset_impl.h"

void ipset_init(struct ipset *s)
{
	memset(s, 0, sizeof(*s));
}

void ipset_free(struct ipset *s)
{
	free(s->r);
	free(s->prefix);
	ipset_init(s);
}

int ipset_add(struct ipset *s, uint32_t lo, uint32_t hi)
{
	return ivset_add(s, lo, hi);
}

int ipset_remove(struct ipset *s, uint32_t lo, uint32_t hi)
{
	return ivset_remove(s, lo, hi);
}

int ipset_subtract(struct ipset *s, const struct ipset *ex)
{
	return ivset_subtract(s, ex);
}

int ipset_finalize(struct ipset *s)
{
	return ivset_finalize(s);
}

uint64_t ipset_count(const struct ipset *s)
{
	return s->total;
}

uint32_t ipset_at(const struct ipset *s, uint64_t i)
{
	return ivset_at(s, i);
}

bool ipset_contains(const struct ipset *s, uint32_t addr)
{
	return ivset_find(s, addr) != IVSET_NONE;
}
