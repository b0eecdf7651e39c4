/*
 * xdp_dev.h — what the AF_XDP sender (tx_xdp.c) and receiver (rx_xdp.c)
 * ask of a device, and what they share: the device's queue counts (ethtool
 * channels), its XDP features (the kernel's "netdev" generic netlink family:
 * native XDP in the driver, zero-copy AF_XDP), quiet libxdp/libbpf logging
 * (engine/ never prints), `--tx auto`'s rule for choosing AF_XDP (a pure
 * function, unit-tested), and the view of one AF_XDP socket's send side when
 * the receiver opened the socket for both (--tx xdp with --rx xdp: one socket
 * per device queue, one UMEM, the sender owning the TX and completion rings,
 * the receiver the RX and fill rings). Set-up calls only; none is used in the
 * per-packet path. Thread-safe (no state) except xdp_dev_quiet_logs, which
 * sets the libraries' process-wide print hooks.
 */
#ifndef ECHOSCAN_XDP_DEV_H
#define ECHOSCAN_XDP_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xsk_ring_prod;
struct xsk_ring_cons;

/* The number of receive (rx) or transmit (!rx) queues of ifname: ethtool's
 * combined channels plus the dedicated ones, 1 when the device does not say. */
unsigned xdp_dev_queues(const char *ifname, bool rx);

/* XDP features (the netdev family's NETDEV_XDP_ACT_* bits) */
#define XDP_DEV_NATIVE    0x1ull   /* NETDEV_XDP_ACT_BASIC: XDP in the driver */
#define XDP_DEV_ZEROCOPY  0x8ull   /* NETDEV_XDP_ACT_XSK_ZEROCOPY */

/* The XDP features of device ifindex into *features. Returns 0, or a
 * negative errno: -ENOENT when the kernel has no netdev family (before
 * Linux 6.3) or no such device. */
int xdp_dev_features(int ifindex, uint64_t *features);

/* Silences libxdp's and libbpf's own logging (they print to stderr by
 * default; failures reach the caller as error codes instead). */
void xdp_dev_quiet_logs(void);

/* What --tx auto knows about one device when it decides. */
struct xdp_auto_in {
	const char *ifname;
	bool ethernet;        /* Ethernet frames (not lo, tun, ...) */
	bool ipv6;            /* IPv6 targets on the device too */
	bool features_known;  /* xdp_dev_features answered */
	uint64_t features;
	unsigned queues;      /* the device's TX queues */
	unsigned senders;     /* sender threads, a queue each */
};

/* --tx auto's rule: true when AF_XDP (copy mode) should be tried before the
 * packet ring on this device — Ethernet, IPv4 targets only, a driver with
 * native XDP, a TX queue for every sender. why gets the reason either way
 * ("ves: native XDP" / "ifb0: no native XDP in its driver"). */
bool xdp_dev_auto(const struct xdp_auto_in *in, char *why, size_t whylen);

/* The send side of an AF_XDP socket the receiver opened (rx_xdp.c, with
 * rx_config.xdp_tx): tx_xdp.c puts descriptors on tx and reaps comp, and
 * owns the UMEM frames tx_first, tx_first + frame, ... (frames of them);
 * the receiver owns the rest. Valid until the receiver closes. */
struct xdp_txq {
	struct xsk_ring_prod *tx;
	struct xsk_ring_cons *comp;
	uint8_t *area;          /* the UMEM */
	uint64_t tx_first;      /* UMEM offset of the first sending frame */
	unsigned frames;        /* sending frames */
	unsigned queue;         /* the device queue */
	int fd;
	bool zerocopy;
};

#endif
