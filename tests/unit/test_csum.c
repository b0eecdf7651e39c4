/*
 * test_csum.c — the Internet checksum against known vectors (RFC 1071),
 * odd lengths, chunked accumulation, and the RFC 1624 incremental updates
 * against a full recompute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "engine/csum.h"

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Reference: 64-bit accumulate, modulo-0xffff fold, complement. */
static uint16_t ref_check(uint64_t start, const uint8_t *b, size_t len)
{
	uint64_t sum = start;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint64_t)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
	if (sum == 0)
		return 0xffff;
	sum %= 0xffff;
	return (uint16_t)~(sum == 0 ? 0xffff : sum);
}

struct vec {
	const char *name;
	uint8_t bytes[24];
	size_t len;
	uint16_t check;   /* folded, complemented, host order */
};

static const struct vec vectors[] = {
	/* RFC 1071 section 3: sum 0xddf2, so the checksum is 0x220d. */
	{ "rfc1071", { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 }, 8, 0x220d },
	{ "empty", { 0 }, 0, 0xffff },
	{ "one byte", { 0xab }, 1, 0x54ff },                /* 0xab00 */
	{ "odd tail", { 0x00, 0x01, 0x02 }, 3, 0xfdfe },    /* 0x0001 + 0x0200 */
	{ "carry", { 0xff, 0xff, 0x00, 0x01 }, 4, 0xfffe }, /* 0x10000 -> 0x0001 */
	{ "all ones", { 0xff, 0xff, 0xff, 0xff }, 4, 0x0000 },
	/* A real IPv4 header (checksum field zero); known checksum 0xb861. */
	{ "ipv4 hdr", { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 }, 20, 0xb861 },
};

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vec *v = &vectors[i];
		uint16_t got = csum_fold(csum_add(0, v->bytes, v->len));
		if (got != v->check)
			fail_msg("%s: got 0x%04x want 0x%04x", v->name, got, v->check);
		assert_int_equal(ntohs(csum_buf(v->bytes, v->len)), v->check);
	}
	/* RFC 1071: raw sum 0x2ddf0, folded 0xddf2 before the complement. */
	assert_int_equal(csum_add(0, vectors[0].bytes, 8), 0x2ddf0);
	assert_int_equal((uint16_t)~csum_fold(csum_add(0, vectors[0].bytes, 8)), 0xddf2);
}

static void test_wire_order(void **state)
{
	(void)state;
	uint8_t hdr[20];
	memcpy(hdr, vectors[6].bytes, 20);
	uint16_t c = csum_buf(hdr, 20);
	memcpy(hdr + 10, &c, 2);
	assert_int_equal(hdr[10], 0xb8);
	assert_int_equal(hdr[11], 0x61);
	assert_int_equal(csum_buf(hdr, 20), 0);   /* verifies to zero */
}

static void test_chunked_and_large(void **state)
{
	(void)state;
	static uint8_t big[200000];
	uint64_t s = 1;

	memset(big, 0xff, sizeof(big));
	/* 100000 words of 0xffff: the sum must survive 32-bit overflow. */
	assert_int_equal(csum_fold(csum_add(0, big, sizeof(big))), 0x0000);
	for (int i = 0; i < 200; i++) {
		uint8_t buf[301];
		size_t len = 1 + rng_next(&s) % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rng_next(&s);
		size_t cut = (rng_next(&s) % (len + 1)) & ~(size_t)1;   /* even split */
		uint32_t a = csum_add(csum_add(0, buf, cut), buf + cut, len - cut);
		assert_int_equal(csum_fold(a), csum_fold(csum_add(0, buf, len)));
		/* a large start value carries through */
		assert_int_equal(csum_fold(csum_add(0xfffffff0u, buf, len)),
				 ref_check(0xfffffff0u, buf, len));
	}
}

static void test_incremental(void **state)
{
	(void)state;
	uint64_t s = 0xdeadbeef;

	for (int i = 0; i < 20000; i++) {
		uint8_t buf[64];
		size_t words = 2 + rng_next(&s) % 30;
		for (size_t j = 0; j < words * 2; j++)
			buf[j] = (uint8_t)rng_next(&s);
		buf[0] |= 0x40;   /* never all zero: the ±0 ambiguity does not arise */
		uint16_t check = csum_fold(csum_add(0, buf, words * 2));
		size_t w = 1 + rng_next(&s) % (words - 1);   /* keep word 0 non-zero */
		uint16_t old16 = (uint16_t)(buf[2 * w] << 8 | buf[2 * w + 1]);
		uint16_t new16 = (uint16_t)rng_next(&s);
		if (i % 7 == 0)
			new16 = old16 ^ 0xffff;
		buf[2 * w] = (uint8_t)(new16 >> 8);
		buf[2 * w + 1] = (uint8_t)new16;
		uint16_t full = csum_fold(csum_add(0, buf, words * 2));
		assert_int_equal(csum_update16(check, old16, new16), full);

		if (w + 1 < words) {
			check = full;
			uint32_t old32 = (uint32_t)buf[2 * w] << 24 | (uint32_t)buf[2 * w + 1] << 16 |
					 (uint32_t)buf[2 * w + 2] << 8 | buf[2 * w + 3];
			uint32_t new32 = (uint32_t)rng_next(&s);
			for (int b = 0; b < 4; b++)
				buf[2 * w + b] = (uint8_t)(new32 >> (24 - 8 * b));
			full = csum_fold(csum_add(0, buf, words * 2));
			assert_int_equal(csum_update32(check, old32, new32), full);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_wire_order),
		cmocka_unit_test(test_chunked_and_large),
		cmocka_unit_test(test_incremental),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
