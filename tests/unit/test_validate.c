/*
 * test_validate.c — SipHash-2-4 against the reference test vectors (key
 * 00..0f, message 00..n-1 for n = 0..63), and the probe tag/MAC built on it:
 * exact message layout, sensitivity to every input, constant-time compare,
 * and the random key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/siphash.h"
#include "engine/validate.h"

/* The reference implementation's vectors.h, read as little-endian 64-bit
 * words (also reproduced with `openssl mac ... SIPHASH`). */
static const uint64_t sip_vectors[64] = {
	0x726fdb47dd0e0e31ULL,
	0x74f839c593dc67fdULL,
	0x0d6c8009d9a94f5aULL,
	0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL,
	0x18765564cd99a68dULL,
	0xcbc9466e58fee3ceULL,
	0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL,
	0x9e0082df0ba9e4b0ULL,
	0x7a5dbbc594ddb9f3ULL,
	0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL,
	0x14ea5627c0843d90ULL,
	0xf723ca908e7af2eeULL,
	0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL,
	0x699ae9f52cbe4794ULL,
	0x4bc1b3f0968dd39cULL,
	0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL,
	0xd0f2cbb02e3b67c7ULL,
	0x93536795e3a33e88ULL,
	0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL,
	0xbce192de8a85b8eaULL,
	0x17d835b85bbb15f3ULL,
	0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL,
	0xa6a2506687956571ULL,
	0xad87a3535c49ef28ULL,
	0x32d892fad841c342ULL,
	0x7127512f72f27cceULL,
	0xa7f32346f95978e3ULL,
	0x12e0b01abb051238ULL,
	0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL,
	0x027990f029623981ULL,
	0xcadcd4e59ef40c4dULL,
	0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL,
	0xad0c42d6fc585992ULL,
	0x187306c89bc215a9ULL,
	0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL,
	0xa9538f0419755787ULL,
	0xdb9acddff56ca510ULL,
	0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL,
	0xc766e62cfcadaf96ULL,
	0xee64435a9752fe72ULL,
	0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL,
	0x81b3e73d20b49b6fULL,
	0x7fa8220ba3b2eceaULL,
	0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL,
	0xea1ad565322a1a0bULL,
	0x60e61c23a3795013ULL,
	0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL,
	0x9f626da15c9625f3ULL,
	0xe51b38608ef25f57ULL,
	0x958a324ceb064572ULL,
};

static void test_siphash_vectors(void **state)
{
	(void)state;
	uint8_t key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < 64; n++) {
		uint64_t got = siphash24(key, msg, n);
		if (got != sip_vectors[n])
			fail_msg("len %zu: got 0x%016llx want 0x%016llx", n,
				 (unsigned long long)got, (unsigned long long)sip_vectors[n]);
	}
}

static void test_siphash_unaligned(void **state)
{
	(void)state;
	uint8_t key[16], buf[80];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		buf[i + 3] = (uint8_t)i;
	assert_true(siphash24(key, buf + 3, 63) == sip_vectors[63]);
	assert_true(siphash24(key, buf + 3, 15) == sip_vectors[15]);
}

static const struct vkey key_a = { { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef } };

