/*
 * trace_probe.h — the stateless traceroute probe: an ICMP echo request sent
 * with a chosen TTL whose every reply (time exceeded from a router,
 * unreachable, echo reply from the target) can be matched without per-probe
 * state, even when a router quotes only the IP header and 8 bytes of it.
 *
 * The 64 bits every quote returns carry the probe (t = send time in µs, low
 * 24 bits, wraps every 16.7 s; check = 32 bits of SipHash-2-4(key, 'R' ‖
 * daddr[4] ‖ ttl ‖ t[3])):
 *   IP ID         = ttl << 8 | t >> 16
 *   ICMP id       = t & 0xffff
 *   ICMP seq      = check >> 16
 *   ICMP checksum = check & 0xffff   (set by two compensation bytes in the
 *                                     payload, as yarrp does)
 * The payload (at least TRACE_PAYLOAD_MIN bytes) carries the usual stamp
 * (probe.h: send time in ns, MAC over (daddr, time, ttl), ttl in place of the
 * probe number), then the two compensation bytes, then the fill. An echo
 * reply returns the payload: it is held to the MAC. A quote that holds the
 * stamp is held to it too and gives the RTT in ns; a 28-byte quote gives it
 * in µs from t.
 *
 * Pure functions and a bounded shared table; thread-safety is noted per
 * function. Nothing here allocates in the per-packet path.
 */
#ifndef ECHOSCAN_TRACE_PROBE_H
#define ECHOSCAN_TRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/classify.h"
#include "engine/parse.h"
#include "engine/probe.h"
#include "engine/result.h"
#include "engine/validate.h"

#define TRACE_PAYLOAD_MIN (PROBE_STAMP_LEN + 2)   /* stamp + checksum compensation */
#define TRACE_TIME_BITS   24                      /* µs: RTTs up to 16.7 s */
#define TRACE_TIME_MASK   ((1u << TRACE_TIME_BITS) - 1)

/* The 32-bit keyed check over (daddr, ttl, t). Pure, thread-safe. */
uint32_t trace_check(const struct vkey *key, uint32_t daddr, uint8_t ttl, uint32_t t_us);
/* The low TRACE_TIME_BITS of the send time in µs. */
static inline uint32_t trace_time(uint64_t ts_ns)
{
	return (uint32_t)(ts_ns / 1000u) & TRACE_TIME_MASK;
}

/* Copies template t (payload_len >= TRACE_PAYLOAD_MIN) into out and stamps
 * a trace probe to daddr with this TTL and send time. Reads only t: any
 * thread. */
void trace_stamp(const struct probe_template *t, uint32_t daddr, uint8_t ttl,
		 uint64_t ts_ns, uint8_t *out);

/* What a matched reply says about its probe. */
struct trace_match {
	uint8_t ttl;          /* the probe's TTL (its hop number) */
	int64_t rtt_ns;       /* capture time minus send time (>= 0) */
};

/* Checks the quoted fields of an ICMP error (q_dst, q_ipid, q_id, q_seq,
 * q_cksum, and the quoted payload when it holds the stamp). Returns true and
 * fills m when they are a trace probe of ours. Pure. */
bool trace_match_quote(const struct vkey *key, const struct parsed_icmp *p,
		       uint64_t now_ns, struct trace_match *m);
/* Checks an echo reply from p->src (id, seq and the payload stamp). Pure. */
bool trace_match_reply(const struct vkey *key, const struct parsed_icmp *p,
		       uint64_t now_ns, struct trace_match *m);

/* classify() for a trace run (classify_ctx.trace): echo replies and ICMP
 * errors quoting trace probes become results with probe_ttl set (and probe
 * = the TTL); failures are VERDICT_INVALID with the reason. The caller has
 * checked that the reply is addressed to us. Pure. */
enum verdict trace_classify(const struct classify_ctx *c, const struct parsed_icmp *p,
			    uint64_t ts_ns, struct es_result *res, enum invalid_reason *why);

/*
 * The stop hint: for each target (by its rank in the target list) the
 * smallest TTL at which the target itself answered, 0 while unknown. One
 * byte per target, allocated once (trace_reach_init), so it is bounded by
 * the target count. The receiver writes it and the sender reads it with
 * relaxed atomics: a stale read only costs a probe that was not needed.
 */
struct trace_reach {
	_Atomic uint8_t *dist;
	uint64_t n;
};

/* Returns 0, or -1 when n bytes cannot be had (the caller may go on without
 * the hint: trace_reach_* then do nothing). */
int trace_reach_init(struct trace_reach *r, uint64_t n);
void trace_reach_free(struct trace_reach *r);
/* Records that the target of rank i answered a probe with this TTL. */
void trace_reach_note(struct trace_reach *r, uint64_t i, uint8_t ttl);
/* Whether a probe with this TTL to the target of rank i is still useful. */
bool trace_reach_wanted(const struct trace_reach *r, uint64_t i, uint8_t ttl);

#endif
