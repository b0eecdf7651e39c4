/*
 * test_dgram.c — the datagram path's pure part: messages as an ICMP datagram
 * socket hands them over (a reply with the kernel's identifier; an error
 * queue entry with the quoted request, ee_type/code/info and the offender)
 * mapped by dgram_map into the classifier's input and judged by classify()
 * with kernel_ident. Table-driven: each row builds one message from a real
 * stamped payload, optionally tampered, and states the verdict and fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/classify.h"
#include "engine/dgram.h"
#include "engine/probe.h"
#include "engine/validate.h"

#define OUR_ADDR  0xc6130001u     /* 198.19.0.1 */
#define TARGET    0xc6120304u     /* 198.18.3.4 */
#define OTHER     0xc6120305u
#define ROUTER    0xc6130002u
#define SENT_NS   1700000000000000000ULL
#define RTT_NS    2500000ULL
#define KERNEL_ID 0x4d2           /* whatever the kernel chose */
#define NPROBES   4

static const struct vkey key = { { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
				   0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f } };
static const struct classify_ctx dctx = { .key = &key, .saddr = 0, .nprobes = NPROBES,
					  .kernel_ident = true };

enum tamper { T_NONE, T_SEQ, T_MAC, T_TIME, T_PROBE_FIELD, T_OTHER_SENDER };
enum kind { REPLY, ERROR };

struct row {
	const char *name;
	enum kind kind;
	uint16_t probe;
	uint16_t payload;          /* bytes after the 8-byte ICMP header */
	enum tamper tamper;
	uint8_t type, code;        /* errors: ee_type / ee_code */
	uint32_t info;
	bool local_origin;         /* errors: not from an ICMP message */
	uint8_t quoted_type;       /* errors: 8 for our echo request */
	enum parse_status want_st;
	enum verdict want;
	/* when valid */
	uint8_t want_class;
	bool want_rtt;             /* rtt_ns == RTT_NS (else -1) */
	uint32_t want_info;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* The ICMP message as the socket shows it: an echo reply (kind REPLY) or
 * the quoted echo request (ERROR), with the kernel's identifier. */
static size_t build(const struct row *r, uint8_t *buf)
{
	uint16_t seq = (uint16_t)validate_tag(&key, TARGET, r->probe);
	uint8_t pl[PROBE_PAYLOAD_MAX];
	size_t plen = r->payload;

	memset(buf, 0, 8);
	buf[0] = r->kind == REPLY ? 0 : r->quoted_type;
	put16(buf + 4, KERNEL_ID);
	put16(buf + 6, r->tamper == T_SEQ ? (uint16_t)(seq ^ 0x0100) : seq);
	probe_payload_fill(pl, sizeof(pl), NULL, 0);
	probe_payload_stamp(pl, &key, TARGET, SENT_NS, r->probe);
	if (r->tamper == T_MAC)
		pl[12] ^= 0x40;
	if (r->tamper == T_TIME)
		pl[7] ^= 0x01;
	if (r->tamper == T_PROBE_FIELD)
		pl[17] ^= 0x01;
	memcpy(buf + 8, pl, plen);
	return 8 + plen;
}

static const struct row rows[] = {
	{ "reply", REPLY, 0, 56, T_NONE, 0, 0, 0, false, 0, PARSE_OK, VERDICT_VALID,
	  ES_CLASS_ECHOREPLY, true, 0 },
	{ "reply probe 3, 18-byte payload", REPLY, 3, 18, T_NONE, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_VALID, ES_CLASS_ECHOREPLY, true, 0 },
	{ "reply with a wrong seq", REPLY, 0, 56, T_SEQ, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "reply with a wrong MAC", REPLY, 0, 56, T_MAC, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "reply with a changed send time", REPLY, 1, 56, T_TIME, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "reply with a changed probe number", REPLY, 1, 56, T_PROBE_FIELD, 0, 0, 0, false, 0,
	  PARSE_OK, VERDICT_INVALID, 0, false, 0 },
	{ "reply from another host", REPLY, 0, 56, T_OTHER_SENDER, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "reply without a whole stamp", REPLY, 0, 17, T_NONE, 0, 0, 0, false, 0, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "reply shorter than an ICMP header", REPLY, 0, 0, T_NONE, 0, 0, 0, false, 0,
	  PARSE_TRUNCATED, 0, 0, false, 0 },
	{ "host unreachable, whole quote", ERROR, 2, 56, T_NONE, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_VALID, ES_CLASS_UNREACH, true, 0 },
	{ "port unreachable, code kept", ERROR, 0, 56, T_NONE, 3, 3, 0, false, 8, PARSE_OK,
	  VERDICT_VALID, ES_CLASS_UNREACH, true, 0 },
	{ "fragmentation needed: the MTU in info", ERROR, 0, 56, T_NONE, 3, 4, 1400, false, 8,
	  PARSE_OK, VERDICT_VALID, ES_CLASS_UNREACH, true, 1400 },
	{ "time exceeded", ERROR, 1, 56, T_NONE, 11, 0, 0, false, 8, PARSE_OK, VERDICT_VALID,
	  ES_CLASS_TIMXCEED, true, 0 },
	{ "parameter problem: pointer as on the wire", ERROR, 0, 56, T_NONE, 12, 0, 20, false, 8,
	  PARSE_OK, VERDICT_VALID, ES_CLASS_OTHER, true, 20u << 24 },
	{ "error quote with a wrong MAC", ERROR, 0, 56, T_MAC, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "error quote with a wrong seq", ERROR, 0, 56, T_SEQ, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "error for another address", ERROR, 0, 56, T_OTHER_SENDER, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "8-byte quote of probe 0: seq alone", ERROR, 0, 0, T_NONE, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_VALID, ES_CLASS_UNREACH, false, 0 },
	{ "8-byte quote of probe 2: taken as probe 0", ERROR, 2, 0, T_NONE, 3, 1, 0, false, 8,
	  PARSE_OK, VERDICT_INVALID, 0, false, 0 },
	{ "8-byte quote with a wrong seq", ERROR, 0, 0, T_SEQ, 3, 1, 0, false, 8, PARSE_OK,
	  VERDICT_INVALID, 0, false, 0 },
	{ "error quoting something else", ERROR, 0, 56, T_NONE, 3, 1, 0, false, 0, PARSE_OK,
	  VERDICT_IGNORE, 0, false, 0 },
	{ "local error (not from ICMP)", ERROR, 0, 56, T_NONE, 0, 0, 0, true, 8, PARSE_NOT_ICMP,
	  0, 0, false, 0 },
};

static void check_row(const struct row *r)
{
	uint8_t buf[8 + PROBE_PAYLOAD_MAX];
	size_t len = r->payload == 0 && r->want_st == PARSE_TRUNCATED ? 6 : build(r, buf);
	uint32_t from = r->tamper == T_OTHER_SENDER ? OTHER : TARGET;
	struct dgram_msg m = {
		.icmp = buf, .len = len, .is_error = r->kind == ERROR,
		.name = from, .local = OUR_ADDR, .ttl = 61,
		.icmp_origin = !r->local_origin, .type = r->type, .code = r->code,
		.info = r->info, .offender = r->kind == ERROR ? ROUTER : 0,
	};
	struct parsed_icmp p;
	struct es_result res;
	enum parse_status st;
	enum verdict v;

	if (len == 6)
		memset(buf, 0, 6);
	print_message("case: %s\n", r->name);
	st = dgram_map(&m, &p);
	assert_int_equal(st, r->want_st);
	if (st != PARSE_OK)
		return;
	memset(&res, 0xee, sizeof(res));
	v = classify(&dctx, &p, SENT_NS + RTT_NS, &res);
	assert_int_equal(v, r->want);
	if (v != VERDICT_VALID)
		return;
	assert_int_equal(res.classification, r->want_class);
	assert_int_equal(res.saddr, TARGET);
	assert_int_equal(res.daddr, OUR_ADDR);
	assert_int_equal(res.probe, r->kind == ERROR && r->payload < PROBE_STAMP_LEN ? 0 : r->probe);
	assert_int_equal(res.ttl, 61);
	assert_int_equal(res.ipid, 0);
	assert_int_equal(res.ts_ns, SENT_NS + RTT_NS);
	assert_true(res.rtt_ns == (r->want_rtt ? (int64_t)RTT_NS : -1));
	if (r->kind == REPLY) {
		assert_int_equal(res.success, 1);
		assert_int_equal(res.responder, TARGET);
		assert_int_equal(res.type, 0);
		assert_int_equal(res.size, 20 + 8 + r->payload);
	} else {
		assert_int_equal(res.success, 0);
		assert_int_equal(res.responder, ROUTER);
		assert_int_equal(res.type, r->type);
		assert_int_equal(res.code, r->code);
		assert_int_equal(res.info, r->want_info);
		assert_int_equal(res.size, 20 + 8 + 20 + 8 + r->payload);
	}
}

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
}

