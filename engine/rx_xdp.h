/*
 * rx_xdp.h — receiving replies through AF_XDP (--rx xdp) instead of
 * libpcap: an XDP program steers only the frames that can be replies
 * (ICMP echo replies and ICMP errors quoting ICMP, to our sources' span;
 * ARP replies when asked) to AF_XDP sockets, one per receive queue, and
 * passes everything else to the kernel's stack. Frames reach the same
 * handler as libpcap's (rx.h), stamped with the wall clock when taken from
 * the ring. rx.c opens it for an rx_config with xdp set; its calls mirror
 * rx.h's. Opening needs CAP_BPF (or CAP_SYS_ADMIN), CAP_NET_ADMIN and
 * CAP_NET_RAW; reading and closing need nothing.
 */
#ifndef ECHOSCAN_RX_XDP_H
#define ECHOSCAN_RX_XDP_H

#include <stdint.h>
#include "engine/rx.h"

struct rx_xdp;

/* Opens into *out. Returns ES_OK, or a negative enum es_error with *out
 * NULL and err set: ES_EINVAL ("any", several interfaces; IPv6 targets),
 * ES_ENODEV, ES_EUNSUPPORTED (not Ethernet, no AF_XDP in the kernel),
 * ES_EPERM (missing privilege), ES_ESYS (a program already attached ...). */
int rx_xdp_open(const struct rx_config *cfg, struct rx_xdp **out, char *err,
		size_t errlen);
/* "xdp-native", "xdp-generic" or "xdp-zerocopy". */
const char *rx_xdp_mode(const struct rx_xdp *x);
/* Handles what is in the rings, waiting at most the timeout for something
 * (or for rx_xdp_breakloop). Returns the number handled, or -1. */
int rx_xdp_dispatch(struct rx_xdp *x, rx_handler fn, void *user, char *err, size_t errlen);
/* Handles what is left without waiting. */
int rx_xdp_drain(struct rx_xdp *x, rx_handler fn, void *user);
void rx_xdp_breakloop(struct rx_xdp *x);
/* received: frames steered to us (handed on or dropped); dropped: frames
 * the kernel dropped for a full RX ring or an empty fill ring. */
int rx_xdp_stats(struct rx_xdp *x, uint64_t *received, uint64_t *dropped);
/* The send side of each socket (rx_config.xdp_tx), see rx_xdp_txqs. */
unsigned rx_xdp_shared(struct rx_xdp *x, struct xdp_txq *out, unsigned max);
void rx_xdp_close(struct rx_xdp *x);

#endif
