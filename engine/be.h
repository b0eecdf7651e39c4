/*
 * be.h — engine-internal: big-endian (network order) reads and writes of
 * packet fields, shared by the probe builders and stampers (engine/probe.c,
 * probe6.c, trace_probe.c), the parsers (parse.c, parse6.c, arp.c, dgram.c,
 * classify.c) and icmpsock.c. The be_st* writers are for the per-probe
 * stamp path (one byte swap and one store each); be_put/be_get take any
 * width up to 8 bytes. Pure, static inline, no alignment assumed.
 */
#ifndef ECHOSCAN_BE_H
#define ECHOSCAN_BE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t be_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be_rd32(const uint8_t *p)
{
	return (uint32_t)be_rd16(p) << 16 | be_rd16(p + 2);
}

/* The n-byte (n <= 8) big-endian number at p. */
static inline uint64_t be_get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Writes the low n bytes (n <= 8) of v at p, big-endian. */
static inline void be_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline void be_st16(uint8_t *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	memcpy(p, &v, 2);
}

static inline void be_st32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static inline void be_st64(uint8_t *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

/* The unfolded one's-complement sum of v's four 16-bit words: what a
 * 64-bit field written with be_st64 adds to an Internet checksum. */
static inline uint32_t be_sum64(uint64_t v)
{
	return (uint32_t)(v >> 48) + (uint32_t)((v >> 32) & 0xffff) +
	       (uint32_t)((v >> 16) & 0xffff) + (uint32_t)(v & 0xffff);
}

#endif
