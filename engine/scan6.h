/*
 * scan6.h — engine-internal: the IPv6 side of a scan (scan.c owns it).
 * Its targets share the scan's permutation, rate, key, capture and result
 * queue; this part holds what differs: the route (one interface and one
 * next hop for every IPv6 target), the ICMPv6 template and its TX backend,
 * the next hop's MAC (the kernel's neighbour table, else a neighbour
 * solicitation answered through the capture), the classifier and the IPv6
 * host sets.
 *
 * Threads: scan6_open/close from the thread that opens the scan; the sender
 * calls scan6_send and scan6_solicit; the receiver calls scan6_frame (it
 * owns the host sets); scan6_resolved and the counters are atomics, readable
 * from any thread. Nothing in send or receive allocates except Judy.
 */
#ifndef ECHOSCAN_SCAN6_H
#define ECHOSCAN_SCAN6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include "engine/classify.h"
#include "engine/ip6set.h"
#include "engine/result.h"
#include "engine/tx.h"
#include "engine/validate.h"

struct scan6_config {
	const struct ip6set *targets;  /* finalized, not empty */
	const char *ifname;            /* -i, or NULL (the route's) */
	uint8_t hop_limit;
	uint16_t payload_len;
	const uint8_t *pattern;
	size_t pattern_len;
	uint16_t nprobes;              /* probe numbers below this are ours */
	enum tx_kind tx;               /* TX_AUTO/RING/MMSG/LIBNET */
	uint64_t probes_planned;       /* for TX_AUTO's small-job choice */
	unsigned batch_max;
};

struct scan6;

/* Finds the route (every IPv6 target must share it: refused otherwise,
 * naming two that differ), the source and the next hop's MAC if the kernel
 * knows it, builds the templates and opens the TX backend (CAP_NET_RAW).
 * Returns NULL with err set. */
struct scan6 *scan6_open(const struct scan6_config *cfg, const struct vkey *key,
			 char *err, size_t errlen);
void scan6_close(struct scan6 *s6);
const char *scan6_ifname(const struct scan6 *s6);
const uint8_t *scan6_source(const struct scan6 *s6);
/* The TX backend's name (tx_name). */
const char *scan6_tx_name(const struct scan6 *s6);

/* Sender: whether the next hop's MAC is known; one neighbour solicitation
 * for it (returns 0, or -1 with err). */
bool scan6_resolved(const struct scan6 *s6);
int scan6_solicit(struct scan6 *s6, char *err, size_t errlen);
/* Sender: stamps and sends probe `probe` to n targets (16 bytes each),
 * sharing one send time. Returns how many were sent (0 while the next hop
 * is unresolved), or -1 with err. */
long scan6_send(struct scan6 *s6, const uint8_t (*addrs)[16], unsigned n, uint16_t probe,
		char *err, size_t errlen);
/* Sender, at the end: waits until queued frames have left (at most 1 s). */
void scan6_flush(struct scan6 *s6);
/* Frames handed to the kernel and refused so far (solicitations included). */
void scan6_send_stats(const struct scan6 *s6, uint64_t *frames, uint64_t *errors,
		      uint64_t *solicits);

enum scan6_frame_kind {
	SCAN6_NONE = 0,      /* not IPv6 ICMPv6 for us (or ignored) */
	SCAN6_INVALID,       /* counted invalid: *why says why */
	SCAN6_VALID,         /* *res filled (family ES_AF6), repeat set */
	SCAN6_ND,            /* a neighbour advertisement (handled) */
};

/* Receiver: one captured frame. For a valid reply res is filled and the
 * host sets updated (res->repeat). */
enum scan6_frame_kind scan6_frame(struct scan6 *s6, int linktype, uint64_t ts_ns,
				  const uint8_t *frame, size_t caplen,
				  struct es_result *res, enum invalid_reason *why);
/* Distinct hosts seen up / unreachable (receiver-owned, read by the
 * receiver, or by anyone after it ended). */
uint64_t scan6_n_up(const struct scan6 *s6);
uint64_t scan6_n_unreach(const struct scan6 *s6);
bool scan6_oom(const struct scan6 *s6);

#endif
