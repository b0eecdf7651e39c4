/*
 * validate.c — the stateless probe tag and payload MAC. Both are SipHash-2-4
 * of a short big-endian message under the run's random key; a one-byte
 * domain prefix ('T' for the tag, 'M' for the MAC) keeps the two outputs
 * independent even where their inputs overlap. Replies are checked by
 * recomputing, so the receiver needs no per-probe state.
 */
#include "engine/validate.h"

#include <errno.h>
#include <sys/random.h>

#include "engine/siphash.h"

int vkey_random(struct vkey *key)
{
	size_t got = 0;

	while (got < sizeof(key->k)) {
		ssize_t n = getrandom(key->k + got, sizeof(key->k) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/*
 * The messages, byte for byte (big-endian fields), are
 *   tag: 'T' daddr[4] probe[2]                 (7 bytes: one SipHash block)
 *   MAC: 'M' daddr[4] ts_ns[8] probe[2]        (15 bytes: two blocks)
 * and are fed to SipHash as the little-endian blocks siphash24() would form
 * from them (length byte on top of the last), computed straight from the
 * integers: validate_tag_ref/validate_mac_ref in the unit tests build the
 * bytes and call siphash24() to check that both agree.
 */
static inline uint64_t tag_block(uint32_t daddr, uint16_t probe)
{
	return (uint64_t)'T' | (uint64_t)__builtin_bswap32(daddr) << 8 |
	       (uint64_t)__builtin_bswap16(probe) << 40 | 7ull << 56;
}

uint32_t validate_tag(const struct vkey *key, uint32_t daddr, uint16_t probe)
{
	uint64_t k0, k1, m = tag_block(daddr, probe);

	siphash_key_words(key->k, &k0, &k1);
	return (uint32_t)siphash24_words(k0, k1, &m, 1);
}

uint64_t validate_mac(const struct vkey *key, uint32_t daddr, uint64_t ts_ns,
		      uint16_t probe)
{
	uint64_t k0, k1, tsb = __builtin_bswap64(ts_ns), m[2];

	/* block 0: 'M', daddr, the 3 high bytes of ts; block 1: the 5 low bytes
	 * of ts, probe, the length 15 */
	m[0] = (uint64_t)'M' | (uint64_t)__builtin_bswap32(daddr) << 8 |
	       (tsb & 0xffffffull) << 40;
	m[1] = tsb >> 24 | (uint64_t)__builtin_bswap16(probe) << 40 | 15ull << 56;
	siphash_key_words(key->k, &k0, &k1);
	return siphash24_words(k0, k1, m, 2);
}

void validate_stamp(const struct vkey *key, uint32_t daddr, uint64_t ts_ns,
		    uint16_t probe, uint32_t *tag, uint64_t *mac)
{
	*tag = validate_tag(key, daddr, probe);
	*mac = validate_mac(key, daddr, ts_ns, probe);
}

bool validate_mac_equal(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

	/* x | -x has its top bit set exactly when x != 0: no data-dependent branch. */
	return (((x | (0 - x)) >> 63) ^ 1) != 0;
}

/* ---- batches: 8 probes at a time in 512-bit vectors where the CPU has
 * AVX-512F (one vprolq per rotation), else one at a time. Same results as
 * validate_tag/validate_mac, lane by lane. */
typedef uint64_t u64x8 __attribute__((vector_size(64)));

#define ROTV(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND8(v0, v1, v2, v3) do {                                   \
	v0 += v1; v1 = ROTV(v1, 13); v1 ^= v0; v0 = ROTV(v0, 32);        \
	v2 += v3; v3 = ROTV(v3, 16); v3 ^= v2;                           \
	v0 += v3; v3 = ROTV(v3, 21); v3 ^= v0;                           \
	v2 += v1; v1 = ROTV(v1, 17); v1 ^= v2; v2 = ROTV(v2, 32);        \
} while (0)
/* absorb one message block m (c = 2 compression rounds) */
#define SIPBLOCK8(v0, v1, v2, v3, m) do {                                \
	v3 ^= (m);                                                       \
	SIPROUND8(v0, v1, v2, v3);                                       \
	SIPROUND8(v0, v1, v2, v3);                                       \
	v0 ^= (m);                                                       \
} while (0)
/* finalization (d = 4 rounds); the result is left in v0 */
#define SIPFINAL8(v0, v1, v2, v3) do {                                   \
	v2 ^= 0xff;                                                      \
	SIPROUND8(v0, v1, v2, v3);                                       \
	SIPROUND8(v0, v1, v2, v3);                                       \
	SIPROUND8(v0, v1, v2, v3);                                       \
	SIPROUND8(v0, v1, v2, v3);                                       \
	v0 ^= v1 ^ v2 ^ v3;                                              \
} while (0)

