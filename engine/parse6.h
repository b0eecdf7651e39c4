/*
 * parse6.h — decodes a captured IPv6 frame into the fields validation needs:
 * the ICMPv6 message and, for ICMPv6 errors, the probe they quote. Pure and
 * bounds-checked like parse.h (same status codes): truncated or malformed
 * input returns an error and never reads past caplen. Extension headers
 * (hop-by-hop, routing, destination options, fragment) are walked in the
 * outer and the quoted packet; a non-first fragment is not ICMPv6 for us.
 */
#ifndef ECHOSCAN_PARSE6_H
#define ECHOSCAN_PARSE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/parse.h"

enum {
	ICMP6_T_UNREACH = 1, ICMP6_T_PACKET_TOO_BIG = 2, ICMP6_T_TIME_EXCEEDED = 3,
	ICMP6_T_PARAM_PROB = 4, ICMP6_T_ECHO_REQUEST = 128, ICMP6_T_ECHO_REPLY = 129,
	ICMP6_T_NEIGHBOR_SOLICIT = 135, ICMP6_T_NEIGHBOR_ADVERT = 136,
};

struct parsed_icmp6 {
	/* outer IPv6 */
	uint8_t  src[16], dst[16];
	uint16_t plen;        /* payload length field */
	uint8_t  hlim;        /* hop limit */
	uint32_t flow;        /* flow label */
	/* ICMPv6 */
	uint8_t  type, code;
	uint16_t id, seq;     /* echo: identifier and sequence */
	uint32_t rest;        /* header bytes 4..7: MTU (too big), pointer (param) */
	const uint8_t *data;  /* after the 8-byte header */
	size_t   data_len;    /* capped by caplen and the payload length */
	/* ICMPv6 errors (types 1..4): the quoted probe */
	bool     has_quote;
	uint8_t  q_src[16], q_dst[16];
	uint32_t q_flow;      /* our probe number travels here */
	uint8_t  q_type;      /* 128 for our echo request */
	uint16_t q_id, q_seq;
	const uint8_t *q_data; /* quoted echo payload, possibly short or absent */
	size_t   q_data_len;
};

/* linktype as parse_frame: Ethernet (802.1Q tags skipped), raw IP, Linux
 * cooked capture. PARSE_NOT_ICMP for anything that is not IPv6/ICMPv6. */
enum parse_status parse_frame6(int linktype, const uint8_t *pkt, size_t caplen,
			       struct parsed_icmp6 *out);
/* Parses an IPv6 packet starting at its header. */
enum parse_status parse_ipv6(const uint8_t *ip, size_t len, struct parsed_icmp6 *out);
/* The ICMPv6 checksum over the pseudo-header and msg[0..len): 0 when the
 * stored checksum is right (fold of the sum including it). */
uint16_t parse6_icmp_csum(const uint8_t src[16], const uint8_t dst[16],
			  const uint8_t *msg, size_t len);

#endif
