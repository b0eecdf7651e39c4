/*
 * ip6set.h — a set of IPv6 addresses kept as sorted, disjoint, non-adjacent
 * intervals of 128-bit numbers: a /64 costs one interval, and a hitlist of
 * a million scattered addresses a million intervals (32 bytes each, plus 16
 * for the index after finalize).
 *
 * The same contract as ipset.h: build with ip6set_add()/ip6set_subtract() in
 * any order, then ip6set_finalize() once before ip6set_at(). Not
 * thread-safe while being built; read-only (and shareable) afterwards.
 */
#ifndef ECHOSCAN_IP6SET_H
#define ECHOSCAN_IP6SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/addr.h"

struct ip6set_range { es_u128 lo, hi; };  /* inclusive */

struct ip6set {
	struct ip6set_range *r;  /* sorted, disjoint, merged after finalize */
	size_t n, cap;
	es_u128 *prefix;         /* prefix[i] = number of addresses before r[i] */
	es_u128 total;           /* number of addresses; 0 also when the set is
	                          * the whole space (2^128 does not fit): see
	                          * ip6set_count */
	bool full;               /* the set is all of ::/0 */
	bool final;
};

void ip6set_init(struct ip6set *s);
void ip6set_free(struct ip6set *s);
/* Returns 0, or -1 on allocation failure (or lo > hi, errno EINVAL). */
int ip6set_add(struct ip6set *s, es_u128 lo, es_u128 hi);
/* Subtracts every range of ex from s. Returns 0 or -1 (allocation). */
int ip6set_subtract(struct ip6set *s, const struct ip6set *ex);
/* Merges overlaps, builds the index. Returns 0 or -1 on allocation failure. */
int ip6set_finalize(struct ip6set *s);
/* The number of addresses, saturated at UINT64_MAX (after finalize). */
uint64_t ip6set_count(const struct ip6set *s);
/* The i-th address in ascending order, i < ip6set_count(). O(log n). */
struct es_addr ip6set_at(const struct ip6set *s, uint64_t i);
bool ip6set_contains(const struct ip6set *s, const struct es_addr *a);
/* The inverse of ip6set_at (after finalize): a's rank in the set into
 * *rank and true, or false when a is not in it. O(log n). */
bool ip6set_index(const struct ip6set *s, const struct es_addr *a, uint64_t *rank);

#endif
