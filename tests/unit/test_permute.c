/*
 * test_permute.c — the cyclic-group walk: every index exactly once for small
 * and odd sizes, shards disjoint and complete with exact sizes, an ipset
 * union walked through ipset_at, and seeds that do and do not change the
 * order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/ipset.h"
#include "engine/permute.h"

/* Walks one shard, marking seen[]; fails on a repeat or an index >= n. */
static uint64_t walk_mark(struct permute *pm, uint8_t *seen, uint64_t n)
{
	uint64_t idx, count = 0;

	while (permute_next(pm, &idx)) {
		assert_true(idx < n);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
		count++;
	}
	assert_false(permute_next(pm, &idx));  /* stays finished */
	return count;
}

static void check_shards(uint64_t n, uint32_t k, uint64_t seed)
{
	uint8_t *seen = calloc(n, 1);
	uint64_t total = 0;

	assert_non_null(seen);
	for (uint32_t i = 0; i < k; i++) {
		struct permute pm;
		uint64_t got;
		assert_int_equal(permute_init(&pm, n, seed, k, i), 0);
		assert_true(pm.p > n);
		got = walk_mark(&pm, seen, n);
		assert_true(permute_shard_size(&pm) == got);
		total += got;
	}
	assert_true(total == n);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
}

static void test_each_index_once(void **state)
{
	static const uint64_t sizes[] = { 1, 2, 3, 4, 5, 255, 256, 1000, 65536 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (uint64_t seed = 0; seed < 3; seed++)
			check_shards(sizes[i], 1, seed * 0x1234567ULL);
}

static void test_shards(void **state)
{
	static const uint32_t ks[] = { 1, 2, 3, 4, 5, 7 };
	static const uint64_t sizes[] = { 1, 2, 1000, 65536 };

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]); j++)
			check_shards(sizes[s], ks[j], 42);
}

/* Large enough that permute_shard_size takes the discrete-log path rather
 * than walking; its answer must match a real walk. */
static void test_shard_size_large(void **state)
{
	const uint64_t n = (1ULL << 22) + 3;
	uint64_t total = 0;

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		struct permute pm;
		uint64_t idx, walked = 0, size;
		assert_int_equal(permute_init(&pm, n, 7, 3, i), 0);
		size = permute_shard_size(&pm);
		while (permute_next(&pm, &idx))
			walked++;
		assert_true(size == walked);
		assert_true(permute_shard_size(&pm) == walked);  /* after the walk too */
		total += walked;
	}
	assert_true(total == n);
}

static void test_rewind(void **state)
{
	struct permute pm;
	uint64_t a[50], idx;

	(void)state;
	assert_int_equal(permute_init(&pm, 50, 99, 3, 2), 0);
	size_t cnt = 0;
	while (permute_next(&pm, &idx))
		a[cnt++] = idx;
	permute_rewind(&pm);
	for (size_t i = 0; i < cnt; i++) {
		assert_true(permute_next(&pm, &idx));
		assert_true(idx == a[i]);
	}
	assert_false(permute_next(&pm, &idx));
	/* rewinding midway also restarts */
	permute_rewind(&pm);
	assert_true(permute_next(&pm, &idx));
	permute_rewind(&pm);
	assert_true(permute_next(&pm, &idx));
	assert_true(idx == a[0]);
}

static void order(uint64_t n, uint64_t seed, uint64_t *out)
{
	struct permute pm;
	uint64_t i = 0;

	assert_int_equal(permute_init(&pm, n, seed, 1, 0), 0);
	while (permute_next(&pm, &out[i]))
		i++;
	assert_true(i == n);
}

static void test_seeds(void **state)
{
	enum { N = 1000 };
	static uint64_t a[N], b[N], c[N];
	struct permute p1, p2;

	(void)state;
	order(N, 12345, a);
	order(N, 12345, b);
	order(N, 12346, c);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	/* the order is not the identity */
	size_t fixed = 0;
	for (uint64_t i = 0; i < N; i++)
		fixed += a[i] == i;
	assert_true(fixed < N / 10);
	/* known value: the same seed picks the same group on every machine */
	assert_int_equal(permute_init(&p1, N, 12345, 1, 0), 0);
	assert_int_equal(permute_init(&p2, N, 12345, 1, 0), 0);
	assert_int_equal(p1.p, 1009);
	assert_true(p1.g == p2.g && p1.first == p2.first);
}

/* Seeking to k must leave the walk where k calls of permute_next would:
 * both paths (walking below 2^20 steps, discrete logs above), every shard
 * of three, k at the ends, and past the end. */
static void check_seek(uint64_t n, uint32_t shards, uint32_t shard, const uint64_t *ks, size_t nk)
{
	struct permute pm, walk;
	uint32_t *seq = malloc(n * sizeof(*seq));
	uint64_t len = 0, idx;

	assert_non_null(seq);
	assert_int_equal(permute_init(&walk, n, 77, shards, shard), 0);
	while (permute_next(&walk, &idx))
		seq[len++] = (uint32_t)idx;
	assert_int_equal(permute_init(&pm, n, 77, shards, shard), 0);
	for (size_t i = 0; i < nk; i++) {
		uint64_t k = ks[i] == UINT64_MAX ? len : ks[i];
		assert_int_equal(permute_seek(&pm, k), 0);
		for (uint64_t j = k; j < k + 64 && j < len; j++) {
			assert_true(permute_next(&pm, &idx));
			if (idx != seq[j])
				fail_msg("n %llu shard %u/%u: seek(%llu) then %llu nexts gave %llu, walk %u",
					 (unsigned long long)n, shard, shards, (unsigned long long)k,
					 (unsigned long long)(j - k), (unsigned long long)idx, seq[j]);
		}
		if (k + 64 >= len)
			assert_false(permute_next(&pm, &idx));
	}
	free(seq);
}

