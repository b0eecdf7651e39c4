/*
 * rx.h — the capture side: a libpcap handle tuned for loss-free capture
 * (large TPACKET_V3 buffer, nanosecond timestamps (microseconds, scaled,
 * where the kernel refuses them), short timeout so blocks are handed over
 * while traffic trickles) with a BPF filter that passes only ICMP addressed
 * to one of our sources that is not an echo request (and, when asked, ARP
 * replies). libpcap types stay in rx.c. Opening needs CAP_NET_RAW; reading
 * does not.
 */
#ifndef ECHOSCAN_RX_H
#define ECHOSCAN_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rx;
struct xdp_txq;

/* Called for each captured frame; ts_ns is the capture time (CLOCK_REALTIME). */
typedef void (*rx_handler)(void *user, uint64_t ts_ns, const uint8_t *frame,
			   size_t caplen);

struct rx_config {
	const char *ifname;      /* an interface, or "any" (Linux cooked capture) */
	const uint32_t *saddrs;  /* host order, sorted: replies must be addressed to one */
	size_t n_saddrs;
	bool arp;                /* also ARP replies */
	const uint8_t *saddr6;   /* our IPv6 source (16 bytes): also ICMPv6 to it
	                          * that is not an echo request; NULL = none */
	size_t n_saddrs6;        /* addresses at saddr6 (16 bytes each); 0 = 1 */
	size_t buffer_bytes;     /* kernel ring size, e.g. 64 MiB */
	int snaplen;
	int timeout_ms;          /* block hand-over timeout, 1..10 */
	bool xdp;                /* AF_XDP and an XDP program instead of libpcap
	                          * (rx_xdp.h): one Ethernet interface only */
	bool xdp_tx;             /* with xdp: each socket gets a TX ring too, for
	                          * --tx xdp (rx_xdp_txqs) */
	bool xdp_copy_only;      /* with xdp: bind in copy mode only ... */
	bool xdp_zerocopy_only;  /* ... or zero-copy only (--xdp-mode) */
};

/* Opens the capture into *out. Returns ES_OK, or a negative enum es_error
 * (echoscan.h) with *out NULL and err set: ES_EPERM (needs CAP_NET_RAW),
 * ES_ENODEV (no such interface, or down), ES_ENOMEM, ES_ESYS. */
int rx_open(const struct rx_config *cfg, struct rx **out, char *err, size_t errlen);
int rx_linktype(const struct rx *rx);
/* "pcap", or the AF_XDP receiver's mode ("xdp-native", ...). */
const char *rx_name(const struct rx *rx);
/* Processes what is available, waiting at most the timeout. Returns the number
 * of frames handled, or -1 with err set. */
int rx_dispatch(struct rx *rx, rx_handler fn, void *user, char *err, size_t errlen);
/* Processes what is still buffered without waiting (after rx_breakloop). */
int rx_drain(struct rx *rx, rx_handler fn, void *user, char *err, size_t errlen);
/* From another thread: makes a blocked rx_dispatch return. */
void rx_breakloop(struct rx *rx);
/* Frames received by the filter and dropped for lack of buffer space. */
int rx_stats(struct rx *rx, uint64_t *received, uint64_t *dropped);
/* With rx_config.xdp_tx: the send side of each AF_XDP socket, one per
 * queue, into out[0..max); returns how many (0 for any other receiver).
 * They stay valid until rx_close. */
unsigned rx_xdp_txqs(struct rx *rx, struct xdp_txq *out, unsigned max);
void rx_close(struct rx *rx);
/* A capture stamp in nanoseconds: frac is the tv_usec of libpcap's header,
 * nanoseconds when nano (the precision the kernel granted), else
 * microseconds. Exposed for tests. */
uint64_t rx_ts_ns(uint64_t sec, uint64_t frac, bool nano);

#endif
