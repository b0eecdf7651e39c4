/*
 * test_probe.c — the stamped probe must be byte-identical to a full libnet
 * build of the same frame: thousands of random targets, lengths, patterns and
 * addresses, plus constructed cases where a checksum folds to 0x0000.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/csum.h"
#include "engine/probe.h"
#include "engine/validate.h"

#define OFF_IP    PROBE_ETH_LEN
#define OFF_ICMP  (PROBE_ETH_LEN + PROBE_IP_LEN)
#define OFF_PL    PROBE_HDR_LEN

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: deterministic so a failure reproduces. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }
static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

static const struct vkey test_key = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } };

static struct probe_params base_params(void)
{
	struct probe_params p = {
		.src_mac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
		.dst_mac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 },
		.saddr = 0xc0a80001, .ttl = 64, .tos = 0, .payload_len = 56,
	};
	return p;
}

static void random_params(uint64_t *s, struct probe_params *p, uint8_t *pat)
{
	uint64_t r = rng_next(s);

	for (int i = 0; i < 6; i++) {
		p->src_mac[i] = (uint8_t)(r >> (8 * i));
		p->dst_mac[i] = (uint8_t)(r >> (8 * i + 16));
	}
	p->saddr = (uint32_t)rng_next(s);
	p->ttl = (uint8_t)rng_next(s);
	p->tos = (uint8_t)rng_next(s);
	p->payload_len = (uint16_t)(PROBE_PAYLOAD_MIN +
				    rng_next(s) % (PROBE_PAYLOAD_MAX - PROBE_PAYLOAD_MIN + 1));
	p->pattern = NULL;
	p->pattern_len = 0;
	if (rng_next(s) & 1) {
		p->pattern_len = 1 + rng_next(s) % 16;
		for (size_t i = 0; i < p->pattern_len; i++)
			pat[i] = (uint8_t)rng_next(s);
		p->pattern = pat;
	}
}

static void random_fields(uint64_t *s, struct probe_fields *f)
{
	f->daddr = (uint32_t)rng_next(s);
	f->probe = (uint16_t)(rng_next(s) % 4 ? rng_next(s) % 8 : rng_next(s));
	f->ts_ns = rng_next(s);
}

/* Independent check that a frame's checksums verify. */
static void assert_checksums_ok(const uint8_t *fr, size_t len)
{
	assert_int_equal(csum_fold(csum_add(0, fr + OFF_IP, PROBE_IP_LEN)), 0);
	assert_int_equal(csum_fold(csum_add(0, fr + OFF_ICMP, len - OFF_ICMP)), 0);
}

static void assert_stamp_matches(const struct probe_template *t,
				 const struct probe_params *p,
				 const struct probe_fields *f)
{
	uint8_t stamped[PROBE_FRAME_MAX], full[PROBE_FRAME_MAX];
	size_t len = 0;
	char err[256] = "";

	memset(stamped, 0xee, sizeof(stamped));
	probe_stamp(t, f, stamped);
	assert_int_equal(probe_build_full(p, &test_key, f, full, &len, err, sizeof(err)), 0);
	assert_int_equal(len, t->len);
	assert_memory_equal(stamped, full, len);
	assert_checksums_ok(full, len);
}

static void test_template_layout(void **state)
{
	(void)state;
	struct probe_params p = base_params();
	struct probe_template t;
	char err[256] = "";
	p.tos = 0x10;
	p.ttl = 33;

	assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
	assert_int_equal(t.len, PROBE_HDR_LEN + 56);
	assert_memory_equal(t.frame, p.dst_mac, 6);
	assert_memory_equal(t.frame + 6, p.src_mac, 6);
	assert_int_equal(be16(t.frame + 12), 0x0800);
	const uint8_t *ip = t.frame + OFF_IP;
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], 0x10);
	assert_int_equal(be16(ip + 2), 20 + 8 + 56);
	assert_int_equal(be16(ip + 4), 0);      /* IP ID: stamped */
	assert_int_equal(be16(ip + 6), 0);      /* DF off, no fragment */
	assert_int_equal(ip[8], 33);
	assert_int_equal(ip[9], 1);
	assert_int_equal(be32(ip + 12), 0xc0a80001);
	assert_int_equal(be32(ip + 16), 0);
	const uint8_t *icmp = t.frame + OFF_ICMP;
	assert_int_equal(icmp[0], 8);
	assert_int_equal(icmp[1], 0);
	assert_int_equal(be32(icmp + 4), 0);
	for (int i = 0; i < PROBE_PAYLOAD_MIN; i++)
		assert_int_equal(t.frame[OFF_PL + i], 0);
	for (int i = PROBE_PAYLOAD_MIN; i < 56; i++)
		assert_int_equal(t.frame[OFF_PL + i], i);
	assert_checksums_ok(t.frame, t.len);
	assert_memory_equal(t.key.k, test_key.k, 16);
}

