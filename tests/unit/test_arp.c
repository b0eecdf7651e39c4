/*
 * test_arp.c — the ARP request: the template's layout field by field, and
 * stamped frames (single, batch, restamped) byte-identical to a full libnet
 * build for thousands of random MACs and addresses. The reply parser: a
 * table of well-formed, foreign and malformed frames on every link type,
 * and every truncation of every valid reply (each parsed from an exact-size
 * heap copy so the sanitizer catches overreads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/arp.h"

#define OUR_ADDR  0xc6120501u   /* 198.18.5.1 */
#define TARGET    0xc6120542u   /* 198.18.5.66 */

static const uint8_t our_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t host_mac[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0x01 };

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic so a failure reproduces. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

static void test_template_layout(void **state)
{
	(void)state;
	struct arp_template t;
	char err[256] = "";
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6] = { 0 };

	assert_int_equal(arp_template_build(&t, our_mac, OUR_ADDR, err, sizeof(err)), 0);
	assert_int_equal(t.len, 42);
	assert_memory_equal(t.frame, bcast, 6);
	assert_memory_equal(t.frame + 6, our_mac, 6);
	assert_int_equal(be16(t.frame + 12), 0x0806);
	const uint8_t *a = t.frame + 14;
	assert_int_equal(be16(a), 1);           /* Ethernet */
	assert_int_equal(be16(a + 2), 0x0800);  /* IPv4 */
	assert_int_equal(a[4], 6);
	assert_int_equal(a[5], 4);
	assert_int_equal(be16(a + 6), 1);       /* request */
	assert_memory_equal(a + 8, our_mac, 6);
	assert_int_equal(be32(a + 14), OUR_ADDR);
	assert_memory_equal(a + 18, zero, 6);
	assert_int_equal(be32(a + 24), 0);      /* tpa: stamped */
	assert_int_equal(ARP_OFF_TPA, 14 + 24);

	uint8_t out[ARP_FRAME_LEN];
	arp_stamp(&t, TARGET, out);
	assert_int_equal(be32(out + ARP_OFF_TPA), TARGET);
	assert_memory_equal(out, t.frame, ARP_OFF_TPA);
}

static void assert_matches_full(const struct arp_template *t, const uint8_t *mac,
				uint32_t saddr, uint32_t tpa, const uint8_t *stamped)
{
	uint8_t full[ARP_FRAME_LEN + 8];
	size_t len = 0;
	char err[256] = "";

	assert_int_equal(arp_build_full(mac, saddr, tpa, full, &len, err, sizeof(err)), 0);
	assert_int_equal(len, t->len);
	assert_memory_equal(stamped, full, len);
}

static void test_stamp_equals_libnet(void **state)
{
	(void)state;
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (int round = 0; round < 200; round++) {
		uint8_t mac[6];
		uint64_t r = rng_next(&s);
		uint32_t saddr = (uint32_t)rng_next(&s);
		struct arp_template t;
		char err[256] = "";

		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)(r >> (8 * i));
		assert_int_equal(arp_template_build(&t, mac, saddr, err, sizeof(err)), 0);
		/* Edge addresses, then random ones. */
		uint32_t tpa[16] = { 0, 0xffffffffu, saddr, 1, 0x80000000u };
		for (int i = 5; i < 16; i++)
			tpa[i] = (uint32_t)rng_next(&s);
		for (int i = 0; i < 16; i++) {
			uint8_t out[ARP_FRAME_LEN];

			memset(out, 0xee, sizeof(out));
			arp_stamp(&t, tpa[i], out);
			assert_matches_full(&t, mac, saddr, tpa[i], out);
		}
		/* Batch: the same bytes as single stamps. */
		uint8_t buf[16][ARP_FRAME_LEN];
		uint8_t *outs[16];
		for (int i = 0; i < 16; i++)
			outs[i] = buf[i];
		memset(buf, 0x5a, sizeof(buf));
		arp_stamp_batch(&t, tpa, 16, outs);
		for (int i = 0; i < 16; i++)
			assert_matches_full(&t, mac, saddr, tpa[i], buf[i]);
		/* Restamping a reused slot: only tpa changes. */
		for (int i = 1; i < 16; i++) {
			arp_restamp(tpa[i], buf[0]);
			assert_matches_full(&t, mac, saddr, tpa[i], buf[0]);
		}
	}
}

static void test_batch_empty(void **state)
{
	(void)state;
	struct arp_template t;
	char err[256] = "";

	assert_int_equal(arp_template_build(&t, our_mac, OUR_ADDR, err, sizeof(err)), 0);
	arp_stamp_batch(&t, NULL, 0, NULL);     /* nothing to do, nothing read */
}

/* ---- the reply parser ---------------------------------------------------- */

enum shape { ETH, ETH_PAD, VLAN, QINQ, SLL };

