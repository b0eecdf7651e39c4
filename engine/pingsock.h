/*
 * pingsock.h — echo requests through the kernel's IP layer, as iputils ping
 * sends them: a raw ICMP socket (SOCK_RAW, needs CAP_NET_RAW) or the ICMP
 * datagram socket (unprivileged, net.ipv4.ping_group_range). `echoscan ping`
 * uses it for what the scan engine's frames cannot do: IP options (-R, -T),
 * sizes the engine does not build (below 18 and above 1472 payload bytes,
 * fragmented by the kernel), broadcast, socket marks, buffers and flags,
 * a chosen identifier, and a send schedule driven by replies (flood, preload,
 * adaptive).
 *
 * The payload is laid out as in probe.h when it is at least PROBE_STAMP_LEN
 * bytes (send time, keyed MAC, probe number; the reply is valid only if the
 * MAC checks). Smaller payloads cannot carry it: then a reply is matched by
 * identifier, sequence number and source, as iputils matches it, and timed
 * by the send time of each probe number kept here (65536 slots; an ICMP
 * error whose quote is too short for the stamp is timed by it too). Bytes past
 * the stamp are checked against what was sent ("wrong data byte").
 *
 * Results are es_result records like the engine's; what a reply carried
 * beyond them (IP options, a wrong byte, truncation) and local send errors
 * come in struct pingsock_info. One owner thread; nothing here prints;
 * buffers are allocated at open only.
 */
#ifndef ECHOSCAN_PINGSOCK_H
#define ECHOSCAN_PINGSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/result.h"

#define PINGSOCK_PAYLOAD_MAX 65507   /* 65535 - 20 (IP) - 8 (ICMP) */
#define PINGSOCK_IPOPT_MAX   40

struct pingsock_config {
	uint8_t family;            /* 0 or 4: IPv4 (daddr, saddr); 6: IPv6 (daddr6, saddr6):
	                            * ICMPv6 over AF_INET6 sockets, IPV6_* options */
	uint32_t daddr;            /* host order */
	uint32_t saddr;            /* bind to this source (host order); 0 = kernel's choice */
	uint8_t daddr6[16];        /* network order */
	uint8_t saddr6[16];        /* bind to this source when has_saddr6 */
	bool has_saddr6;
	const char *ifname;        /* SO_BINDTODEVICE, or NULL */
	bool raw;                  /* SOCK_RAW (CAP_NET_RAW) rather than SOCK_DGRAM */
	int ident;                 /* ICMP identifier (raw) or bound port (dgram); -1 = none */
	int ttl;                   /* IP_TTL and IP_MULTICAST_TTL (IPv6: the unicast and
	                            * multicast hop limits); 0 = the kernel's default */
	int tos;                   /* IP_TOS (IPv6: IPV6_TCLASS); 0 = the kernel's default */
	int pmtudisc;              /* IP_MTU_DISCOVER (IPV6_MTU_DISCOVER) value; -1 = default */
	size_t payload_len;        /* 0..PINGSOCK_PAYLOAD_MAX */
	const uint8_t *fill;       /* payload bytes as iputils fills them (payload_len bytes) */
	const uint8_t *ip_options; /* IP_OPTIONS, or NULL (IPv4 only) */
	size_t ip_options_len;
	int sndbuf;                /* SO_SNDBUF; 0 = iputils' estimate for one probe */
	int preload;               /* probes in flight at once (sizes SO_RCVBUF); >= 1 */
	bool broadcast;            /* SO_BROADCAST */
	bool debug;                /* SO_DEBUG (failure ignored, as iputils) */
	bool dontroute;            /* SO_DONTROUTE */
	bool noloop;               /* IP_MULTICAST_LOOP off */
	bool connect;              /* connect() to daddr */
	uint64_t interval_ms;      /* SO_SNDTIMEO as iputils sets it */
	bool flowinfo;             /* IPv6: a flow label (IPV6_FLOWLABEL_MGR, as iputils -F) */
	uint32_t flowlabel;        /*   its 20 bits; 0: the kernel picks one */
};

/* What a result carried beyond struct es_result (valid until the next call). */
struct pingsock_info {
	bool local;                /* a local error (res not filled): */
	int local_errno;           /*   its errno (EMSGSIZE: local_mtu is the MTU) */
	uint32_t local_mtu;
	size_t icmp_len;           /* bytes of ICMP (header + data) received */
	bool truncated;            /* fewer data bytes than sent */
	bool timed;                /* res->rtt_ns is the RTT */
	const uint8_t *ip_opts;    /* the reply's IP options (raw: header; dgram: IP_RETOPTS) */
	size_t ip_opts_len;
	int bad_byte;              /* first data byte that differs from what was sent, or -1 */
	uint8_t bad_want, bad_got;
	const uint8_t *data;       /* the reply's data (after the ICMP header) */
	size_t data_len;
};

struct pingsock;

/* Opens and configures the socket into *out. Returns ES_OK, or a negative
 * enum es_error with err set and *out NULL: ES_EPERM (socket() refused:
 * no CAP_NET_RAW for raw, the group outside ping_group_range for the
 * datagram socket), ES_EUNSUPPORTED (no such socket on this kernel: IPv6
 * disabled, no ping sockets), ES_EINVAL (bad size), ES_ENODEV (-I),
 * ES_ENOMEM, ES_ESYS. */
int pingsock_open(const struct pingsock_config *cfg, struct pingsock **out,
		  char *err, size_t errlen);
/* SO_MARK (needs CAP_NET_ADMIN): 0 or the errno. */
int pingsock_set_mark(struct pingsock *s, uint32_t mark);
int pingsock_fd(const struct pingsock *s);
/* The identifier in use (raw: chosen or given; dgram: the bound port, or -1). */
int pingsock_ident(const struct pingsock *s);
/* IPv6 with cfg->flowinfo: the flow label the kernel granted; else 0. */
uint32_t pingsock_flowlabel(const struct pingsock *s);
/* The TTL (IPv6: unicast hop limit) of the next sends, 1..255: a trace
 * sets it before each probe. Returns 0, or the errno. */
int pingsock_set_hoplimit(struct pingsock *s, int ttl);
/* Sends probe number `probe` (sequence probe + 1) and keeps its send time
 * by sequence (for replies and errors that carry no stamp). Returns 0, or
 * the errno. */
int pingsock_send(struct pingsock *s, uint16_t probe);
/* Takes one reply, ICMP error or local error without blocking. Returns 1
 * with res and info filled (info->local: only info's local fields), 0 when
 * nothing valid is pending, -1 with err on a socket error. IPv6 results
 * have res->family ES_AF6 and their addresses in saddr6/responder6; ICMPv6
 * types and codes are passed through as they came (1 unreachable, 2 packet
 * too big, 3 time exceeded, 4 parameter problem). */
int pingsock_recv(struct pingsock *s, struct es_result *res, struct pingsock_info *info,
		  char *err, size_t errlen);
void pingsock_close(struct pingsock *s);

#endif
