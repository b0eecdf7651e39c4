/*
 * dgram.h — the scan engine's unprivileged path: a send backend and a
 * receive source over ICMP datagram sockets (socket(AF_INET, SOCK_DGRAM,
 * IPPROTO_ICMP)), allowed without CAP_NET_RAW when the caller's group is in
 * net.ipv4.ping_group_range. The kernel routes every probe (each target
 * through its own route), picks the ICMP identifier (one per socket) and the
 * checksum; we write the rest of the echo request: seq = the low 16 bits of
 * validate_tag(daddr, probe) and the payload stamp of probe.h.
 *
 * Sending: dgram_send takes a batch of targets, stamps one request per
 * target and hands the batch to one socket with sendmmsg (msg_name per
 * target), the sockets taking turns. Receiving: dgram_recv polls every socket
 * and reads replies (recvmmsg: SO_TIMESTAMPNS, IP_RECVTTL, IP_PKTINFO) and
 * ICMP errors (the error queue, IP_RECVERR) and maps each
 * into the classifier's input (dgram_map), so the caller classifies them
 * with the same classify() as captured frames (classify_ctx.kernel_ident).
 *
 * Threads: dgram_send and dgram_send_stats belong to one sender thread,
 * dgram_recv and dgram_recv_stats to one receiver thread; dgram_wake may be
 * called from any thread. Nothing allocates after dgram_open.
 */
#ifndef ECHOSCAN_DGRAM_H
#define ECHOSCAN_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/parse.h"
#include "engine/tx.h"
#include "engine/validate.h"

#define DGRAM_SOCKETS_MAX 64

struct dgram_config {
	const char *ifname;        /* -i: SO_BINDTODEVICE, or NULL */
	uint32_t saddr;            /* -S: bind (host order), or 0 */
	int ttl;                   /* IP TTL; 0 = the kernel's default */
	uint16_t payload_len;      /* PROBE_PAYLOAD_MIN..PROBE_PAYLOAD_MAX */
	const struct vkey *key;    /* the run's key (copied) */
	unsigned sockets;          /* 1..DGRAM_SOCKETS_MAX */
	unsigned batch_max;        /* most targets per dgram_send */
};

struct dgram;

/* Opens the sockets into *out. Returns ES_OK, or a negative enum es_error
 * (echoscan.h) with *out NULL and err set: ES_EPERM when socket() refuses
 * (ping_group_range does not hold the caller's group; err says so, with
 * the fix), ES_ENODEV (-i names no usable device), ES_EINVAL (bad config),
 * ES_ENOMEM, ES_ESYS. */
int dgram_open(const struct dgram_config *cfg, struct dgram **out, char *err,
	       size_t errlen);
/* The path a scan asked for `asked` takes: TX_DGRAM when asked for it, or
 * when asked is TX_AUTO and the kernel refuses raw sockets (no CAP_NET_RAW);
 * otherwise asked. */
enum tx_kind dgram_pick_tx(enum tx_kind asked);

/* Sends probe number `probe` to the n targets (n <= batch_max), stamped with
 * one send time. A target the kernel refuses (no route, ...) is counted in
 * the errors and skipped. Returns 0, or -1 with dgram_last_error set when
 * sending cannot go on. */
int dgram_send(struct dgram *d, const uint32_t *daddr, unsigned n, uint16_t probe);
void dgram_send_stats(const struct dgram *d, uint64_t *sent, uint64_t *errors);
const char *dgram_last_error(const struct dgram *d);

/* Called for each reply or error read: st is PARSE_OK with p filled, or why
 * the message could not be mapped (p then unspecified). */
typedef void (*dgram_handler)(void *user, uint64_t ts_ns, enum parse_status st,
			      const struct parsed_icmp *p);
/* Reads what is queued on every socket, waiting at most timeout_ms (or until
 * dgram_wake) when nothing is. Returns the number of messages handled, or -1
 * with err set. */
int dgram_recv(struct dgram *d, dgram_handler fn, void *user, int timeout_ms,
	       char *err, size_t errlen);
/* Makes a waiting dgram_recv return. */
void dgram_wake(struct dgram *d);
/* Messages read, and what the sockets' receive queues dropped when full
 * (SO_MEMINFO). Receiver thread. */
void dgram_recv_stats(const struct dgram *d, uint64_t *received, uint64_t *dropped);
void dgram_close(struct dgram *d);

/* ---- pure: one message as the classifier sees it ---------------------- */

/* What recvmsg says about one message of an ICMP datagram socket. */
struct dgram_msg {
	const uint8_t *icmp;   /* reply: the ICMP message; error: the quoted one */
	size_t len;
	bool is_error;         /* read from the error queue */
	uint32_t name;         /* msg_name, host order: a reply's source; for an
	                        * error the address the quoted probe went to */
	uint32_t local;        /* IP_PKTINFO: our address it came to, or 0 */
	int ttl;               /* IP_RECVTTL, or 0 */
	/* errors (IP_RECVERR) */
	bool icmp_origin;      /* ee_origin == SO_EE_ORIGIN_ICMP */
	uint8_t type, code;    /* ee_type, ee_code */
	uint32_t info;         /* ee_info: MTU, pointer or gateway */
	uint32_t offender;     /* who sent the error, or 0 */
};

/* Fills p as parse_ipv4 would for the same packet on the wire: a reply's
 * id/seq/payload, an error's type/code/rest and quote. What a datagram socket
 * does not show: the reply's IP ID (0) and options (ip_len assumes none), the
 * quoted IP header (q_src = local, q_dst = name; q_ipid carries the probe
 * number from the quoted stamp, or 0 when the quote is shorter). Returns
 * PARSE_OK, PARSE_NOT_ICMP (an error not from an ICMP message, e.g. a local
 * one) or PARSE_TRUNCATED (shorter than an ICMP header). */
enum parse_status dgram_map(const struct dgram_msg *m, struct parsed_icmp *p);

#endif
