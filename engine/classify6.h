/*
 * classify6.h — what a parsed ICMPv6 message means for the scan: validated
 * against the run's key like classify.h does for IPv4, with the same
 * verdicts, invalid reasons and result fields. The addresses go into a
 * struct es_addrs6 beside the es_result (whose IPv4 address fields stay 0).
 */
#ifndef ECHOSCAN_CLASSIFY6_H
#define ECHOSCAN_CLASSIFY6_H

#include <stddef.h>
#include <stdint.h>
#include "engine/addr.h"
#include "engine/classify.h"
#include "engine/parse6.h"

struct classify6_ctx {
	const struct vkey *key;
	uint8_t  saddr[16];   /* our source address (when n_saddrs == 0) */
	const uint8_t (*saddrs)[16];  /* our sources: with several paths a */
	size_t   n_saddrs;            /* reply may be addressed to any */
	uint16_t nprobes;     /* probe numbers must be < nprobes */
};

struct es_addrs6 {
	struct es_addr saddr;      /* the probed host (errors: the quoted destination) */
	struct es_addr daddr;      /* our address the reply was sent to */
	struct es_addr responder;  /* the reply's IPv6 source (the router for errors) */
};

/* ts_ns: capture time. Echo replies (129): valid only if id:seq is the tag
 * of (reply source, payload probe number) and the payload MAC checks; rtt
 * from the payload. Errors (1 unreachable, 2 packet too big, 3 time
 * exceeded, 4 parameter problem) quoting an echo request from our address:
 * the probe number is the quoted flow label (or, when a router changed the
 * label, the quoted stamp's), valid if the quoted id:seq is the tag of
 * (quoted destination, probe); rtt from the quoted payload when its MAC
 * checks, else -1. res->size is the IPv6 packet length (40 + payload
 * length), res->ttl the hop limit, res->ipid 0, res->info header bytes 4..7
 * (the MTU of a packet-too-big, the pointer of a parameter problem).
 * No allocation: called per frame. */
enum verdict classify6_why(const struct classify6_ctx *c, const struct parsed_icmp6 *p,
			   uint64_t ts_ns, struct es_result *res, struct es_addrs6 *addrs,
			   enum invalid_reason *why);

#endif
