/*
 * scan6.h — engine-internal: the IPv6 side of a scan (scan.c owns it).
 * Its targets share the scan's permutation, rate, key, capture and result
 * queue; this part holds what differs: the IPv6 path table (the target set
 * split at the kernel's route boundaries, each piece routed once: through a
 * gateway, or on-link with a MAC per target), an ICMPv6 template and a
 * neighbour-solicitation template per path, one TX backend per interface
 * and sender thread, the classifier and the IPv6 host sets.
 *
 * Targets are named by their rank among the IPv6 targets (ip6set_at's
 * index). Next hops: a gateway's MAC comes from the kernel's neighbour
 * table, else from a solicitation answered through the capture; on-link
 * targets start from the kernel's table too, and the rest are solicited at
 * their solicited-node group (scan6_unresolved, scan6_solicit); their
 * advertisements (hop limit 255, checksum, addressed to our source, for an
 * address we asked about) fill per-target MAC slots. Probes go only to
 * targets whose next hop's MAC is known. The scanner's own addresses
 * (local routes) are probed through the kernel's IP output (a raw IPv6
 * socket on lo, as IPv4's are) and the kernel answers; anycast ones are
 * not probed.
 *
 * Threads: scan6_open/open_tx/close from the thread that opens the scan;
 * sender thread i calls the functions that take `sender` i (each sender its
 * own TX backends); the receiver calls scan6_frame and scan6_each_nd_only
 * (it owns the host sets); the MAC slots are atomics (receiver stores,
 * senders load), as are the counters. Nothing in send or receive allocates
 * except Judy.
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

#define SCAN6_BATCH_MAX 256

struct scan6_config {
	const struct ip6set *targets;  /* finalized, not empty */
	const char *ifname;            /* -i, or NULL (each route's) */
	uint8_t hop_limit;
	uint16_t payload_len;
	const uint8_t *pattern;
	size_t pattern_len;
	uint16_t nprobes;              /* probe numbers below this are ours */
	enum tx_kind tx;               /* TX_AUTO/RING/MMSG/LIBNET/XDP */
	enum tx_xdp_mode xdp_mode;
	uint64_t probes_planned;       /* for TX_AUTO's small-job choice */
	unsigned batch_max;            /* at most SCAN6_BATCH_MAX */
};

struct scan6;

/* Finds the paths (one kernel route lookup per route interval holding
 * targets), their sources and next hops, fills the MAC slots the kernel
 * knows, builds the templates. No privilege needed. Returns ES_OK with *out
 * set, or a negative enum es_error with *out NULL and err naming the cause:
 * ES_ENOROUTE (no route to a target), ES_ENODEV (no such -i, an interface
 * that is not Ethernet, no usable IPv6 source on it), ES_EINVAL (--size
 * too large, more on-link targets than MAC slots), ES_ENOMEM, ES_ESYS. */
int scan6_open(const struct scan6_config *cfg, const struct vkey *key, struct scan6 **out,
	       char *err, size_t errlen);
/* Opens a TX backend per interface for each of `senders` sender threads
 * (CAP_NET_RAW). Returns ES_OK or tx_open's negative enum es_error. */
int scan6_open_tx(struct scan6 *s6, unsigned senders, char *err, size_t errlen);
void scan6_close(struct scan6 *s6);
/* The interface when every path uses one, else NULL. */
const char *scan6_ifname(const struct scan6 *s6);
/* Our IPv6 sources (distinct, 16 bytes each, n returned) at *out. */
size_t scan6_sources(const struct scan6 *s6, const uint8_t **out);
/* The TX backend's name (tx_name). */
const char *scan6_tx_name(const struct scan6 *s6);
/* Targets on on-link paths (a MAC each). */
uint64_t scan6_n_onlink(const struct scan6 *s6);

/* Sender: whether every gateway's MAC is known; one solicitation to each
 * gateway still unknown (returns 0, or -1 with err). */
bool scan6_gateways_resolved(const struct scan6 *s6);
int scan6_solicit_gateways(struct scan6 *s6, unsigned sender, char *err, size_t errlen);
/* Sender: the next on-link targets (ranks, ascending from *cursor, which
 * starts at 0) whose MAC is unknown, at most max; *cursor moves past them.
 * Returns how many (0: none left). */
size_t scan6_unresolved(const struct scan6 *s6, uint64_t *cursor, uint64_t *ranks, size_t max);
/* Sender: one neighbour solicitation to each of n on-link targets
 * (n <= SCAN6_BATCH_MAX). Returns 0, or -1 with err. */
int scan6_solicit(struct scan6 *s6, unsigned sender, const uint64_t *ranks, unsigned n,
		  char *err, size_t errlen);
/* On-link targets that answered a solicitation in this run so far. */
uint64_t scan6_nd_resolved(const struct scan6 *s6);
/* Sender: stamps and sends probe `probe` to n targets (ranks, n <=
 * SCAN6_BATCH_MAX), sharing one send time; targets whose next hop's MAC
 * is unknown and our own addresses are left out. Returns how many were
 * sent, or -1 with err. */
long scan6_send(struct scan6 *s6, unsigned sender, const uint64_t *ranks, unsigned n,
		uint16_t probe, char *err, size_t errlen);
/* Sender, at the end: waits until its queued frames have left (at most 1 s). */
void scan6_flush(struct scan6 *s6, unsigned sender);
/* A sender's frames handed to the kernel and refused so far, and its
 * neighbour solicitations among the frames. */
void scan6_send_stats(const struct scan6 *s6, unsigned sender, uint64_t *frames,
		      uint64_t *errors, uint64_t *solicits);

enum scan6_frame_kind {
	SCAN6_NONE = 0,      /* not IPv6 ICMPv6 for us (or ignored) */
	SCAN6_INVALID,       /* counted invalid: *why says why */
	SCAN6_VALID,         /* *res filled (family ES_AF6), repeat set */
	SCAN6_ND,            /* a neighbour advertisement (handled) */
};

/* Receiver: one captured frame. For a valid reply res is filled (with the
 * MAC of an on-link host) and the host sets updated (res->repeat). */
enum scan6_frame_kind scan6_frame(struct scan6 *s6, int linktype, uint64_t ts_ns,
				  const uint8_t *frame, size_t caplen,
				  struct es_result *res, enum invalid_reason *why);
/* Receiver, at the end: fn for each on-link target that answered our
 * solicitation but no echo request (classification ES_CLASS_ARP, family
 * ES_AF6, with its MAC; the neighbour-discovery counterpart of IPv4's ARP
 * class). Stops early when *stop becomes true. Returns how many. */
uint64_t scan6_each_nd_only(struct scan6 *s6, uint64_t ts_ns,
			    void (*fn)(void *ctx, const struct es_result *res), void *ctx,
			    const _Atomic bool *stop);
/* Distinct hosts seen up / unreachable (receiver-owned, read by the
 * receiver, or by anyone after it ended). */
uint64_t scan6_n_up(const struct scan6 *s6);
uint64_t scan6_n_unreach(const struct scan6 *s6);
bool scan6_oom(const struct scan6 *s6);

#endif
