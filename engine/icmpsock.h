/*
 * icmpsock.h — the unprivileged path: echo requests over the kernel's ICMP
 * datagram socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)), allowed when
 * the caller's group is in net.ipv4.ping_group_range; no CAP_NET_RAW needed.
 *
 * The kernel picks the ICMP identifier and routes the probe, so validation
 * rests on the payload, laid out as in probe.h (send time, keyed MAC over
 * (destination, time, probe), probe number, fill) and on the sequence number
 * (probe + 1). Replies come with the kernel's receive timestamp
 * (SO_TIMESTAMPNS) and TTL (IP_RECVTTL); ICMP errors come through the
 * socket's error queue (IP_RECVERR), with type, code, info and the address
 * of the router that sent them. Results are es_result records, as from the
 * raw engine, so the caller formats both alike.
 *
 * One owner thread; nothing here prints or allocates after icmpsock_open.
 */
#ifndef ECHOSCAN_ICMPSOCK_H
#define ECHOSCAN_ICMPSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "engine/result.h"

/* What main prints when neither raw sockets nor this socket are allowed. */
#define ICMPSOCK_NO_PRIV_MSG "needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep echoscan) " \
	"or an ICMP datagram socket (allow your group: sysctl -w " \
	"net.ipv4.ping_group_range=\"0 2147483647\")"

struct icmpsock_config {
	uint32_t daddr;            /* host order */
	uint32_t saddr;            /* bind to this source (host order); 0 = kernel's choice */
	const char *ifname;        /* SO_BINDTODEVICE, or NULL */
	int ttl;                   /* IP TTL; 0 = the kernel's default */
	int tos;                   /* IP_TOS; 0 = the kernel's default */
	bool pmtu_set;             /* set IP_MTU_DISCOVER to pmtudisc (else the kernel's default) */
	int pmtudisc;              /* IP_PMTUDISC_DO, _WANT or _DONT */
	uint16_t payload_len;      /* PROBE_PAYLOAD_MIN..PROBE_PAYLOAD_MAX */
	const uint8_t *pattern;    /* fill for payload bytes 18.. (repeated); NULL = default */
	size_t pattern_len;
};

struct icmpsock;

/* Opens and configures the socket into *out. Returns ES_OK, or a negative
 * enum es_error (echoscan.h) with *out NULL and err set: ES_EPERM when
 * socket() refuses (the group is not in net.ipv4.ping_group_range),
 * ES_ENODEV (-i names no usable device), ES_EINVAL (bad payload length,
 * or a source address that is not ours), ES_ENOMEM, ES_ESYS. */
int icmpsock_open(const struct icmpsock_config *cfg, struct icmpsock **out,
		  char *err, size_t errlen);
/* For poll(): readable when a reply is queued, POLLERR for an ICMP error. */
int icmpsock_fd(const struct icmpsock *s);
/* Sends probe number `probe` (sequence probe + 1). Returns 0, or -1 with err. */
int icmpsock_send(struct icmpsock *s, uint16_t probe, char *err, size_t errlen);
/* Takes one validated reply or error, without blocking. Returns 1 with res
 * filled (res->info: an ICMP error's MTU/pointer/gateway, else 0), 0 when
 * nothing valid is pending, -1 with err on a socket error. */
int icmpsock_recv(struct icmpsock *s, struct es_result *res, char *err, size_t errlen);
/* Replies that failed validation so far. */
uint64_t icmpsock_invalid(const struct icmpsock *s);
void icmpsock_close(struct icmpsock *s);

/* ---- shared with the scan engine's datagram path (dgram.c) -------------- */

/* Opens one ICMP datagram socket configured as icmpsock_open does (error
 * queue, TTL and receive timestamp control messages, cfg's TTL, device and
 * source; cfg->daddr and the payload fields are not used). Returns the fd,
 * or -1 with *errnum and err set as icmpsock_open. */
int icmpsock_socket(const struct icmpsock_config *cfg, int *errnum, char *err,
		    size_t errlen);

/* What the control messages of one received message say. */
struct icmpsock_meta {
	uint64_t ts_ns;        /* SO_TIMESTAMPNS, or the clock when absent */
	int ttl;               /* IP_RECVTTL, 0 when absent */
	uint32_t local;        /* IP_PKTINFO: the address it was sent to, or 0 */
	bool has_ee;           /* IP_RECVERR: an error queue entry */
	uint8_t ee_origin;     /* SO_EE_ORIGIN_* */
	uint8_t ee_type, ee_code;
	uint32_t ee_errno;     /* a local error's errno (EMSGSIZE, ...) */
	uint32_t ee_info;
	uint32_t ee_offender;  /* host order; 0 when not given */
	/* IPv6 sockets (IPV6_RECVERR, IPV6_RECVHOPLIMIT): the hop limit lands
	 * in ttl; the offender here, offender6[0] set when given */
	uint8_t ee_offender6[16];
	bool has_offender6;
};

/* Reads the control messages of msg (after recvmsg/recvmmsg) into m. */
void icmpsock_read_meta(struct msghdr *msg, struct icmpsock_meta *m);

#endif
