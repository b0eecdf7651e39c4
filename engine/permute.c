/*
 * permute.c — a pseudo-random walk over the indexes 0..n-1 without storing
 * them. p is the smallest prime above n; the elements 1..p-1 of Z_p^* form one
 * cycle start*g^0, start*g^1, ... for a primitive root g, and element e stands
 * for index e-1 (elements whose index is >= n are skipped; prime gaps are
 * small, so few are). g and start come from a splitmix64 stream seeded by the
 * seed, so an order is reproducible anywhere. Shard i of k takes cycle
 * positions i, i+k, ...: it starts at start*g^i and steps by g^k, one modular
 * multiplication per element.
 */
#include "engine/permute.h"

#include <stdlib.h>

#define MAX_N (1ULL << 32)
#define WALK_LIMIT (1ULL << 20)  /* shard_size walks shards up to this size */

typedef unsigned __int128 u128;

/* p < 2^33 here, so the product needs 128 bits unless p < 2^32. */
static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t p)
{
	if (p <= UINT32_MAX)
		return a * b % p;
	return (uint64_t)((u128)a * b % p);
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t p)
{
	uint64_t r = 1 % p;

	b %= p;
	for (; e; e >>= 1) {
		if (e & 1)
			r = mulmod(r, b, p);
		b = mulmod(b, b, p);
	}
	return r;
}

/* Deterministic Miller-Rabin: these twelve bases decide every 64-bit n.
 * mulmod is only called with p < 2^33 here, but use the 128-bit form so
 * the test stays correct for any 64-bit input. */
static bool is_prime(uint64_t n)
{
	static const uint64_t bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };
	uint64_t d = n - 1;
	unsigned s = 0;

	if (n < 2)
		return false;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (n % bases[i] == 0)
			return n == bases[i];
	for (; (d & 1) == 0; d >>= 1)
		s++;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint64_t x = powmod(bases[i], d, n);
		unsigned r;
		if (x == 1 || x == n - 1)
			continue;
		for (r = 1; r < s; r++) {
			x = (uint64_t)((u128)x * x % n);
			if (x == n - 1)
				break;
		}
		if (r == s)
			return false;
	}
	return true;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* g generates Z_p^* iff g^((p-1)/q) != 1 for every prime q dividing p-1. */
static bool is_primitive_root(uint64_t g, uint64_t p)
{
	uint64_t m = p - 1;

	for (uint64_t q = 2; q * q <= m; q++) {
		if (m % q)
			continue;
		if (powmod(g, (p - 1) / q, p) == 1)
			return false;
		while (m % q == 0)
			m /= q;
	}
	return m == 1 || powmod(g, (p - 1) / m, p) != 1;
}

static uint64_t pick_generator(uint64_t p, uint64_t *rng)
{
	uint64_t g;

	if (p <= 3)
		return p - 1;  /* Z_2^* = {1}, Z_3^* = {1, 2} */
	do
		g = 2 + splitmix64(rng) % (p - 2);
	while (!is_primitive_root(g, p));
	return g;
}

int permute_init(struct permute *pm, uint64_t n, uint64_t seed,
		 uint32_t shards, uint32_t shard)
{
	uint64_t rng = seed, p = n + 1, start;

	if (n == 0 || n > MAX_N || shards == 0 || shard >= shards)
		return -1;
	while (!is_prime(p))
		p++;
	pm->n = n;
	pm->p = p;
	pm->g = pick_generator(p, &rng);
	start = 1 + splitmix64(&rng) % (p - 1);
	pm->shards = shards;
	pm->step = powmod(pm->g, shards, p);
	pm->first = mulmod(start, powmod(pm->g, shard, p), p);
	pm->pos = shard;
	permute_rewind(pm);
	return 0;
}

/* pos only ever grows by `shards`, so pos % shards is still the shard. */
void permute_rewind(struct permute *pm)
{
	pm->pos %= pm->shards;
	pm->cur = pm->first;
	pm->done = pm->pos >= pm->p - 1;
}

bool permute_next(struct permute *pm, uint64_t *index)
{
	while (!pm->done) {
		uint64_t idx = pm->cur - 1;
		pm->cur = mulmod(pm->cur, pm->step, pm->p);
		pm->pos += pm->shards;
		pm->done = pm->pos >= pm->p - 1;
		if (idx < pm->n) {
			*index = idx;
			return true;
		}
	}
	return false;
}

/* Cycle positions of this shard: shard, shard+k, ... below p-1. */
static uint64_t shard_positions(const struct permute *pm, uint64_t shard)
{
	uint64_t cycle = pm->p - 1;

	return shard >= cycle ? 0 : (cycle - shard + pm->shards - 1) / pm->shards;
}

static uint64_t count_by_walking(const struct permute *pm)
{
	struct permute w = *pm;
	uint64_t idx, count = 0;

	permute_rewind(&w);
	while (permute_next(&w, &idx))
		count++;
	return count;
}

/* Baby-step giant-step table: g^j -> j for j < m, open addressing keyed by
 * the element (never 0, so 0 marks an empty slot). */
struct bsgs {
	uint64_t *key;
	uint32_t *val;
	size_t mask;
	uint64_t m, giant;  /* giant = g^-m */
};

