/*
 * siphash.h — SipHash-2-4 (Aumasson & Bernstein), a keyed 64-bit PRF used to
 * tag probes so replies can be validated without per-probe state.
 */
#ifndef ECHOSCAN_SIPHASH_H
#define ECHOSCAN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

/* The hot-path form: the message given as its n little-endian 64-bit blocks,
 * the last one already holding the length byte (len mod 256) << 56 on top of
 * the trailing bytes, exactly as siphash24() forms them; k0/k1 are the key's
 * two little-endian halves (siphash_key_words). Same result as siphash24()
 * on the same bytes, without byte loops: for fixed-layout messages. */
static inline uint64_t siphash_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPHASH_ROUND(v0, v1, v2, v3) do {                                   \
	v0 += v1; v1 = siphash_rotl(v1, 13); v1 ^= v0; v0 = siphash_rotl(v0, 32); \
	v2 += v3; v3 = siphash_rotl(v3, 16); v3 ^= v2;                        \
	v0 += v3; v3 = siphash_rotl(v3, 21); v3 ^= v0;                        \
	v2 += v1; v1 = siphash_rotl(v1, 17); v1 ^= v2; v2 = siphash_rotl(v2, 32); \
} while (0)

static inline uint64_t siphash24_words(uint64_t k0, uint64_t k1,
				       const uint64_t *m, size_t n)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;

	for (size_t i = 0; i < n; i++) {
		v3 ^= m[i];
		SIPHASH_ROUND(v0, v1, v2, v3);
		SIPHASH_ROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The key's halves as siphash24() reads them (little-endian). */
static inline void siphash_key_words(const uint8_t key[16], uint64_t *k0, uint64_t *k1)
{
	uint64_t a = 0, b = 0;

	for (int i = 7; i >= 0; i--) {
		a = a << 8 | key[i];
		b = b << 8 | key[8 + i];
	}
	*k0 = a;
	*k1 = b;
}

#endif
