/*
 * test_nd.c — neighbour discovery frames: stamped solicitations against full
 * libnet builds byte for byte, with the ICMPv6 checksum checked
 * independently and the solicited-node group and MAC of RFC 4291/2464;
 * advertisements as a Linux host sends them parsed, and the ones RFC 4861
 * says to drop (routed: hop limit below 255; code not 0; bad checksum; no
 * target link-layer address; options of length 0 or past the end) refused;
 * every truncation handled (run under ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "engine/addr.h"
#include "engine/csum.h"
#include "engine/nd.h"

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t their_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct es_addr A(const char *s)
{
	struct es_addr a;

	assert_true(es_addr_parse_any(s, &a));
	return a;
}

static uint16_t ref_csum(const uint8_t *ip6)
{
	uint8_t ph[40] = { 0 };
	size_t len = (size_t)(ip6[4] << 8 | ip6[5]);

	memcpy(ph, ip6 + 8, 32);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[39] = 58;
	return csum_fold(csum_add(csum_add(0, ph, 40), ip6 + 40, len));
}

static void test_solicited_node(void **state)
{
	struct es_addr t = A("2001:db8:1::12:3456"), want = A("ff02::1:ff12:3456"), g;
	uint8_t mac[6];

	(void)state;
	g.family = ES_AF6;
	nd_solicited_node(t.bytes, g.bytes, mac);
	assert_true(es_addr_equal(&g, &want));
	assert_memory_equal(mac, "\x33\x33\xff\x12\x34\x56", 6);
}

static void test_stamp_matches_libnet(void **state)
{
	static const char *const targets[] = { "2001:db8::1", "2001:db8:1::ffff", "fe80::1",
					       "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "::" };
	struct es_addr src = A("2001:db8::2");
	struct nd_template t;
	uint8_t a[ND_NS_FRAME_LEN], b[ND_NS_FRAME_LEN];
	size_t len;
	char err[256];

	(void)state;
	assert_int_equal(nd_template_build(&t, our_mac, src.bytes, err, sizeof(err)), 0);
	assert_int_equal(t.len, ND_NS_FRAME_LEN);
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct es_addr tg = A(targets[i]);

		nd_stamp(&t, tg.bytes, a);
		assert_int_equal(nd_build_full(our_mac, src.bytes, tg.bytes, b, &len, err, sizeof(err)), 0);
		assert_int_equal(len, ND_NS_FRAME_LEN);
		assert_memory_equal(a, b, len);
		assert_int_equal(ref_csum(a + 14), 0);
		assert_memory_equal(a + 6, our_mac, 6);
		assert_int_equal(a[14 + 7], 255);            /* hop limit */
		assert_int_equal(a[14 + 40], 135);
		assert_memory_equal(a + 14 + 48, tg.bytes, 16);   /* target */
		assert_memory_equal(a + 14 + 64, "\x01\x01", 2);  /* SLLA option */
		assert_memory_equal(a + 14 + 66, our_mac, 6);
	}
}

/* An advertisement for target from their_mac to dst, as Linux sends one. */
static size_t make_advert(uint8_t *fr, const uint8_t *target, const uint8_t *dst)
{
	memset(fr, 0, 86);
	memcpy(fr, our_mac, 6);
	memcpy(fr + 6, their_mac, 6);
	fr[12] = 0x86; fr[13] = 0xdd;
	fr[14] = 0x60;
	fr[19] = 32;            /* payload length */
	fr[20] = 58;
	fr[21] = 255;
	memcpy(fr + 22, target, 16);
	memcpy(fr + 38, dst, 16);
	fr[54] = 136;
	fr[58] = 0x60;          /* solicited, override */
	memcpy(fr + 62, target, 16);
	fr[78] = 2; fr[79] = 1;
	memcpy(fr + 80, their_mac, 6);
	fr[56] = 0; fr[57] = 0;
	uint16_t c = ref_csum(fr + 14);
	fr[56] = (uint8_t)(c >> 8);
	fr[57] = (uint8_t)c;
	return 86;
}

static void fix(uint8_t *fr)
{
	fr[56] = fr[57] = 0;
	uint16_t c = ref_csum(fr + 14);
	fr[56] = (uint8_t)(c >> 8);
	fr[57] = (uint8_t)c;
}

static void test_parse_advert(void **state)
{
	struct es_addr tg = A("2001:db8::1"), us = A("2001:db8::2");
	uint8_t fr[128], target[16], mac[6], dst[16];
	size_t len = make_advert(fr, tg.bytes, us.bytes);
	struct nd_template t;
	char err[256];

	(void)state;
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_OK);
	assert_memory_equal(target, tg.bytes, 16);
	assert_memory_equal(mac, their_mac, 6);
	assert_memory_equal(dst, us.bytes, 16);
	/* routed (hop limit 254) */
	fr[21] = 254;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	fr[21] = 255;
	/* code 1 */
	fr[55] = 1;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	fr[55] = 0;
	/* bad checksum */
	fix(fr);
	fr[57] ^= 1;
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	/* a source link-layer option instead of the target's */
	fr[78] = 1;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	/* an option of length 0 (RFC 4861: drop) */
	fr[78] = 2; fr[79] = 0;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	/* an option running past the end */
	fr[79] = 2;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, len, target, mac, dst), ND_INVALID);
	/* no option at all */
	fr[19] = 24;
	fix(fr);
	assert_int_equal(nd_parse_advert(1, fr, 78, target, mac, dst), ND_INVALID);
	/* a solicitation is not an advertisement */
	assert_int_equal(nd_template_build(&t, our_mac, us.bytes, err, sizeof(err)), 0);
	nd_stamp(&t, tg.bytes, fr);
	assert_int_equal(nd_parse_advert(1, fr, ND_NS_FRAME_LEN, target, mac, dst), ND_NOT_ADVERT);
	/* nor IPv4 */
	fr[12] = 0x08; fr[13] = 0;
	assert_int_equal(nd_parse_advert(1, fr, ND_NS_FRAME_LEN, target, mac, dst), ND_NOT_ADVERT);
	/* every cut of a good advertisement */
	len = make_advert(fr, tg.bytes, us.bytes);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);

		memcpy(b, fr, cut);
		assert_int_not_equal(nd_parse_advert(1, b, cut, target, mac, dst), ND_OK);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solicited_node),
		cmocka_unit_test(test_stamp_matches_libnet),
		cmocka_unit_test(test_parse_advert),
	};

	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