/* The reply TARGET (host_mac) sends to our request, in the given framing.
 * Returns the frame length. */
static size_t make_reply(uint8_t *f, enum shape shape)
{
	size_t off;

	memset(f, 0, 128);
	if (shape == SLL) {
		put16(f, 0);                 /* packet type: to us */
		put16(f + 2, 1);             /* ARPHRD_ETHER */
		put16(f + 4, 6);
		memcpy(f + 6, host_mac, 6);
		put16(f + 14, 0x0806);
		off = 16;
	} else {
		memcpy(f, our_mac, 6);
		memcpy(f + 6, host_mac, 6);
		off = 12;
		if (shape == VLAN || shape == QINQ) {
			put16(f + off, shape == QINQ ? 0x88a8 : 0x8100);
			put16(f + off + 2, 5);
			off += 4;
		}
		if (shape == QINQ) {
			put16(f + off, 0x8100);
			put16(f + off + 2, 7);
			off += 4;
		}
		put16(f + off, 0x0806);
		off += 2;
	}
	uint8_t *a = f + off;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 2);
	memcpy(a + 8, host_mac, 6);
	put32(a + 14, TARGET);
	memcpy(a + 18, our_mac, 6);
	put32(a + 24, OUR_ADDR);
	off += 28;
	if (shape == ETH_PAD) {
		memset(f + off, 0xa5, 60 - off);   /* padding is not ARP */
		off = 60;
	}
	return off;
}

static size_t arp_body_off(enum shape shape)
{
	return shape == SLL ? 16 : shape == VLAN ? 18 : shape == QINQ ? 22 : 14;
}

static enum arp_status parse_copy(int lt, const uint8_t *f, size_t len,
				  struct arp_reply *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum arp_status st;

	assert_non_null(copy);
	memcpy(copy, f, len);
	st = arp_parse_reply(lt, copy, len, r);
	free(copy);
	return st;
}

static void test_reply_shapes(void **state)
{
	(void)state;
	static const struct { enum shape shape; int lt; } cases[] = {
		{ ETH, 1 }, { ETH_PAD, 1 }, { VLAN, 1 }, { QINQ, 1 }, { SLL, 113 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[128];
		size_t len = make_reply(f, cases[i].shape);
		struct arp_reply r;

		memset(&r, 0, sizeof(r));
		assert_int_equal(parse_copy(cases[i].lt, f, len, &r), ARP_OK);
		assert_int_equal(r.spa, TARGET);
		assert_memory_equal(r.sha, host_mac, 6);
		assert_int_equal(r.tpa, OUR_ADDR);
		assert_memory_equal(r.tha, our_mac, 6);
	}
}

/* A field of the ARP body (offset from its start) set to a value. */
struct edit { size_t at; int width; uint32_t value; };

static void test_reply_table(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int lt;
		struct edit e[2];
		int ne;
		enum arp_status want;
	} cases[] = {
		{ "well formed", 1, { { 0, 0, 0 } }, 0, ARP_OK },
		{ "request", 1, { { 6, 2, 1 } }, 1, ARP_NOT_REPLY },
		{ "RARP reply", 1, { { 6, 2, 4 } }, 1, ARP_NOT_REPLY },
		{ "op 0", 1, { { 6, 2, 0 } }, 1, ARP_NOT_REPLY },
		{ "hardware type IEEE 802", 1, { { 0, 2, 6 } }, 1, ARP_NOT_REPLY },
		{ "protocol IPv6", 1, { { 2, 2, 0x86dd } }, 1, ARP_NOT_REPLY },
		{ "hlen 8", 1, { { 4, 1, 8 } }, 1, ARP_NOT_REPLY },
		{ "plen 16", 1, { { 5, 1, 16 } }, 1, ARP_NOT_REPLY },
		{ "zero sender MAC", 1, { { 8, 4, 0 }, { 12, 2, 0 } }, 2, ARP_MALFORMED },
		{ "broadcast sender MAC", 1, { { 8, 4, 0xffffffff }, { 12, 2, 0xffff } }, 2,
		  ARP_MALFORMED },
		{ "multicast sender MAC", 1, { { 8, 4, 0x01005e00 }, { 12, 2, 0x0001 } }, 2,
		  ARP_MALFORMED },
		{ "sender address 0.0.0.0", 1, { { 14, 4, 0 } }, 1, ARP_MALFORMED },
		{ "locally administered sender MAC", 1, { { 8, 4, 0x02000000 } }, 1, ARP_OK },
		{ "raw IP link type", 101, { { 0, 0, 0 } }, 0, ARP_NOT_REPLY },
		{ "DLT_NULL", 0, { { 0, 0, 0 } }, 0, ARP_NOT_REPLY },
		{ "cooked link type on an Ethernet frame", 113, { { 0, 0, 0 } }, 0,
		  ARP_NOT_REPLY },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[128];
		size_t len = make_reply(f, ETH);
		uint8_t *a = f + 14;
		struct arp_reply r;

		for (int k = 0; k < cases[i].ne; k++) {
			const struct edit *e = &cases[i].e[k];

			if (e->width == 1)
				a[e->at] = (uint8_t)e->value;
			else if (e->width == 2)
				put16(a + e->at, (uint16_t)e->value);
			else
				put32(a + e->at, e->value);
		}
		memset(&r, 0x77, sizeof(r));
		enum arp_status st = parse_copy(cases[i].lt, f, len, &r);
		if (st != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].what, arp_status_str(st),
				 arp_status_str(cases[i].want));
		if (st != ARP_OK) {
			/* out is left alone on failure */
			struct arp_reply untouched;
			memset(&untouched, 0x77, sizeof(untouched));
			assert_memory_equal(&r, &untouched, sizeof(r));
		}
	}
}