static void test_stamped_fields(void **state)
{
	(void)state;
	struct probe_params p = base_params();
	struct probe_template t;
	uint8_t fr[PROBE_FRAME_MAX];
	char err[256] = "";
	struct probe_fields f = { .daddr = 0x0a000102, .probe = 3,
				  .ts_ns = 0x0123456789abcdefULL };
	static const uint8_t pat[] = { 0xaa, 0xbb, 0xcc };

	p.pattern = pat;
	p.pattern_len = sizeof(pat);
	assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
	probe_stamp(&t, &f, fr);
	assert_int_equal(be16(fr + OFF_IP + 4), 3);
	assert_int_equal(be32(fr + OFF_IP + 16), 0x0a000102);
	assert_int_equal(be32(fr + OFF_ICMP + 4), validate_tag(&test_key, f.daddr, 3));
	assert_int_equal(be64(fr + OFF_PL), f.ts_ns);
	assert_int_equal(be64(fr + OFF_PL + 8), validate_mac(&test_key, f.daddr, f.ts_ns, 3));
	assert_int_equal(be16(fr + OFF_PL + 16), 3);
	for (int i = PROBE_PAYLOAD_MIN; i < 56; i++)
		assert_int_equal(fr[OFF_PL + i], pat[(i - PROBE_PAYLOAD_MIN) % 3]);
	assert_checksums_ok(fr, t.len);
}

static void test_stamp_equals_libnet_random(void **state)
{
	(void)state;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	uint8_t pat[16];
	int with_pattern = 0;

	for (int i = 0; i < 1250; i++) {
		struct probe_params p = base_params();
		struct probe_template t;
		char err[256] = "";

		random_params(&s, &p, pat);
		with_pattern += p.pattern != NULL;
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
		for (int j = 0; j < 4; j++) {   /* 5000 frames in all */
			struct probe_fields f;
			random_fields(&s, &f);
			assert_stamp_matches(&t, &p, &f);
		}
	}
	assert_in_range(with_pattern, 500, 750);
}

static void test_restamp_reused_slot(void **state)
{
	(void)state;
	uint64_t s = 42;
	struct probe_params p = base_params();
	struct probe_template t;
	uint8_t slot[PROBE_FRAME_MAX], fresh[PROBE_FRAME_MAX];
	char err[256] = "";

	assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
	for (int i = 0; i < 1000; i++) {
		struct probe_fields a, b;
		random_fields(&s, &a);
		random_fields(&s, &b);
		probe_stamp(&t, &a, slot);
		probe_restamp(&t, &b, slot);
		probe_stamp(&t, &b, fresh);
		assert_memory_equal(slot, fresh, t.len);
	}
}

/* Picks the destination's low word so the IP header sum folds to 0xffff,
 * i.e. the stored checksum is 0x0000 (the end-around-carry edge). */
/* probe_stamp_batch (vector hashes where the CPU has them) gives the same
 * bytes as probe_stamp, and as the full libnet build, for every batch size
 * around the 8-lane and 64-entry boundaries. */