static size_t slot_of(const struct bsgs *t, uint64_t key)
{
	size_t h = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & t->mask;

	while (t->key[h] && t->key[h] != key)
		h = (h + 1) & t->mask;
	return h;
}

static int bsgs_init(struct bsgs *t, uint64_t g, uint64_t p)
{
	size_t size = 1;
	uint64_t x = 1;

	t->m = 1;
	while (t->m * t->m < p - 1)
		t->m++;
	while (size < 2 * t->m)
		size *= 2;
	t->mask = size - 1;
	t->key = calloc(size, sizeof(*t->key));
	t->val = malloc(size * sizeof(*t->val));
	if (!t->key || !t->val) {
		free(t->key);
		free(t->val);
		return -1;
	}
	for (uint64_t j = 0; j < t->m; j++, x = mulmod(x, g, p)) {
		size_t h = slot_of(t, x);
		if (!t->key[h]) {
			t->key[h] = x;
			t->val[h] = (uint32_t)j;
		}
	}
	t->giant = powmod(g, p - 1 - t->m, p);
	return 0;
}

/* The x in [0, p-1) with g^x = h. */
static uint64_t bsgs_log(const struct bsgs *t, uint64_t h, uint64_t p)
{
	for (uint64_t i = 0; i <= t->m; i++, h = mulmod(h, t->giant, p)) {
		size_t s = slot_of(t, h);
		if (t->key[s])
			return (i * t->m + t->val[s]) % (p - 1);
	}
	return 0;  /* unreachable: g generates every element */
}

/* The skipped elements n+1..p-1 are few (a prime gap), so count this
 * shard's positions and subtract those of skipped elements that fall in it.
 * Element e sits at position shard + log_g(e / first) mod (p-1). */
static uint64_t count_by_logs(const struct permute *pm, uint64_t shard)
{
	struct bsgs t;
	uint64_t count = shard_positions(pm, shard);
	uint64_t inv_first = powmod(pm->first, pm->p - 2, pm->p);

	if (bsgs_init(&t, pm->g, pm->p) < 0)
		return count_by_walking(pm);
	for (uint64_t e = pm->n + 1; e < pm->p; e++) {
		uint64_t d = bsgs_log(&t, mulmod(e, inv_first, pm->p), pm->p);
		if ((shard + d) % (pm->p - 1) % pm->shards == shard)
			count--;
	}
	free(t.key);
	free(t.val);
	return count;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The shard's walk visits step j at element first * step^j; the skipped
 * elements n+1..p-1 that fall in this shard sit at steps d / shards for
 * their d = log_g(e / first). The smallest step J with k visited elements
 * before it is k plus the skipped steps below J. */
static int seek_by_logs(struct permute *pm, uint64_t k)
{
	uint64_t shard = pm->pos % pm->shards, cycle = pm->p - 1, m = 0, j = k;
	uint64_t inv_first = powmod(pm->first, pm->p - 2, pm->p);
	uint64_t *steps = malloc((cycle - pm->n + 1) * sizeof(*steps));
	struct bsgs t;

	if (!steps)
		return -1;
	if (bsgs_init(&t, pm->g, pm->p) < 0) {
		free(steps);
		return -1;
	}
	for (uint64_t e = pm->n + 1; e < pm->p; e++) {
		uint64_t d = bsgs_log(&t, mulmod(e, inv_first, pm->p), pm->p);
		if (d % pm->shards == 0 && shard + d < cycle)
			steps[m++] = d / pm->shards;
	}
	free(t.key);
	free(t.val);
	qsort(steps, m, sizeof(*steps), cmp_u64);
	for (uint64_t i = 0; i < m && steps[i] < j; i++)
		j++;
	free(steps);
	pm->pos = shard + j * pm->shards;
	pm->cur = mulmod(pm->first, powmod(pm->step, j, pm->p), pm->p);
	pm->done = pm->pos >= cycle;
	return 0;
}

int permute_seek(struct permute *pm, uint64_t k)
{
	uint64_t idx;

	permute_rewind(pm);
	if (k >= shard_positions(pm, pm->pos)) {
		/* past the end: finished, still in this shard for a rewind */
		pm->pos += shard_positions(pm, pm->pos) * pm->shards;
		pm->done = true;
		return 0;
	}
	if (k > WALK_LIMIT)
		return seek_by_logs(pm, k);
	for (uint64_t i = 0; i < k && permute_next(pm, &idx); i++)
		;
	return 0;
}

/* Exact. shards == 1: n. Small shards: one walk, O(n / shards) steps.
 * Large shards: discrete logarithms of the (p - 1 - n) skipped elements,
 * O(sqrt(p)) time each and O(sqrt(p)) memory (about 1.5 MiB at n = 2^32);
 * well under a second even for the largest prime gaps below 2^33. */
uint64_t permute_shard_size(const struct permute *pm)
{
	uint64_t shard = pm->pos % pm->shards;

	if (pm->shards == 1)
		return pm->n;
	if (shard_positions(pm, shard) <= WALK_LIMIT)
		return count_by_walking(pm);
	return count_by_logs(pm, shard);
}
