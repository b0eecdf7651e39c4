/*
 * parse.h — decodes a captured frame into the fields validation needs.
 * Pure, bounds-checked on every byte: a truncated or malformed frame returns
 * an error, never reads past caplen. Handles IP options (IHL > 5) in both the
 * outer and the quoted header.
 */
#ifndef ECHOSCAN_PARSE_H
#define ECHOSCAN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum parse_status {
	PARSE_OK = 0,
	PARSE_NOT_ICMP,       /* not IPv4/ICMP: not for us */
	PARSE_TRUNCATED,      /* shorter than its headers say */
	PARSE_MALFORMED,      /* bad version/IHL/length */
	PARSE_BAD_CSUM,       /* ICMP checksum wrong (fields still filled) */
};

struct parsed_icmp {
	/* outer IPv4 */
	uint32_t src, dst;    /* host order */
	uint16_t ip_len;      /* total length */
	uint16_t ipid;
	uint8_t  ttl;
	/* ICMP */
	uint8_t  type, code;
	uint16_t id, seq;     /* echo reply: id and seq (host order) */
	uint32_t rest;        /* ICMP header bytes 4..7 (host order): for errors
	                       * the MTU, pointer or gateway */
	const uint8_t *data;  /* echo reply: payload after the 8-byte header */
	size_t   data_len;    /* bytes available (capped by caplen and ip_len) */
	/* ICMP errors (types 3, 4, 5, 11, 12): the quoted probe */
	bool     has_quote;
	uint32_t q_src, q_dst;
	uint16_t q_ipid;
	uint8_t  q_type;      /* quoted ICMP type (8 for our echo request) */
	uint16_t q_id, q_seq;
	uint16_t q_cksum;     /* quoted ICMP checksum (trace probes carry bits in it) */
	const uint8_t *q_data; /* quoted echo payload, possibly short or absent */
	size_t   q_data_len;
};

/* linktype: DLT_EN10MB (Ethernet, 802.1Q tags skipped), DLT_RAW / 12 / 14
 * (raw IPv4), DLT_LINUX_SLL (113), DLT_NULL/LOOP not supported. */
enum parse_status parse_frame(int linktype, const uint8_t *pkt, size_t caplen,
			      struct parsed_icmp *out);
/* Parses an IPv4 packet starting at the IP header. */
enum parse_status parse_ipv4(const uint8_t *ip, size_t len, struct parsed_icmp *out);
const char *parse_status_str(enum parse_status s);

#endif
