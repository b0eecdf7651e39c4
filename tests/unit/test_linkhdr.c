/*
 * test_linkhdr.c — the link-layer walk shared by the IPv4, IPv6 and ARP
 * parsers (engine/linkhdr.h), on its EtherType parameter: for Ethernet with
 * zero to three tags of each TPID (802.1Q, 802.1ad, the old QinQ 0x9100),
 * Linux cooked capture and the raw IP link types, the offset of the network
 * header or the status, for the EtherType asked for and for another one, at
 * every captured length from 0 to the whole header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/linkhdr.h"

struct link_case {
	const char *name;
	int linktype;
	uint16_t tpid;           /* the tags' TPID (Ethernet only) */
	int ntags;
	size_t want_off;         /* the network header's offset */
};

static const struct link_case cases[] = {
	{ "ethernet", 1, 0, 0, 14 },
	{ "802.1Q", 1, 0x8100, 1, 18 },
	{ "802.1ad + 802.1Q", 1, 0x88a8, 2, 22 },
	{ "old QinQ x3", 1, 0x9100, 3, 26 },
	{ "linux cooked", 113, 0, 0, 16 },
};

/* The frame's link header for c, carrying ethertype; returns its length. */
static size_t build(const struct link_case *c, uint16_t ethertype, uint8_t *fr)
{
	size_t o = 12;

	memset(fr, 0xee, 64);
	if (c->linktype == 113) {
		fr[14] = (uint8_t)(ethertype >> 8);
		fr[15] = (uint8_t)ethertype;
		return 16;
	}
	for (int i = 0; i < c->ntags; i++, o += 4) {
		fr[o] = (uint8_t)(c->tpid >> 8);
		fr[o + 1] = (uint8_t)c->tpid;
	}
	fr[o] = (uint8_t)(ethertype >> 8);
	fr[o + 1] = (uint8_t)ethertype;
	return o + 2;
}

static void test_table(void **state)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct link_case *c = &cases[i];

		for (size_t t = 0; t < 3; t++) {
			uint8_t fr[64];
			size_t hlen = build(c, types[t], fr), off = 99;

			assert_int_equal(hlen, c->want_off);
			/* the type asked for: its offset once the header is all there */
			for (size_t len = 0; len < hlen; len++)
				assert_int_equal(link_skip(c->linktype, fr, len, types[t], &off),
						 PARSE_TRUNCATED);
			assert_int_equal(link_skip(c->linktype, fr, hlen, types[t], &off), PARSE_OK);
			assert_int_equal(off, c->want_off);
			assert_int_equal(link_skip(c->linktype, fr, sizeof(fr), types[t], &off), PARSE_OK);
			assert_int_equal(off, c->want_off);
			/* another type: not ours */
			assert_int_equal(link_skip(c->linktype, fr, sizeof(fr), types[(t + 1) % 3], &off),
					 PARSE_NOT_ICMP);
		}
	}
}

/* Raw IP link types give offset 0 whatever the bytes (the caller checks the
 * version); other link types are not ours. */
static void test_raw_and_unknown(void **state)
{
	static const int raw[] = { 12, 14, 101 }, other[] = { 0, 108, 127, 228 };
	uint8_t fr[20] = { 0x45 };
	size_t off = 99;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		off = 99;
		assert_int_equal(link_skip(raw[i], fr, sizeof(fr), 0x0800, &off), PARSE_OK);
		assert_int_equal(off, 0);
		off = 99;
		assert_int_equal(link_skip(raw[i], fr, 0, 0x86dd, &off), PARSE_OK);
		assert_int_equal(off, 0);
	}
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(link_skip(other[i], fr, sizeof(fr), 0x0800, &off), PARSE_NOT_ICMP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_raw_and_unknown),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