__attribute__((target("avx512f")))
static void stamp8_avx512(uint64_t k0, uint64_t k1, const uint32_t *daddr,
			  uint64_t ts_ns, uint16_t probe, uint32_t *tag, uint64_t *mac)
{
	const u64x8 i0 = (u64x8){ 0 } + (uint64_t)(k0 ^ 0x736f6d6570736575ULL);
	const u64x8 i1 = (u64x8){ 0 } + (uint64_t)(k1 ^ 0x646f72616e646f6dULL);
	const u64x8 i2 = (u64x8){ 0 } + (uint64_t)(k0 ^ 0x6c7967656e657261ULL);
	const u64x8 i3 = (u64x8){ 0 } + (uint64_t)(k1 ^ 0x7465646279746573ULL);
	uint64_t tsb = __builtin_bswap64(ts_ns);
	u64x8 a, mt, m0, m1, v0, v1, v2, v3;

	for (int i = 0; i < 8; i++)
		a[i] = (uint64_t)__builtin_bswap32(daddr[i]) << 8;
	/* tag: one block */
	mt = a | (uint64_t)('T' | (uint64_t)__builtin_bswap16(probe) << 40 | 7ull << 56);
	v0 = i0; v1 = i1; v2 = i2; v3 = i3;
	SIPBLOCK8(v0, v1, v2, v3, mt);
	SIPFINAL8(v0, v1, v2, v3);
	for (int i = 0; i < 8; i++)
		tag[i] = (uint32_t)v0[i];
	/* MAC: two blocks, the second the same in every lane */
	m0 = a | (uint64_t)('M' | (tsb & 0xffffffull) << 40);
	m1 = (u64x8){ 0 } + (uint64_t)(tsb >> 24 | (uint64_t)__builtin_bswap16(probe) << 40 | 15ull << 56);
	v0 = i0; v1 = i1; v2 = i2; v3 = i3;
	SIPBLOCK8(v0, v1, v2, v3, m0);
	SIPBLOCK8(v0, v1, v2, v3, m1);
	SIPFINAL8(v0, v1, v2, v3);
	for (int i = 0; i < 8; i++)
		mac[i] = v0[i];
}

bool validate_batch_simd(void)
{
	/* libgcc fills the CPU model before main: this is a load and a test */
	return __builtin_cpu_supports("avx512f");
}

void validate_stamp_batch(const struct vkey *key, const uint32_t *daddr,
			  unsigned n, uint64_t ts_ns, uint16_t probe,
			  uint32_t *tag, uint64_t *mac)
{
	unsigned i = 0;

	if (n >= 8 && validate_batch_simd()) {
		uint64_t k0, k1;

		siphash_key_words(key->k, &k0, &k1);
		for (; i + 8 <= n; i += 8)
			stamp8_avx512(k0, k1, daddr + i, ts_ns, probe, tag + i, mac + i);
	}
	for (; i < n; i++)
		validate_stamp(key, daddr[i], ts_ns, probe, &tag[i], &mac[i]);
}
