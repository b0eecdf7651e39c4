/*
 * fuzz_frame.c — libFuzzer harness for the receive path: arbitrary bytes as
 * a captured frame go through parse_frame (the first input byte picks the
 * link type: Ethernet, the raw-IP types, Linux cooked capture, or one we do
 * not support; its top bit sets kernel_ident, the ICMP datagram socket
 * mode, and the next one trace, the traceroute probes of trace_probe.h),
 * then classify with a fixed key, as the receiver does.
 * classify runs whatever the parse status (the receiver only passes it
 * PARSE_OK frames, but it must be safe on any decoded struct). Properties:
 * the decoded payload and quote lie inside the frame; a valid verdict names
 * a probe number below the limit (trace: a TTL of 1..255 and an RTT) and,
 * unless kernel_ident, our address.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/parse.h"
#include "tests/fuzz/fuzz_util.h"

#define OUR_ADDR 0xc6130001u     /* 198.19.0.1, the lab scanner */
#define NPROBES  3

static const struct vkey key = { { 0x5e, 0xc7, 0x21, 0x09, 0x77, 0x3a, 0x4f, 0x10,
				   0x88, 0xd2, 0x6b, 0x01, 0xee, 0x42, 0x90, 0x3c } };

static bool inside(const uint8_t *lo, const uint8_t *hi, const uint8_t *p, size_t n)
{
	return n == 0 || (p >= lo && p <= hi && n <= (size_t)(hi - p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int linktypes[] = { 1, 12, 14, 101, 113, 0 };
	struct parsed_icmp p;
	struct es_result res;

	if (size < 1)
		return 0;
	const struct classify_ctx ctx = { .key = &key, .saddr = OUR_ADDR, .nprobes = NPROBES,
					  .kernel_ident = (data[0] & 0x80) != 0,
					  .trace = (data[0] & 0xc0) == 0x40 };
	int lt = linktypes[(data[0] & 0x3f) % (sizeof(linktypes) / sizeof(linktypes[0]))];
	const uint8_t *frame = data + 1, *end = data + size;
	enum parse_status st = parse_frame(lt, frame, size - 1, &p);

	FUZZ_CHECK(parse_status_str(st) != NULL, "status %d", (int)st);
	FUZZ_CHECK(inside(frame, end, p.data, p.data_len), "payload outside the frame");
	FUZZ_CHECK(!p.has_quote || inside(frame, end, p.q_data, p.q_data_len),
		   "quote outside the frame");
	memset(&res, 0, sizeof(res));
	enum invalid_reason why;
	enum verdict v = classify_why(&ctx, &p, 1700000000000000000ull, &res, &why);
	/* a reason exactly for invalid verdicts, and one the summary can name */
	FUZZ_CHECK((v == VERDICT_INVALID) == (why != INVALID_NONE) && why < INVALID_COUNT,
		   "verdict %d with reason %d", (int)v, (int)why);
	FUZZ_CHECK(invalid_from_parse(st) < INVALID_COUNT, "parse reason");
	if (v == VERDICT_VALID && ctx.trace) {
		FUZZ_CHECK(res.probe_ttl >= 1 && res.probe == res.probe_ttl, "ttl %u", res.probe_ttl);
		FUZZ_CHECK(res.rtt_ns >= 0 && res.daddr == OUR_ADDR, "rtt %lld to %08x",
			   (long long)res.rtt_ns, res.daddr);
	} else if (v == VERDICT_VALID) {
		/* a fuzzer cannot forge the keyed hash: only the seeds built
		 * with this key get here, and then the result must hold up */
		FUZZ_CHECK(res.probe < NPROBES, "probe %u", res.probe);
		FUZZ_CHECK(ctx.kernel_ident || res.daddr == OUR_ADDR, "reply to %08x", res.daddr);
	}
	return 0;
}
