/*
 * tx.h — send backends behind one interface: PACKET_TX_RING (default),
 * sendmmsg batches, and libnet_write (the reference path, one frame a call);
 * for loopback, a raw IP socket (see tx_raw.c).
 *
 * Usage from the sender thread:
 *   n = tx_begin(tx, want, slots);   // up to n frame buffers to fill
 *   ... fill slots[i] (up to tx_frame_max bytes each), set lens[i] ...
 *   tx_commit(tx, n, lens);          // queue and flush them to the wire
 * For the libnet backend a slot is a scratch buffer and commit rebuilds each
 * frame with libnet and writes it. A tx is owned by one thread. Opening needs
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
enum tx_kind { TX_AUTO = 0, TX_RING, TX_MMSG, TX_LIBNET, TX_DGRAM };

struct tx_stats {
	uint64_t frames;      /* frames handed to the kernel */
	uint64_t errors;      /* frames the kernel refused (counted, not retried) */
};

struct tx;

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
	/* libnet backend only: it rebuilds each frame from these */
	const struct probe_params *params;
	const struct vkey *key;
};

/* Opens the backend into *out. Returns ES_OK, or a negative enum es_error
 * (echoscan.h) with *out NULL and err set: ES_EPERM ("needs CAP_NET_RAW"),
 * ES_ENODEV ("eth9: no such interface", down), ES_EINVAL (bad config),
 * ES_EUNSUPPORTED (libnet on an IP-only device), ES_ENOMEM, ES_ESYS. */
int tx_open(const struct tx_config *cfg, struct tx **out, char *err, size_t errlen);
/* Name of the backend actually in use: "ring", "mmsg", "libnet", "raw". */
const char *tx_name(const struct tx *tx);
/* Waits (poll, at most timeout_ms) for free slots. Returns the number of slots
 * (1..want) written to slots[], 0 on timeout, -1 on error. */
int tx_begin(struct tx *tx, unsigned want, uint8_t **slots, int timeout_ms);
/* Sends the first n slots from the last tx_begin (not for TX_LIBNET, which
 * sends with tx_send_fields). Returns 0 or -1. */
int tx_commit(struct tx *tx, unsigned n);
/* libnet backend: sends each of the n targets with a full libnet build from
 * p and libnet_write. Other backends return -1. */
int tx_send_fields(struct tx *tx, const struct probe_params *p,
		   const struct probe_fields *f, unsigned n);
/* libnet backend: writes one ready frame (e.g. an ARP request) with
 * libnet_write_link. Other backends return -1. */
int tx_send_frame(struct tx *tx, const uint8_t *frame, size_t len);
/* Waits until every queued frame has left (ring backend), at most timeout_ms. */
int tx_flush(struct tx *tx, int timeout_ms);
void tx_get_stats(const struct tx *tx, struct tx_stats *st);
void tx_close(struct tx *tx);
const char *tx_last_error(const struct tx *tx);

#endif