/* The same reply judged as a captured frame would be: the raw path checks
 * all 32 tag bits, which the kernel's identifier cannot match. */
static void test_raw_rules_reject_kernel_ident(void **state)
{
	struct classify_ctx raw = dctx;
	uint8_t buf[8 + 56];
	struct dgram_msg m = { .icmp = buf, .name = TARGET, .local = OUR_ADDR, .ttl = 64 };
	struct parsed_icmp p;
	struct es_result res;

	(void)state;
	raw.kernel_ident = false;
	raw.saddr = OUR_ADDR;
	m.len = build(&rows[0], buf);
	assert_int_equal(dgram_map(&m, &p), PARSE_OK);
	assert_int_equal(classify(&dctx, &p, SENT_NS + RTT_NS, &res), VERDICT_VALID);
	assert_int_equal(classify(&raw, &p, SENT_NS + RTT_NS, &res), VERDICT_INVALID);
}

/* A probe number at or above nprobes is refused even with a good MAC. */
static void test_probe_bound(void **state)
{
	struct row r = rows[0];
	uint8_t buf[8 + 56];
	struct dgram_msg m = { .icmp = buf, .name = TARGET, .local = OUR_ADDR };
	struct parsed_icmp p;
	struct es_result res;

	(void)state;
	r.probe = NPROBES;
	m.len = build(&r, buf);
	assert_int_equal(dgram_map(&m, &p), PARSE_OK);
	assert_int_equal(classify(&dctx, &p, SENT_NS + RTT_NS, &res), VERDICT_INVALID);
}

/* Without CAP_NET_RAW, TX_AUTO becomes TX_DGRAM; an explicit choice stays. */
static void test_pick(void **state)
{
	(void)state;
	assert_int_equal(dgram_pick_tx(TX_DGRAM), TX_DGRAM);
	assert_int_equal(dgram_pick_tx(TX_RING), TX_RING);
	assert_int_equal(dgram_pick_tx(TX_LIBNET), TX_LIBNET);
	assert_true(dgram_pick_tx(TX_AUTO) == TX_AUTO || dgram_pick_tx(TX_AUTO) == TX_DGRAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_raw_rules_reject_kernel_ident),
		cmocka_unit_test(test_probe_bound),
		cmocka_unit_test(test_pick),
	};
	return !!cmocka_run_group_tests(tests, NULL, NULL);
}
