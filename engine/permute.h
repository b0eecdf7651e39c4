/*
 * permute.h — visits the indexes 0..n-1 of a target set in a pseudo-random
 * order without storing them: a walk through the multiplicative group of
 * integers modulo a prime p > n, from a seeded generator and start.
 *
 * Sharding: shard i of k visits cycle positions i, i+k, i+2k, ...; the shards
 * are disjoint and together visit every index exactly once. The same seed gives
 * the same order on every machine. A permute is owned by one thread.
 */
#ifndef ECHOSCAN_PERMUTE_H
#define ECHOSCAN_PERMUTE_H

#include <stdbool.h>
#include <stdint.h>

struct permute {
	uint64_t n;        /* set size, 1..2^32 */
	uint64_t p;        /* prime > n */
	uint64_t g;        /* generator of Z_p^* */
	uint64_t step;     /* g^shards mod p */
	uint64_t first;    /* first element of this shard */
	uint64_t cur;      /* current group element */
	uint64_t pos;      /* cycle position of cur */
	uint64_t shards;
	bool done;
};

/* Returns 0, or -1 if n == 0, n > 2^32, shards == 0 or shard >= shards. */
int permute_init(struct permute *pm, uint64_t n, uint64_t seed,
		 uint32_t shards, uint32_t shard);
/* Stores the next index (< n) and returns true, or returns false at the end. */
bool permute_next(struct permute *pm, uint64_t *index);
/* Restarts this shard's walk from its first element (same order). */
void permute_rewind(struct permute *pm);
/* Rewinds, then skips the first k indexes of this shard's walk: the next
 * permute_next returns what the (k+1)-th call after a rewind would (false
 * if k >= the shard size). Walks up to 2^20 steps; beyond that jumps with
 * discrete logarithms of the few skipped elements (as permute_shard_size),
 * O(sqrt(p)) time and memory. Returns 0, or -1 if out of memory. */
int permute_seek(struct permute *pm, uint64_t k);
/* Number of indexes this shard visits (exact; counts without walking when
 * shards == 1). */
uint64_t permute_shard_size(const struct permute *pm);

#endif