static void test_stamp_batch_equals_single(void **state)
{
	(void)state;
	uint64_t s = 0x1234567887654321ULL;
	uint8_t pat[16];

	for (int round = 0; round < 20; round++) {
		struct probe_params p = base_params();
		struct probe_template t;
		char err[256] = "";
		static uint8_t bufs[150][PROBE_FRAME_MAX], one[PROBE_FRAME_MAX], full[PROBE_FRAME_MAX];
		uint8_t *out[150];
		uint32_t daddr[150];
		struct probe_fields f;
		size_t len;

		random_params(&s, &p, pat);
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
		random_fields(&s, &f);
		for (unsigned n = 0; n < 150; n += (n < 20 ? 1 : 13)) {
			for (unsigned i = 0; i < n; i++) {
				daddr[i] = (uint32_t)rng_next(&s);
				out[i] = bufs[i];
				memset(bufs[i], 0x5a, sizeof(bufs[i]));
			}
			probe_stamp_batch(&t, daddr, n, f.probe, f.ts_ns, out);
			for (unsigned i = 0; i < n; i++) {
				struct probe_fields g = { daddr[i], f.probe, f.ts_ns };

				probe_stamp(&t, &g, one);
				assert_memory_equal(bufs[i], one, t.len);
				assert_int_equal(bufs[i][t.len], 0x5a);   /* nothing past the frame */
				if (i % 17 == 0) {
					assert_int_equal(probe_build_full(&p, &test_key, &g, full, &len,
									  err, sizeof(err)), 0);
					assert_int_equal(len, t.len);
					assert_memory_equal(bufs[i], full, len);
				}
			}
		}
	}
}

static void test_validate_batch_equals_single(void **state)
{
	(void)state;
	uint64_t s = 42;
	uint32_t daddr[77], tag[77];
	uint64_t mac[77];

	for (int round = 0; round < 200; round++) {
		struct vkey k;
		uint64_t ts = rng_next(&s);
		uint16_t probe = (uint16_t)rng_next(&s);
		unsigned n = (unsigned)(rng_next(&s) % 78);

		for (int i = 0; i < 16; i++)
			k.k[i] = (uint8_t)rng_next(&s);
		for (unsigned i = 0; i < n; i++)
			daddr[i] = (uint32_t)rng_next(&s);
		validate_stamp_batch(&k, daddr, n, ts, probe, tag, mac);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(tag[i], validate_tag(&k, daddr[i], probe));
			assert_true(mac[i] == validate_mac(&k, daddr[i], ts, probe));
		}
	}
	print_message("validate_stamp_batch: %s\n",
		      validate_batch_simd() ? "AVX-512F path tested" : "scalar path only (no AVX-512F)");
}

static void test_ip_checksum_zero(void **state)
{
	(void)state;
	uint64_t s = 7;
	uint8_t pat[16];
	int found = 0;

	for (int i = 0; i < 50; i++) {
		struct probe_params p = base_params();
		struct probe_template t;
		char err[256] = "";
		random_params(&s, &p, pat);
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
		struct probe_fields f;
		random_fields(&s, &f);
		uint32_t sum = t.ip_sum + f.probe + (f.daddr >> 16);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		f.daddr = (f.daddr & 0xffff0000u) | (uint16_t)(0xffff - sum);
		assert_stamp_matches(&t, &p, &f);
		uint8_t fr[PROBE_FRAME_MAX];
		probe_stamp(&t, &f, fr);
		assert_int_equal(be16(fr + OFF_IP + 10), 0x0000);
		found++;
	}
	assert_int_equal(found, 50);
}

/* Searches send times until the ICMP checksum comes out 0x0000. */
static void test_icmp_checksum_zero(void **state)
{
	(void)state;
	struct probe_params p = base_params();
	struct probe_template t;
	uint8_t fr[PROBE_FRAME_MAX];
	char err[256] = "";
	int found = 0;

	p.payload_len = 1001;   /* odd length: padded last word */
	assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
	for (uint64_t ts = 1; ts < 4000000 && found < 3; ts++) {
		struct probe_fields f = { .daddr = 0xc6120001, .probe = 1, .ts_ns = ts };
		probe_stamp(&t, &f, fr);
		if (be16(fr + OFF_ICMP + 2) != 0)
			continue;
		found++;
		assert_stamp_matches(&t, &p, &f);
	}
	assert_int_equal(found, 3);
}