static void test_tag_layout(void **state)
{
	(void)state;
	static const struct { uint32_t daddr; uint16_t probe; } rows[] = {
		{ 0xc0a80101, 0 }, { 0x0a000001, 1 }, { 0xffffffff, 0xffff }, { 0, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t m[7] = { 'T', (uint8_t)(rows[i].daddr >> 24), (uint8_t)(rows[i].daddr >> 16),
				 (uint8_t)(rows[i].daddr >> 8), (uint8_t)rows[i].daddr,
				 (uint8_t)(rows[i].probe >> 8), (uint8_t)rows[i].probe };
		assert_int_equal(validate_tag(&key_a, rows[i].daddr, rows[i].probe),
				 (uint32_t)siphash24(key_a.k, m, sizeof(m)));
	}
}

static void test_mac_layout(void **state)
{
	(void)state;
	uint32_t daddr = 0xc6120304;
	uint64_t ts = 0x1122334455667788ULL;
	uint8_t m[15] = { 'M', 0xc6, 0x12, 0x03, 0x04, 0x11, 0x22, 0x33, 0x44,
			  0x55, 0x66, 0x77, 0x88, 0x00, 0x02 };

	assert_true(validate_mac(&key_a, daddr, ts, 2) == siphash24(key_a.k, m, sizeof(m)));
}

static void test_inputs_matter(void **state)
{
	(void)state;
	struct vkey key_b = key_a;
	uint32_t d = 0x0a0b0c0d;
	uint64_t ts = 1700000000123456789ULL;
	uint64_t mac = validate_mac(&key_a, d, ts, 0);
	uint32_t tag = validate_tag(&key_a, d, 0);

	key_b.k[15] ^= 1;
	assert_int_not_equal(validate_tag(&key_b, d, 0), tag);
	assert_int_not_equal(validate_tag(&key_a, d + 1, 0), tag);
	assert_int_not_equal(validate_tag(&key_a, d, 1), tag);
	assert_true(validate_mac(&key_b, d, ts, 0) != mac);
	assert_true(validate_mac(&key_a, d ^ 0x80000000u, ts, 0) != mac);
	assert_true(validate_mac(&key_a, d, ts + 1, 0) != mac);
	assert_true(validate_mac(&key_a, d, ts, 1) != mac);
	/* Domain separation: tag is not the MAC's low bits. */
	assert_int_not_equal((uint32_t)mac, tag);
}

/* The integer fast paths (siphash24_words, validate_tag/mac/stamp) against
 * byte-built messages through siphash24(), over many pseudo-random inputs. */
static void test_fast_paths_match_bytes(void **state)
{
	(void)state;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t key[16], msg[64];
	uint64_t k0, k1;

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	siphash_key_words(key, &k0, &k1);
	for (size_t n = 0; n < 64; n++) {       /* the reference vectors via blocks */
		uint64_t w[8] = { 0 };
		size_t nb = n / 8 + 1;

		for (size_t i = 0; i < n; i++)
			w[i / 8] |= (uint64_t)msg[i] << (8 * (i % 8));
		w[nb - 1] |= (uint64_t)(n & 0xff) << 56;
		assert_true(siphash24_words(k0, k1, w, nb) == sip_vectors[n]);
	}
	for (int it = 0; it < 20000; it++) {
		struct vkey k;
		uint32_t daddr, tag;
		uint16_t probe;
		uint64_t ts, mac;

		for (int i = 0; i < 16; i++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			k.k[i] = (uint8_t)x;
		}
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		daddr = (uint32_t)x;
		probe = (uint16_t)(x >> 32);
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		ts = x;
		uint8_t mt[7] = { 'T', (uint8_t)(daddr >> 24), (uint8_t)(daddr >> 16),
				  (uint8_t)(daddr >> 8), (uint8_t)daddr,
				  (uint8_t)(probe >> 8), (uint8_t)probe };
		uint8_t mm[15] = { 'M', (uint8_t)(daddr >> 24), (uint8_t)(daddr >> 16),
				   (uint8_t)(daddr >> 8), (uint8_t)daddr };
		for (int i = 0; i < 8; i++)
			mm[5 + i] = (uint8_t)(ts >> (56 - 8 * i));
		mm[13] = (uint8_t)(probe >> 8);
		mm[14] = (uint8_t)probe;
		assert_int_equal(validate_tag(&k, daddr, probe),
				 (uint32_t)siphash24(k.k, mt, sizeof(mt)));
		assert_true(validate_mac(&k, daddr, ts, probe) == siphash24(k.k, mm, sizeof(mm)));
		validate_stamp(&k, daddr, ts, probe, &tag, &mac);
		assert_int_equal(tag, (uint32_t)siphash24(k.k, mt, sizeof(mt)));
		assert_true(mac == siphash24(k.k, mm, sizeof(mm)));
	}
}

static void test_mac_equal(void **state)
{
	(void)state;
	static const struct { uint64_t a, b; bool eq; } rows[] = {
		{ 0, 0, true }, { 1, 1, true }, { UINT64_MAX, UINT64_MAX, true },
		{ 0, 1, false }, { 1, 0, false }, { 0, 1ULL << 63, false },
		{ UINT64_MAX, UINT64_MAX - 1, false }, { 0x8000000000000000ULL, 0, false },
		{ 0x123456789abcdef0ULL, 0x123456789abcdef0ULL, true },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(validate_mac_equal(rows[i].a, rows[i].b), rows[i].eq);
}

static void test_vkey_random(void **state)
{
	(void)state;
	struct vkey a, b;
	static const uint8_t zero[16];

	assert_int_equal(vkey_random(&a), 0);
	assert_int_equal(vkey_random(&b), 0);
	assert_memory_not_equal(a.k, b.k, 16);
	assert_memory_not_equal(a.k, zero, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_siphash_unaligned),
		cmocka_unit_test(test_tag_layout),
		cmocka_unit_test(test_mac_layout),
		cmocka_unit_test(test_inputs_matter),
		cmocka_unit_test(test_fast_paths_match_bytes),
		cmocka_unit_test(test_mac_equal),
		cmocka_unit_test(test_vkey_random),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