static void test_seek(void **state)
{
	static const uint64_t small[] = { 0, 1, 2, 500, 999, 1000, 1001, UINT64_MAX, 0 };
	static const uint64_t large[] = {
		0, 1, (1ULL << 20), (1ULL << 20) + 1, (1ULL << 20) + 12345,
		1400000, 1398101, 1398102, 4194000, UINT64_MAX - 1, UINT64_MAX, 5,
	};
	const uint64_t n = (1ULL << 22) + 3;

	(void)state;
	for (uint32_t sh = 0; sh < 3; sh++)
		check_seek(1000, 3, sh, small, sizeof(small) / sizeof(small[0]));
	check_seek(1000, 1, 0, small, sizeof(small) / sizeof(small[0]));
	check_seek(n, 1, 0, large, sizeof(large) / sizeof(large[0]));
	for (uint32_t sh = 0; sh < 3; sh++)
		check_seek(n, 3, sh, large, sizeof(large) / sizeof(large[0]));
}

/* Several odd ranges with an overlap: every address of the union exactly
 * once through ipset_at, none outside. */
static void test_ipset_union(void **state)
{
	static const struct ipset_range ranges[] = {
		{ 0xC6120007, 0xC61200FE }, { 0xC6120100, 0xC612013D },
		{ 0xC6120120, 0xC6120203 }, { 0x0A000001, 0x0A000001 },
		{ 0xFFFFFF00, 0xFFFFFFFF }, { 0x00000000, 0x00000004 },
	};
	const uint32_t base = 0xC6120000;
	uint8_t seen_lo[0x300] = { 0 };
	unsigned extra = 0;
	struct ipset s;
	struct permute pm;
	uint64_t idx, n;

	(void)state;
	ipset_init(&s);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		assert_int_equal(ipset_add(&s, ranges[i].lo, ranges[i].hi), 0);
	assert_int_equal(ipset_finalize(&s), 0);
	n = ipset_count(&s);
	assert_int_equal(n, (0xFE - 7 + 1) + (0x203 - 0x100 + 1) + 1 + 256 + 5);
	assert_int_equal(permute_init(&pm, n, 2024, 1, 0), 0);
	uint8_t *seen = calloc(n, 1);
	assert_non_null(seen);
	while (permute_next(&pm, &idx)) {
		uint32_t a = ipset_at(&s, idx);
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
		if (a >= base && a < base + sizeof(seen_lo)) {
			assert_int_equal(seen_lo[a - base], 0);
			seen_lo[a - base] = 1;
		} else {
			assert_true(a == 0x0A000001 || a >= 0xFFFFFF00 || a <= 4);
			extra++;
		}
	}
	for (uint32_t off = 0; off < sizeof(seen_lo); off++) {
		bool in = (off >= 7 && off <= 0xFE) || (off >= 0x100 && off <= 0x203);
		assert_int_equal(seen_lo[off], in);
	}
	assert_int_equal(extra, 1 + 256 + 5);
	free(seen);
	ipset_free(&s);
}

struct bad_init { uint64_t n; uint32_t shards, shard; };

static void test_bad_init(void **state)
{
	static const struct bad_init bad[] = {
		{ 0, 1, 0 }, { (1ULL << 32) + 1, 1, 0 }, { 10, 0, 0 }, { 10, 3, 3 },
	};
	struct permute pm;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(permute_init(&pm, bad[i].n, 1, bad[i].shards, bad[i].shard), -1);
}

/* The whole IPv4 space: p = 2^32 + 15 needs the 128-bit multiply. Spot
 * check that the first million indexes are in range and distinct enough. */
static void test_full_space(void **state)
{
	struct permute pm;
	uint64_t idx, prev = UINT64_MAX;

	(void)state;
	assert_int_equal(permute_init(&pm, 1ULL << 32, 5, 1, 0), 0);
	assert_true(pm.p == (1ULL << 32) + 15);
	assert_true(permute_shard_size(&pm) == 1ULL << 32);
	for (int i = 0; i < 1000000; i++) {
		assert_true(permute_next(&pm, &idx));
		assert_true(idx < (1ULL << 32));
		assert_true(idx != prev);
		prev = idx;
	}
	/* 14 skipped elements spread over 4 shards: sizes sum to 2^32 exactly */
	uint64_t sum = 0;
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(permute_init(&pm, 1ULL << 32, 5, 4, i), 0);
		uint64_t size = permute_shard_size(&pm);
		assert_true(size >= (1ULL << 30) + 3 - 14 && size <= (1ULL << 30) + 4);
		sum += size;
	}
	assert_true(sum == 1ULL << 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_index_once),
		cmocka_unit_test(test_shards),
		cmocka_unit_test(test_shard_size_large),
		cmocka_unit_test(test_rewind),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_ipset_union),
		cmocka_unit_test(test_bad_init),
		cmocka_unit_test(test_full_space),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