static void test_extreme_values(void **state)
{
	(void)state;
	static const uint8_t ff[1] = { 0xff };
	struct probe_params p = base_params();
	struct probe_template t;
	char err[256] = "";
	static const struct probe_fields cases[] = {
		{ 0xffffffffu, 0xffff, UINT64_MAX },
		{ 0, 0, 0 },
		{ 0xffffffffu, 0, 0 },
		{ 0x00000001u, 1, 1 },
	};

	p.saddr = 0xffffffffu;
	p.ttl = 255;
	p.tos = 255;
	p.pattern = ff;
	p.pattern_len = 1;
	for (uint16_t len = PROBE_PAYLOAD_MIN; len <= PROBE_PAYLOAD_MAX; len += 97) {
		p.payload_len = len;
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			assert_stamp_matches(&t, &p, &cases[i]);
	}
	p.payload_len = PROBE_PAYLOAD_MAX;
	assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
	assert_stamp_matches(&t, &p, &cases[0]);
}

static void test_bad_params(void **state)
{
	(void)state;
	static const struct { uint16_t len; size_t pat_len; int rc; } rows[] = {
		{ PROBE_PAYLOAD_MIN - 1, 0, -1 },
		{ PROBE_PAYLOAD_MAX + 1, 0, -1 },
		{ 0, 0, -1 },
		{ 64, 0, -1 },           /* pattern given but empty */
		{ PROBE_PAYLOAD_MIN, 1, 0 },
		{ PROBE_PAYLOAD_MAX, 1, 0 },
	};
	static const uint8_t pat[1] = { 1 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct probe_params p = base_params();
		struct probe_template t;
		char err[256] = "";
		p.payload_len = rows[i].len;
		if (rows[i].len == 64 || rows[i].pat_len) {
			p.pattern = pat;
			p.pattern_len = rows[i].pat_len;
		}
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)),
				 rows[i].rc);
		if (rows[i].rc)
			assert_true(err[0] != '\0');
	}
}

/* IP-layer templates (tun, ipip, lo through the raw socket): the same IP
 * packet as the Ethernet frame without its first 14 bytes, equal to libnet's
 * full build; and probe_stamp_multi with a template per target gives what
 * each template's probe_stamp gives. */
static void test_ip_layer_and_multi(void **state)
{
	(void)state;
	uint64_t s = 99;
	uint8_t pat[16];

	for (int i = 0; i < 40; i++) {
		struct probe_params pe = base_params(), pi;
		struct probe_template te, ti;
		const struct probe_template *tm[3];
		struct probe_fields f;
		uint8_t fe[PROBE_FRAME_MAX], fi[PROBE_FRAME_MAX];
		uint8_t m0[PROBE_FRAME_MAX], m1[PROBE_FRAME_MAX], m2[PROBE_FRAME_MAX];
		uint8_t *outs[3] = { m0, m1, m2 };
		uint32_t daddr[3];
		char err[256] = "";

		random_params(&s, &pe, pat);
		pi = pe;
		pi.ip_layer = true;
		assert_int_equal(probe_template_build(&te, &pe, &test_key, err, sizeof(err)), 0);
		assert_int_equal(probe_template_build(&ti, &pi, &test_key, err, sizeof(err)), 0);
		assert_int_equal(te.link_len, PROBE_ETH_LEN);
		assert_int_equal(ti.link_len, 0);
		assert_int_equal(ti.len + PROBE_ETH_LEN, te.len);
		random_fields(&s, &f);
		probe_stamp(&te, &f, fe);
		probe_stamp(&ti, &f, fi);
		assert_memory_equal(fi, fe + PROBE_ETH_LEN, ti.len);
		{
			uint8_t full[PROBE_FRAME_MAX];
			size_t len = 0;

			assert_int_equal(probe_build_full(&pi, &test_key, &f, full, &len,
							  err, sizeof(err)), 0);
			assert_int_equal(len, ti.len);
			assert_memory_equal(fi, full, len);
		}
		assert_int_equal(csum_fold(csum_add(0, fi, PROBE_IP_LEN)), 0);
		assert_int_equal(csum_fold(csum_add(0, fi + PROBE_IP_LEN, ti.len - PROBE_IP_LEN)), 0);

		tm[0] = &te; tm[1] = &ti; tm[2] = &te;
		daddr[0] = f.daddr; daddr[1] = f.daddr ^ 0x55; daddr[2] = f.daddr + 1;
		probe_stamp_multi(tm, daddr, 3, f.probe, f.ts_ns, outs);
		for (int k = 0; k < 3; k++) {
			struct probe_fields fk = { daddr[k], f.probe, f.ts_ns };
			uint8_t ref[PROBE_FRAME_MAX];

			probe_stamp(tm[k], &fk, ref);
			assert_memory_equal(outs[k], ref, tm[k]->len);
		}
	}
}