static void test_not_arp(void **state)
{
	(void)state;
	uint8_t f[128];
	size_t len = make_reply(f, ETH);
	struct arp_reply r;

	put16(f + 12, 0x0800);                         /* IPv4 */
	assert_int_equal(parse_copy(1, f, len, &r), ARP_NOT_REPLY);
	put16(f + 12, 0x86dd);                         /* IPv6 */
	assert_int_equal(parse_copy(1, f, len, &r), ARP_NOT_REPLY);
	len = make_reply(f, VLAN);
	put16(f + 16, 0x0800);                         /* IPv4 inside a VLAN tag */
	assert_int_equal(parse_copy(1, f, len, &r), ARP_NOT_REPLY);
	len = make_reply(f, SLL);
	put16(f + 14, 0x0800);
	assert_int_equal(parse_copy(113, f, len, &r), ARP_NOT_REPLY);
	/* A short frame of another type is not ours, not truncated. */
	len = make_reply(f, ETH);
	put16(f + 12, 0x0800);
	assert_int_equal(parse_copy(1, f, 20, &r), ARP_NOT_REPLY);
	/* A short non-Ethernet/IPv4 ARP message: decided on the fixed part. */
	len = make_reply(f, ETH);
	put16(f + 14, 6);
	assert_int_equal(parse_copy(1, f, 14 + 8, &r), ARP_NOT_REPLY);
}

static void test_truncation_everywhere(void **state)
{
	(void)state;
	static const struct { enum shape shape; int lt; } cases[] = {
		{ ETH, 1 }, { ETH_PAD, 1 }, { VLAN, 1 }, { QINQ, 1 }, { SLL, 113 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t f[128];
		size_t len = make_reply(f, cases[i].shape);
		size_t whole = arp_body_off(cases[i].shape) + 28;

		for (size_t cut = 0; cut < len; cut++) {
			struct arp_reply r;
			enum arp_status want = cut < whole ? ARP_TRUNCATED : ARP_OK;
			enum arp_status st = parse_copy(cases[i].lt, f, cut, &r);

			if (st != want)
				fail_msg("shape %d cut at %zu of %zu: got %s, want %s",
					 (int)cases[i].shape, cut, len, arp_status_str(st),
					 arp_status_str(want));
		}
	}
}

static void test_random_bytes(void **state)
{
	(void)state;
	uint64_t s = 42;

	/* Hostile input: never crashes, never reads past caplen (ASan). */
	for (int round = 0; round < 20000; round++) {
		uint8_t f[128];
		size_t len = make_reply(f, (enum shape)(rng_next(&s) % 5));
		int flips = (int)(rng_next(&s) % 4);
		struct arp_reply r;

		for (int k = 0; k < flips; k++)
			f[rng_next(&s) % len] ^= (uint8_t)(1u << (rng_next(&s) % 8));
		size_t cut = (size_t)(rng_next(&s) % (len + 1));
		int lt = rng_next(&s) & 1 ? 1 : 113;
		enum arp_status st = parse_copy(lt, f, cut, &r);
		assert_true(st >= ARP_OK && st <= ARP_MALFORMED);
		if (st == ARP_OK) {
			assert_true(r.spa != 0);
			assert_false(r.sha[0] & 1);
		}
	}
}

static void test_status_strings(void **state)
{
	(void)state;
	for (int s = ARP_OK; s <= ARP_MALFORMED; s++) {
		const char *a = arp_status_str((enum arp_status)s);
		assert_non_null(a);
		for (int t = s + 1; t <= ARP_MALFORMED; t++)
			assert_string_not_equal(a, arp_status_str((enum arp_status)t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_layout),
		cmocka_unit_test(test_stamp_equals_libnet),
		cmocka_unit_test(test_batch_empty),
		cmocka_unit_test(test_reply_shapes),
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_not_arp),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_status_strings),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
