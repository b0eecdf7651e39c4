/*
 * fuzz_frame6.c — libFuzzer harness for the IPv6 receive path: arbitrary
 * bytes as a captured frame go through parse_frame6 (the first input byte
 * picks the link type: Ethernet, the raw-IP types, Linux cooked capture, or
 * one we do not support), then classify6 with a fixed key and the neighbour
 * advertisement parser, as the receiver does. Properties: the decoded
 * payload and quote lie inside the frame; a reason exactly for invalid
 * verdicts; a valid verdict names a probe number below the limit, our
 * address as the destination and, for an error, the quoted destination as
 * the host.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/classify6.h"
#include "engine/nd.h"
#include "engine/parse6.h"
#include "tests/fuzz/fuzz_util.h"

#define NPROBES 3

static const struct vkey key = { { 0x5e, 0xc7, 0x21, 0x09, 0x77, 0x3a, 0x4f, 0x10,
				   0x88, 0xd2, 0x6b, 0x01, 0xee, 0x42, 0x90, 0x3c } };
static const uint8_t our[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static bool inside(const uint8_t *lo, const uint8_t *hi, const uint8_t *p, size_t n)
{
	return n == 0 || (p >= lo && p <= hi && n <= (size_t)(hi - p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int linktypes[] = { 1, 12, 14, 101, 113, 0 };
	struct classify6_ctx ctx = { .key = &key, .nprobes = NPROBES };
	struct parsed_icmp6 p;
	struct es_result res;
	struct es_addrs6 a;
	enum invalid_reason why;
	uint8_t target[16], mac[6], dst[16];

	if (size < 1)
		return 0;
	memcpy(ctx.saddr, our, 16);
	int lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	const uint8_t *frame = data + 1, *end = data + size;
	enum parse_status st = parse_frame6(lt, frame, size - 1, &p);

	FUZZ_CHECK(parse_status_str(st) != NULL, "status %d", (int)st);
	FUZZ_CHECK(inside(frame, end, p.data, p.data_len), "payload outside the frame");
	FUZZ_CHECK(!p.has_quote || inside(frame, end, p.q_data, p.q_data_len),
		   "quote outside the frame");
	memset(&res, 0, sizeof(res));
	enum verdict v = classify6_why(&ctx, &p, 1700000000000000000ull, &res, &a, &why);
	FUZZ_CHECK((v == VERDICT_INVALID) == (why != INVALID_NONE) && why < INVALID_COUNT,
		   "verdict %d with reason %d", (int)v, (int)why);
	if (v == VERDICT_VALID) {
		FUZZ_CHECK(res.probe < NPROBES, "probe %u", res.probe);
		FUZZ_CHECK(memcmp(a.daddr.bytes, our, 16) == 0, "reply not to us");
		FUZZ_CHECK(res.success || memcmp(a.saddr.bytes, p.q_dst, 16) == 0,
			   "an error names another host than its quote's");
		FUZZ_CHECK(!res.success || memcmp(a.saddr.bytes, p.src, 16) == 0,
			   "an echo reply names another host than its source");
	}
	(void)nd_parse_advert(lt, frame, size - 1, target, mac, dst);
	return 0;
}
