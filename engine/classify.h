/*
 * classify.h — decides what a parsed ICMP message means for the scan:
 * validates it against the run's key and fills an es_result.
 */
#ifndef ECHOSCAN_CLASSIFY_H
#define ECHOSCAN_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>
#include "engine/parse.h"
#include "engine/result.h"
#include "engine/validate.h"

enum verdict {
	VERDICT_VALID = 0,    /* ours and authentic: res is filled */
	VERDICT_INVALID,      /* looks like a reply to us but fails validation */
	VERDICT_IGNORE,       /* not a reply to an echo probe (e.g. echo request) */
};

/* Why a frame was counted invalid, so a summary can tell an attack (tag,
 * mac, foreign quote) from a broken path (checksum, truncated). Only grows. */
enum invalid_reason {
	INVALID_NONE = 0,
	INVALID_TRUNCATED,    /* shorter than its headers say (parse) */
	INVALID_MALFORMED,    /* bad IP version, header or total length (parse) */
	INVALID_CHECKSUM,     /* ICMP checksum wrong (parse) */
	INVALID_SHORT,        /* echo reply too short to carry our stamp */
	INVALID_PROBE,        /* probe number not one we send */
	INVALID_TAG,          /* echo reply id:seq is not our tag for its source */
	INVALID_MAC,          /* payload MAC (over time and probe) fails */
	INVALID_QUOTE,        /* ICMP error quoting an echo request from our
	                       * address that we did not send */
	INVALID_COUNT
};

/* Short name for summaries ("checksum", "mac", ...); "?" if out of range. */
const char *invalid_reason_name(unsigned reason);
/* The reason for a parse failure (INVALID_NONE for PARSE_OK/NOT_ICMP). */
enum invalid_reason invalid_from_parse(enum parse_status s);

struct classify_ctx {
	const struct vkey *key;
	uint32_t saddr;       /* our source address, host order (when n_saddrs == 0) */
	uint16_t nprobes;     /* probe numbers must be < nprobes */
	bool kernel_ident;    /* ICMP datagram sockets (dgram.h): the kernel
	                       * chose the identifier and matched the message
	                       * to our socket, so the addresses to us are not
	                       * checked and the tag is checked in seq only
	                       * (its low 16 bits); see classify() */
	const uint32_t *saddrs;  /* our source addresses, sorted ascending: */
	size_t n_saddrs;      /* with several paths a reply may be addressed to any */
	bool trace;           /* traceroute probes (trace_probe.h): trace_classify */
};

/* ts_ns: capture time. Sets every field of res except repeat and cooldown.
 * Echo replies: valid only if id:seq and the payload MAC check; rtt from the
 * payload time. Errors: valid if quoted dst/IP ID/id:seq check; rtt from the
 * quoted payload when it is quoted whole and its MAC checks, else -1.
 * With kernel_ident: echo replies need seq = low 16 bits of the tag and the
 * payload MAC; errors take the probe number from q_ipid (the quoted stamp's,
 * see dgram_map) and need the quoted seq to match and, when the quote holds
 * the stamp, its MAC (else the quote must be of probe 0). */
enum verdict classify(const struct classify_ctx *c, const struct parsed_icmp *p,
		      uint64_t ts_ns, struct es_result *res);
/* classify, and with VERDICT_INVALID the reason in *why (else INVALID_NONE).
 * No allocation: called per frame. */
enum verdict classify_why(const struct classify_ctx *c, const struct parsed_icmp *p,
			  uint64_t ts_ns, struct es_result *res, enum invalid_reason *why);

#endif