/* probe_set_source: a stamped frame with another source is the full libnet
 * build with that source (IP checksum fixed incrementally), Ethernet and
 * IP-only, random fields and sources (0 and all-ones included). */
static void test_set_source(void **state)
{
	(void)state;
	uint64_t s = 1624;
	uint8_t pat[16];

	for (int i = 0; i < 2000; i++) {
		struct probe_params p = base_params(), q;
		struct probe_template t;
		struct probe_fields f;
		uint8_t frame[PROBE_FRAME_MAX], full[PROBE_FRAME_MAX];
		size_t len = 0;
		char err[256] = "";

		random_params(&s, &p, pat);
		p.ip_layer = i % 2;
		assert_int_equal(probe_template_build(&t, &p, &test_key, err, sizeof(err)), 0);
		random_fields(&s, &f);
		probe_stamp(&t, &f, frame);
		q = p;
		q.saddr = i == 0 ? 0 : i == 1 ? 0xffffffffu : (uint32_t)rng_next(&s);
		probe_set_source(&t, frame, q.saddr);
		assert_int_equal(probe_build_full(&q, &test_key, &f, full, &len, err, sizeof(err)), 0);
		assert_int_equal(len, t.len);
		assert_memory_equal(frame, full, len);
	}
}

/* The payload helpers the datagram-socket path uses on their own. */
static void test_payload_stamp_and_check(void **state)
{
	const struct vkey key = { { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } };
	const uint8_t pat[] = { 0xab, 0xcd };
	uint8_t pl[24];

	(void)state;
	probe_payload_fill(pl, sizeof(pl), pat, sizeof(pat));
	assert_int_equal(pl[18], 0xab);
	assert_int_equal(pl[23], 0xcd);
	probe_payload_fill(pl, sizeof(pl), NULL, 0);
	assert_int_equal(pl[20], 20);
	probe_payload_stamp(pl, &key, 0xC6120005, 1000000000ull, 7);
	assert_int_equal(pl[17], 7);
	assert_int_equal(probe_payload_rtt(pl, &key, 0xC6120005, 7, 1000250000ull), 250000);
	assert_int_equal(probe_payload_rtt(pl, &key, 0xC6120005, 7, 999000000ull), 0);
	assert_int_equal(probe_payload_rtt(pl, &key, 0xC6120006, 7, 1000250000ull), -1);
	assert_int_equal(probe_payload_rtt(pl, &key, 0xC6120005, 8, 1000250000ull), -1);
	pl[3] ^= 1;   /* the send time is covered by the MAC */
	assert_int_equal(probe_payload_rtt(pl, &key, 0xC6120005, 7, 1000250000ull), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_layout),
		cmocka_unit_test(test_ip_layer_and_multi),
		cmocka_unit_test(test_stamped_fields),
		cmocka_unit_test(test_stamp_equals_libnet_random),
		cmocka_unit_test(test_restamp_reused_slot),
		cmocka_unit_test(test_stamp_batch_equals_single),
		cmocka_unit_test(test_validate_batch_equals_single),
		cmocka_unit_test(test_ip_checksum_zero),
		cmocka_unit_test(test_icmp_checksum_zero),
		cmocka_unit_test(test_extreme_values),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_payload_stamp_and_check),
		cmocka_unit_test(test_set_source),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
