/*
 * hosts6.h — sets of IPv6 hosts (seen up, seen unreachable) keyed by the
 * 128-bit address: a JudyL keyed by the high 64 bits whose values are Judy1
 * sets of the low 64 bits. Addresses of one prefix share one JudyL slot, so
 * a sweep of a /64 or smaller costs about what an IPv4 Judy1 set does (the
 * unit test measures bytes per host for a dense /112 and for a hitlist of
 * scattered prefixes). Same ownership as hosts.h: one owner thread (the
 * receiver) while the scan runs; insertion may allocate (Judy nodes) and a
 * failure never exits: it sets `oom` and the host is not added.
 */
#ifndef ECHOSCAN_HOSTS6_H
#define ECHOSCAN_HOSTS6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/addr.h"

struct hosts6 {
	void *up;         /* JudyL: hi64 -> Judy1 of lo64; hosts that answered */
	void *unreach;    /* the same for hosts reported unreachable */
	uint64_t n_up, n_unreach;
	bool oom;
};

void hosts6_init(struct hosts6 *h);
void hosts6_free(struct hosts6 *h);
/* Records an echo reply from a; returns true if a had answered before. */
bool hosts6_mark_up(struct hosts6 *h, const struct es_addr *a);
/* Records an unreachable report for a; returns true if already recorded. */
bool hosts6_mark_unreach(struct hosts6 *h, const struct es_addr *a);
bool hosts6_is_up(const struct hosts6 *h, const struct es_addr *a);
/* Calls fn for each host that answered, in ascending order; stops early
 * when fn returns non-zero and returns that value (0 otherwise). */
int hosts6_each_up(const struct hosts6 *h, int (*fn)(const struct es_addr *, void *),
		   void *ctx);
/* Bytes Judy holds for both sets (JudyLMemUsed + Judy1MemUsed of each). */
size_t hosts6_mem(const struct hosts6 *h);

#endif
