/*
 * fuzz_ipset.c — libFuzzer harness for the address set against a bitmap
 * model. The input is a program of operations (add, remove, subtract a
 * second set, finalize, query) on 1024 addresses placed at the bottom, the
 * middle or the top of the IPv4 space (so ranges touch 0 and 2^32-1).
 * After each finalize every address's membership, the count and every
 * ipset_at are compared with the model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/ipset.h"
#include "tests/fuzz/fuzz_util.h"

#define SPAN 1024u

struct bitmap { uint8_t b[SPAN]; };

static void model_set(struct bitmap *m, uint32_t lo, uint32_t hi, uint8_t v)
{
	for (uint32_t i = lo; i <= hi; i++)
		m->b[i] = v;
}

static void check(const struct ipset *s, const struct bitmap *m, uint32_t base)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < SPAN; i++) {
		FUZZ_CHECK(ipset_contains(s, base + i) == (m->b[i] != 0),
			   "address base+%u: contained %d, model %d", i,
			   ipset_contains(s, base + i), m->b[i]);
		if (m->b[i]) {
			FUZZ_CHECK(ipset_at(s, n) == base + i, "at(%llu) = %08x, model %08x",
				   (unsigned long long)n, ipset_at(s, n), base + i);
			n++;
		}
	}
	FUZZ_CHECK(ipset_count(s) == n, "count %llu, model %llu",
		   (unsigned long long)ipset_count(s), (unsigned long long)n);
	/* nothing outside the window */
	FUZZ_CHECK(base == 0 || !ipset_contains(s, base - 1), "below the window");
	FUZZ_CHECK(base + SPAN == 0 || !ipset_contains(s, base + SPAN), "above the window");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t bases[] = { 0, 0x7ffffe00u, 0u - SPAN };
	static struct bitmap m, mx;
	struct fuzz_in in = { data, size };
	struct ipset s, x;
	uint32_t base = bases[fuzz_u8(&in) % 3];

	memset(&m, 0, sizeof(m));
	memset(&mx, 0, sizeof(mx));
	ipset_init(&s);
	ipset_init(&x);
	while (in.n > 0) {
		uint8_t op = fuzz_u8(&in) % 6;
		uint32_t a = fuzz_u16(&in) % SPAN, b = fuzz_u16(&in) % SPAN;
		uint32_t lo = a < b ? a : b, hi = a < b ? b : a;

		switch (op) {
		case 0:
			FUZZ_CHECK(ipset_add(&s, base + lo, base + hi) == 0, "add");
			model_set(&m, lo, hi, 1);
			break;
		case 1:
			FUZZ_CHECK(ipset_remove(&s, base + lo, base + hi) == 0, "remove");
			model_set(&m, lo, hi, 0);
			break;
		case 2:
			FUZZ_CHECK(ipset_add(&x, base + lo, base + hi) == 0, "add to x");
			model_set(&mx, lo, hi, 1);
			break;
		case 3:
			FUZZ_CHECK(ipset_finalize(&x) == 0 && ipset_subtract(&s, &x) == 0, "subtract");
			for (uint32_t i = 0; i < SPAN; i++)
				if (mx.b[i])
					m.b[i] = 0;
			break;
		case 4:
			FUZZ_CHECK(ipset_add(&s, base + lo, base + lo) == 0, "add one");
			m.b[lo] = 1;
			break;
		default:
			FUZZ_CHECK(ipset_finalize(&s) == 0, "finalize");
			check(&s, &m, base);
			break;
		}
	}
	FUZZ_CHECK(ipset_finalize(&s) == 0, "finalize");
	check(&s, &m, base);
	ipset_free(&s);
	ipset_free(&x);
	return 0;
}
