/*
 * validate6.c — tag and MAC of an IPv6 probe. The messages, byte for byte
 * (big-endian fields), are
 *   tag: 'T' daddr[16] probe[2]              (19 bytes: three SipHash blocks)
 *   MAC: 'M' daddr[16] ts_ns[8] probe[2]     (27 bytes: four blocks)
 * fed to SipHash-2-4 as the little-endian blocks siphash24() forms from
 * them, built straight from the words (the unit test checks them against
 * siphash24() on the bytes).
 */
#include "engine/validate6.h"

#include "engine/siphash.h"

/* Little-endian load of 8 bytes (compilers make it one load on x86). */
static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The first 17 bytes of both messages (prefix byte + address) as blocks:
 * b0 = byte 0..7, b1 = 8..15, and the 17th byte (daddr[15]) left over. */
static inline void addr_blocks(uint8_t prefix, const uint8_t d[16], uint64_t *b0,
			       uint64_t *b1, uint64_t *last)
{
	*b0 = (uint64_t)prefix | le64(d) << 8;
	*b1 = le64(d) >> 56 | le64(d + 8) << 8;
	*last = d[15];
}

static inline uint32_t tag_words(uint64_t k0, uint64_t k1, const uint8_t daddr[16],
				 uint16_t probe)
{
	uint64_t m[3], last;

	addr_blocks('T', daddr, &m[0], &m[1], &last);
	/* bytes 16..18: daddr[15], probe (big-endian); length 19 on top */
	m[2] = last | (uint64_t)(probe >> 8) << 8 | (uint64_t)(probe & 0xff) << 16 |
	       19ull << 56;
	return (uint32_t)siphash24_words(k0, k1, m, 3);
}

static inline uint64_t mac_words(uint64_t k0, uint64_t k1, const uint8_t daddr[16],
				 uint64_t ts_ns, uint16_t probe)
{
	uint64_t m[4], last, tsb = __builtin_bswap64(ts_ns);

	addr_blocks('M', daddr, &m[0], &m[1], &last);
	/* bytes 16..23: daddr[15], the 7 high bytes of ts; 24..26: the low
	 * byte of ts, probe; length 27 on top */
	m[2] = last | tsb << 8;
	m[3] = tsb >> 56 | (uint64_t)(probe >> 8) << 8 | (uint64_t)(probe & 0xff) << 16 |
	       27ull << 56;
	return siphash24_words(k0, k1, m, 4);
}

uint32_t validate6_tag(const struct vkey *key, const uint8_t daddr[16], uint16_t probe)
{
	uint64_t k0, k1;

	siphash_key_words(key->k, &k0, &k1);
	return tag_words(k0, k1, daddr, probe);
}

uint64_t validate6_mac(const struct vkey *key, const uint8_t daddr[16], uint64_t ts_ns,
		       uint16_t probe)
{
	uint64_t k0, k1;

	siphash_key_words(key->k, &k0, &k1);
	return mac_words(k0, k1, daddr, ts_ns, probe);
}

void validate6_stamp(const struct vkey *key, const uint8_t daddr[16], uint64_t ts_ns,
		     uint16_t probe, uint32_t *tag, uint64_t *mac)
{
	uint64_t k0, k1;

	siphash_key_words(key->k, &k0, &k1);   /* once for both */
	*tag = tag_words(k0, k1, daddr, probe);
	*mac = mac_words(k0, k1, daddr, ts_ns, probe);
}
