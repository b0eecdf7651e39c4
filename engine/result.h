/*
 * result.h — one validated reply, as the receiver hands it to the output writers,
 * and the per-host statistics row the host tables fill for them.
 *
 * Plain data with no library types, so output/ can format it without
 * knowing about libpcap or libnet. Addresses are IPv4 in host byte order.
 */
#ifndef ECHOSCAN_RESULT_H
#define ECHOSCAN_RESULT_H

#include <stdint.h>
#include "echoscan.h"
#include "engine/addr.h"

/* enum es_class (the classification) is public: echoscan.h. */

struct es_result {
	uint64_t ts_ns;       /* capture time, ns since the Unix epoch (CLOCK_REALTIME) */
	int64_t  rtt_ns;      /* round-trip time, or -1 when the reply did not carry it */
	uint32_t saddr;       /* the probed host (for errors: the quoted destination) */
	uint32_t daddr;       /* our source address the reply was sent to */
	uint32_t responder;   /* the IP source of the reply (the router for errors) */
	uint32_t info;        /* ICMP header bytes 4..7 of the reply: for errors
	                       * the next-hop MTU, pointer or redirect gateway */
	uint16_t probe;       /* probe number 0..P-1 */
	uint16_t ipid;        /* IP ID of the reply */
	uint16_t size;        /* IP total length of the reply */
	uint8_t  ttl;         /* IP TTL of the reply */
	uint8_t  type;        /* ICMP type */
	uint8_t  code;        /* ICMP code */
	uint8_t  classification; /* enum es_class */
	uint8_t  success;     /* 1 for an echo reply */
	uint8_t  repeat;      /* 1 if this host already answered before */
	uint8_t  cooldown;    /* 1 if received after sending ended */
	uint8_t  probe_ttl;   /* trace: the TTL the probe was sent with (its hop
	                       * number); 0 outside a trace */
	uint8_t  mac[6];      /* the host's MAC when it is on-link (learned by
	                       * ARP or from the kernel's neighbour table);
	                       * all zero when unknown or routed (a host's MAC
	                       * is never zero) */
	uint8_t  family;      /* ES_AF6: an IPv6 reply, whose three addresses
	                       * are saddr6, daddr6 and responder6 (the uint32
	                       * ones are 0; ttl is the hop limit, size the
	                       * IPv6 packet length, type and code ICMPv6's);
	                       * anything else: IPv4 */
	struct es_addr saddr6, daddr6, responder6;
};

/* Per-host statistics record (--stats), as engine/hosts.c
 * fills it and the output writers print it. RTTs in ns; -1 when none received. */
struct host_stats_row {
	uint32_t saddr;
	uint64_t sent, received;
	int64_t  rtt_min_ns, rtt_avg_ns, rtt_max_ns, rtt_mdev_ns, jitter_ns;
	uint64_t ts_ns;       /* end of the period the row covers (epoch ns) */
	uint8_t  family;      /* ES_AF6: the host is saddr6 (saddr is 0) */
	struct es_addr saddr6;
};

/* es_class_name (its name in output) is declared in echoscan.h and defined
 * in engine/result.c (pure: links without libnet, libpcap or Judy). */

#endif
