/*
 * scan_path_dgram.c — the scan's datagram path (scan_path.h): its probes
 * and replies over ICMP datagram sockets (dgram.h), for a scan without
 * CAP_NET_RAW (--tx dgram). One set of sockets serves the whole scan: the
 * kernel routes every probe (-i and -S still apply), so there is no path
 * table and one sender; replies and errors come back as decoded messages,
 * which the scan classifies like captured frames.
 */
#include "engine/scan_path.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "echoscan.h"
#include "engine/dgram.h"
#include "engine/ip6set.h"
#include "engine/scan.h"

/* Sockets of a scan (dgram.c says why several). */
#define DGRAM_SOCKETS 8

/* What the kernel's datagram sockets cannot do: anything that needs our
 * own headers or a capture. */
static int dgram_check(const struct scan_config *c, bool trace, char *err, size_t errlen)
{
	if (trace) {
		snprintf(err, errlen, "trace needs the raw path with stamped frames "
			 "(CAP_NET_RAW; --tx auto, ring or mmsg), not --tx dgram");
		return ES_EINVAL;
	}
	if (c->targets6 && ip6set_count(c->targets6)) {
		snprintf(err, errlen, "IPv6 targets need the raw path (CAP_NET_RAW): run as root "
			 "or setcap cap_net_raw,cap_net_admin+ep echoscan (not --tx dgram)");
		return ES_EINVAL;
	}
	if (c->rx_xdp) {
		snprintf(err, errlen, "--rx xdp needs the raw path (CAP_NET_RAW): without the "
			 "privilege, replies come over ICMP datagram sockets");
		return ES_EINVAL;
	}
	if (c->pcap_path) {
		snprintf(err, errlen, "--pcap needs the raw path (CAP_NET_RAW): over ICMP "
			 "datagram sockets (--tx dgram, or without the privilege) nothing is captured");
		return ES_EINVAL;
	}
	if (c->n_sources > 1) {
		snprintf(err, errlen, "-S with %zu source addresses needs the raw path "
			 "(CAP_NET_RAW): ICMP datagram sockets (--tx dgram, or without the "
			 "privilege) send from one address: give one -S address",
			 c->n_sources);
		return ES_EINVAL;
	}
	return ES_OK;
}

static int dgram_path_open(struct scan *s, const struct scan_config *c, const struct vkey *key,
			   void **state, char *err, size_t errlen)
{
	struct in_addr a = { 0 };
	struct dgram_config dc = {
		.ifname = c->ov.ifname, .ttl = c->ttl,
		.payload_len = c->payload_len, .key = key,
		.sockets = DGRAM_SOCKETS, .batch_max = SCAN_PATH_BATCH_MAX,
	};

	(void)s;
	if (c->ov.saddr && inet_pton(AF_INET, c->ov.saddr, &a) != 1) {
		snprintf(err, errlen, "-S %s: not an IPv4 address (use a.b.c.d)", c->ov.saddr);
		return ES_EINVAL;
	}
	dc.saddr = ntohl(a.s_addr);
	return dgram_open(&dc, (struct dgram **)state, err, errlen);
}

static long dgram_path_send(struct scan *s, void *state, unsigned sender, const uint32_t *daddr,
			    const uint8_t *ttl, unsigned n, uint16_t probe, char *err,
			    size_t errlen)
{
	struct dgram *d = state;

	(void)ttl;   /* no trace over this path (dgram_check) */
	/* dgram_send takes its stamp inside: the sent events' is close */
	scan_path_stamping(s, daddr, n, probe);
	if (dgram_send(d, daddr, n, probe) < 0) {
		snprintf(err, errlen, "sending: %s", dgram_last_error(d));
		return -1;
	}
	scan_path_sent(s, sender, daddr, n, probe);
	return n;
}

static void dgram_path_send_stats(const struct scan *s, const void *state, unsigned sender,
				  uint64_t *frames, uint64_t *errors)
{
	(void)s;
	(void)sender;   /* the one sender */
	dgram_send_stats(state, frames, errors);
}

static int dgram_path_recv(struct scan *s, void *state, bool drain, char *err, size_t errlen)
{
	return dgram_recv(state, scan_path_parsed, s, drain ? 0 : SCAN_PATH_WAIT_MS, err, errlen);
}

static void dgram_path_wake(struct scan *s, void *state)
{
	(void)s;
	dgram_wake(state);
}

static int dgram_path_recv_stats(struct scan *s, void *state, uint64_t *received,
				 uint64_t *dropped)
{
	(void)s;
	dgram_recv_stats(state, received, dropped);
	return 0;
}

static const char *dgram_path_name(const struct scan *s, const void *state)
{
	(void)s;
	(void)state;
	return "dgram";
}

static void dgram_path_close(struct scan *s, void *state)
{
	(void)s;
	dgram_close(state);
}

const struct scan_path_ops scan_path_dgram = {
	.kernel_routes = true,
	.check = dgram_check,
	.open = dgram_path_open,
	.send = dgram_path_send,
	.send_stats = dgram_path_send_stats,
	.recv = dgram_path_recv,
	.wake = dgram_path_wake,
	.recv_stats = dgram_path_recv_stats,
	.tx_name = dgram_path_name,
	.rx_name = dgram_path_name,
	.close = dgram_path_close,
};
