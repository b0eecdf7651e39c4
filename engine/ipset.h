/*
 * ipset.h — a set of IPv4 addresses kept as sorted, disjoint, non-adjacent
 * intervals, so the whole IPv4 space costs one interval, not 2^32 bits.
 *
 * Build with ipset_add()/ipset_remove() in any order, then call
 * ipset_finalize() once before ipset_count()/ipset_at(). Not thread-safe while
 * being built; after ipset_finalize() it is read-only and may be shared.
 * Addresses are host byte order.
 */
#ifndef ECHOSCAN_IPSET_H
#define ECHOSCAN_IPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipset_range { uint32_t lo, hi; };  /* inclusive */

struct ipset {
	struct ipset_range *r;   /* sorted, disjoint, merged after finalize */
	size_t n, cap;
	uint64_t *prefix;        /* prefix[i] = number of addresses before r[i] */
	uint64_t total;          /* number of addresses (up to 2^32) */
	bool final;
};

void ipset_init(struct ipset *s);
void ipset_free(struct ipset *s);
/* Returns 0, or -1 on allocation failure. lo <= hi. */
int ipset_add(struct ipset *s, uint32_t lo, uint32_t hi);
/* Removes [lo, hi] from the set. Returns 0, or -1 on allocation failure. */
int ipset_remove(struct ipset *s, uint32_t lo, uint32_t hi);
/* Subtracts every range of ex from s. */
int ipset_subtract(struct ipset *s, const struct ipset *ex);
/* Merges overlaps, builds the index. Returns 0 or -1 on allocation failure. */
int ipset_finalize(struct ipset *s);
uint64_t ipset_count(const struct ipset *s);
/* The i-th address in ascending order, i < ipset_count(). O(log n). */
uint32_t ipset_at(const struct ipset *s, uint64_t i);
bool ipset_contains(const struct ipset *s, uint32_t addr);

#endif
