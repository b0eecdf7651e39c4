/*
 * scan_path.h — engine-internal: how a scan's IPv4 probes go out and its
 * replies come back, behind one table of operations that scan_open picks
 * once (as tx_impl.h's send backends, redis's ae_epoll.c / ae_kqueue.c):
 *
 *   the packet path (scan_path_packet.c): the path table, a probe
 *     template per path, a send backend per interface and sender thread
 *     (tx.h) and a capture or AF_XDP receiver (rx.h); needs CAP_NET_RAW;
 *   the datagram path (scan_path_dgram.c: scan_path_dgram, --tx dgram):
 *     ICMP datagram sockets (dgram.h), no privilege; the kernel routes each
 *     probe and writes its ICMP identifier and checksum.
 *
 * The sender and receiver loops of scan.c call only these operations and
 * never ask which path they have. A path reports back into the scan
 * through the scan_path_* functions below (defined in scan.c; the packet
 * path, which shares the scan's state, also through scan_impl.h).
 *
 * Threads: send and send_stats run on the sender thread they name; recv
 * and recv_stats on the receiver thread; wake on any thread; check, open,
 * tx_name, rx_name and close on the scan's owner. No operation allocates,
 * locks or logs after open.
 */
#ifndef ECHOSCAN_SCAN_PATH_H
#define ECHOSCAN_SCAN_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/parse.h"

/* Most targets per send; how long one recv waits when nothing arrives. */
#define SCAN_PATH_BATCH_MAX 256
#define SCAN_PATH_WAIT_MS   5

struct scan;
struct scan_config;
struct vkey;

struct scan_path_ops {
	/* The kernel routes each probe and builds its headers: the scan
	 * builds no path table and no probe templates, runs one sender, and
	 * replies are matched by the socket's identifier
	 * (classify_ctx.kernel_ident). */
	bool kernel_routes;
	/* Refuses what this path cannot do with c, before anything is
	 * opened: ES_EINVAL with err naming the option and the fix, or
	 * ES_OK. trace: c asks for a trace. */
	int (*check)(const struct scan_config *c, bool trace, char *err, size_t errlen);
	/* Opens the path's sockets into *state (the scan's key and
	 * configuration are set). Returns ES_OK or a negative enum es_error
	 * with err set; close is called either way. */
	int (*open)(struct scan *s, const struct scan_config *c, const struct vkey *key,
		    void **state, char *err, size_t errlen);
	/* Sender thread `sender`: sends probe number `probe` to the n targets
	 * (n <= SCAN_PATH_BATCH_MAX; ttl: each one's TTL for a trace, else
	 * NULL), calling scan_path_stamping before and scan_path_sent after
	 * they are handed to the kernel. Returns how many were sent (targets
	 * not probed are left out), or -1 with err set. */
	long (*send)(struct scan *s, void *state, unsigned sender, const uint32_t *daddr,
		     const uint8_t *ttl, unsigned n, uint16_t probe, char *err, size_t errlen);
	/* The frames sender `sender` handed to the kernel and those refused. */
	void (*send_stats)(const struct scan *s, const void *state, unsigned sender,
			   uint64_t *frames, uint64_t *errors);
	/* Receiver: hands what has arrived to the scan's receiver (the
	 * datagram path: scan_path_parsed), waiting up to SCAN_PATH_WAIT_MS
	 * (or until wake) when nothing has; drain: what is left, without waiting.
	 * Returns how many were handled, or -1 with err set. */
	int (*recv)(struct scan *s, void *state, bool drain, char *err, size_t errlen);
	/* Makes a waiting recv return. */
	void (*wake)(struct scan *s, void *state);
	/* Receiver: messages received and dropped by the kernel, 0; or -1. */
	int (*recv_stats)(struct scan *s, void *state, uint64_t *received, uint64_t *dropped);
	/* What scan_tx_name and scan_rx_name say. */
	const char *(*tx_name)(const struct scan *s, const void *state);
	const char *(*rx_name)(const struct scan *s, const void *state);
	/* Closes what open opened (state may be NULL, or half open). */
	void (*close)(struct scan *s, void *state);
};

extern const struct scan_path_ops scan_path_packet;
extern const struct scan_path_ops scan_path_dgram;

/* ---- what a path calls in the scan (scan.c) ---------------------------- */

/* Before the n probes are handed to the kernel, stamped about now: their
 * sent events for scan_want_sent (a reply never overtakes its event).
 * Sender thread. */
void scan_path_stamping(struct scan *s, const uint32_t *daddr, unsigned n, uint16_t probe);
/* After: scan_events.on_sent, with the sender's counts published first.
 * Sender thread. */
void scan_path_sent(struct scan *s, unsigned sender, const uint32_t *daddr, unsigned n,
		    uint16_t probe);
/* A decoded message (dgram_handler): classified, counted and reported as
 * a captured reply would be. Receiver thread; user is the struct scan. */
void scan_path_parsed(void *user, uint64_t ts_ns, enum parse_status st,
		      const struct parsed_icmp *p);

#endif
