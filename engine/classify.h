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

#endif
