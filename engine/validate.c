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

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

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

uint32_t validate_tag(const struct vkey *key, uint32_t daddr, uint16_t probe)
{
	uint8_t m[7];

	m[0] = 'T';
	put_be(m + 1, daddr, 4);
	put_be(m + 5, probe, 2);
	return (uint32_t)siphash24(key->k, m, sizeof(m));
}

uint64_t validate_mac(const struct vkey *key, uint32_t daddr, uint64_t ts_ns,
		      uint16_t probe)
{
	uint8_t m[15];

	m[0] = 'M';
	put_be(m + 1, daddr, 4);
	put_be(m + 5, ts_ns, 8);
	put_be(m + 13, probe, 2);
	return siphash24(key->k, m, sizeof(m));
}

bool validate_mac_equal(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

	/* x | -x has its top bit set exactly when x != 0: no data-dependent branch. */
	return (((x | (0 - x)) >> 63) ^ 1) != 0;
}
