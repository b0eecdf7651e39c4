/*
 * csum.c — the Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624). Sums are kept unfolded in 32 bits between calls so callers can
 * precompute the constant part of a header once and add only what changes;
 * folding happens once, at the end, in csum_fold.
 */
#include "engine/csum.h"

#include <string.h>

/* Folds a wide one's-complement sum into 32 bits without changing its value
 * modulo 0xffff, so the returned sum can keep accumulating safely. */
static uint32_t fold32(uint64_t sum)
{
	while (sum >> 32)
		sum = (sum & 0xffffffffu) + (sum >> 32);
	return (uint32_t)sum;
}

uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	for (; len > 1; p += 2, len -= 2)
		acc += (uint32_t)p[0] << 8 | p[1];
	if (len)
		acc += (uint32_t)p[0] << 8;
	return fold32(acc);
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_buf(const void *buf, size_t len)
{
	uint16_t c = csum_fold(csum_add(0, buf, len));
	uint8_t be[2] = { (uint8_t)(c >> 8), (uint8_t)c };
	uint16_t wire;

	/* Return the bytes as they sit on the wire, whatever the host order. */
	memcpy(&wire, be, sizeof(wire));
	return wire;
}

uint16_t csum_update16(uint16_t check, uint16_t old_word, uint16_t new_word)
{
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
	uint32_t sum = (uint16_t)~check;

	sum += (uint16_t)~old_word;
	sum += new_word;
	return csum_fold(sum);
}

uint16_t csum_update32(uint16_t check, uint32_t old_val, uint32_t new_val)
{
	uint32_t sum = (uint16_t)~check;

	sum += (uint16_t)~(old_val >> 16);
	sum += (uint16_t)~(old_val & 0xffff);
	sum += new_val >> 16;
	sum += new_val & 0xffff;
	return csum_fold(sum);
}
