/*
 * tx.h — send backends behind one interface: PACKET_TX_RING (default),
 * sendmmsg batches, AF_XDP (tx_xdp.c), and libnet_write (the reference
 * path, one frame a call);
 * for loopback, a raw IP socket (see tx_raw.c).
 *
 * The sender thread hands every backend the same thing, a batch of targets
 * with a stamper (tx_send_probes): backends with frame slots (ring, mmsg,
 * raw; AF_XDP) let the stamper write into their slots, the libnet backend
 * builds each frame from the target's parameters. The caller never asks
 * which backend it holds. A tx is owned by one thread. Opening needs
 * CAP_NET_RAW; after tx_open the process may drop privileges.
 */
#ifndef ECHOSCAN_TX_H
#define ECHOSCAN_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/probe.h"

/* TX_DGRAM is not a tx backend: the scan sends (and receives) over ICMP
 * datagram sockets instead (dgram.h); tx_open refuses it. */
enum tx_kind { TX_AUTO = 0, TX_RING, TX_MMSG, TX_LIBNET, TX_DGRAM, TX_XDP };

/* TX_XDP (AF_XDP, tx_xdp.c): zero-copy where the driver has it, else copy
 * (TX_XDP_AUTO), or only one of them. */
enum tx_xdp_mode { TX_XDP_AUTO = 0, TX_XDP_COPY, TX_XDP_ZEROCOPY };

struct tx_stats {
	uint64_t frames;      /* frames handed to the kernel */
	uint64_t errors;      /* frames the kernel refused (counted, not retried) */
};

struct tx;
struct xdp_txq;

struct tx_config {
	enum tx_kind kind;
	const char *ifname;
	size_t frame_len;          /* bytes per frame (all frames same length) */
	unsigned batch_max;        /* max frames per begin/commit, e.g. 256 */
	bool ip_layer;             /* the device has no link-layer header (tun,
	                            * ipip, ...): frames are IP packets */
	bool ip_raw;               /* IP packets through the kernel's IP output
	                            * (raw socket, IP_HDRINCL): for lo, whatever
	                            * kind says */
	bool ip6;                  /* with ip_raw: the packets are IPv6 (an
	                            * AF_INET6 raw socket) */
	enum tx_xdp_mode xdp_mode;  /* TX_XDP only */
	unsigned xdp_queues;       /* TX_XDP: sockets (device queues); 0 = all */
	unsigned xdp_queue_first;  /* TX_XDP: the queues first, first + stride, ... */
	unsigned xdp_queue_stride; /* (several senders on one device); 0 = 1 */
	/* TX_XDP with --rx xdp: the receiver's sockets (xdp_dev.h), one per
	 * queue, whose send side this backend uses instead of opening its
	 * own; they must outlive the tx. NULL: sockets of its own. */
	const struct xdp_txq *xdp_shared;
	unsigned n_xdp_shared;
	/* libnet backend only: it rebuilds each frame from these */
	const struct probe_params *params;
	const struct vkey *key;
};

/* Opens the backend into *out. Returns ES_OK, or a negative enum es_error
 * (echoscan.h) with *out NULL and err set: ES_EPERM ("needs CAP_NET_RAW"),
 * ES_ENODEV ("eth9: no such interface", down), ES_EINVAL (bad config),
 * ES_EUNSUPPORTED (libnet on an IP-only device, AF_XDP missing),
 * ES_ENOMEM, ES_ESYS. */
int tx_open(const struct tx_config *cfg, struct tx **out, char *err, size_t errlen);
/* Name of the backend actually in use: "ring", "mmsg", "libnet", "raw",
 * "xdp-copy", "xdp-zerocopy". */
const char *tx_name(const struct tx *tx);
/* One batch of frames for tx_send_probes: n targets and how to make their
 * frames. Two callbacks, because backends make frames in two ways, and each
 * backend uses one of them; the caller supplies both (params may be NULL). */
struct tx_batch {
	unsigned n;                 /* targets in the batch */
	const uint32_t *daddr;      /* their IPv4 addresses, host order (read
	                             * with params only; may be NULL without) */
	uint16_t probe;             /* the probe number of every frame */
	/* Writes the frames of targets first..first+k-1, with send time ts,
	 * into slots[0..k) (frame_len bytes each). Backends that send prepared
	 * frames (ring, mmsg, raw, AF_XDP) call it on their own slots, so the
	 * frames are stamped where the kernel reads them (zero copy). */
	void (*stamp)(void *user, unsigned first, unsigned k, uint64_t ts,
		      uint8_t *const *slots);
	/* Fills the full description of target i (MACs, source, TTL ...) for
	 * backends that build each frame themselves (libnet, the reference
	 * build), which stamp it with send time ts. NULL when the stamped
	 * frames are complete as they are (ARP requests): such backends then
	 * write what stamp gives. */
	void (*params)(void *user, unsigned i, uint64_t ts, struct probe_params *p);
	void *user;
};

/* The one send call, the same for every backend: sends targets first..n-1
 * of b. Waits at most timeout_ms for room in the device queue. Returns how
 * many targets from first on were handed to the kernel (0 when there was no
 * room for timeout_ms: check whether to stop, then call again from first +
 * the count), or -1 with tx_last_error set (a dead socket or device). A
 * frame the kernel refuses alone is counted in tx_stats.errors, not an
 * error. Called from the tx's owner thread only. */
long tx_send_probes(struct tx *tx, const struct tx_batch *b, unsigned first,
		    int timeout_ms);
/* Waits until every queued frame has left (ring backend), at most timeout_ms. */
int tx_flush(struct tx *tx, int timeout_ms);
void tx_get_stats(const struct tx *tx, struct tx_stats *st);
void tx_close(struct tx *tx);
const char *tx_last_error(const struct tx *tx);

#endif
