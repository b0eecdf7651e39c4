/*
 * rx.c — libpcap capture for replies (see rx.h). The filter, not
 * pcap_setdirection, excludes our own probes: setdirection filters in user
 * space after the copy, while BPF runs in the kernel before it.
 */
#include "engine/rx.h"
#include "echoscan.h"
#include "engine/rx_xdp.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct rx {
	pcap_t *p;
	struct rx_xdp *xdp;              /* --rx xdp: instead of p */
	int linktype;
	uint64_t recv_base, drop_base;   /* ps_recv/ps_drop are 32-bit: widen */
	uint32_t last_recv, last_drop;
	int timeout_ms;
	bool nano;                       /* the kernel gave nanosecond stamps */
	uint32_t seen;                   /* frames handed to a handler (wraps) */
};

struct rx_dispatch_ctx {
	rx_handler fn;
	void *user;
	bool nano;
	struct rx *rx;
};

/* Above this many of our addresses the filter takes their span. */
#define RX_FILTER_HOSTS 32

/* "icmp and not echo and (dst host A or ...)", or-ed with ARP replies when
 * asked. The caller frees the string. No "inbound": libpcap's direction
 * test is an ancillary load its userland filter copy rejects, so it drops
 * everything; frames on lo, seen going out and coming in, are already
 * deduplicated by libpcap (it skips lo's outgoing copy), and elsewhere no
 * outgoing frame is addressed to one of our own addresses. */
static char *filter_expr(const struct rx_config *cfg)
{
	size_t n6 = cfg->saddr6 ? (cfg->n_saddrs6 ? cfg->n_saddrs6 : 1) : 0;
	size_t cap = 260 + (cfg->n_saddrs > RX_FILTER_HOSTS ? 1 : cfg->n_saddrs) * 32 + n6 * 64,
	       len = 0;
	char *e = malloc(cap);

	if (!e)
		return NULL;
	e[0] = '\0';
	if (cfg->n_saddrs)
		len = (size_t)snprintf(e, cap, "(icmp and icmp[icmptype] != icmp-echo and (");
	/* many sources (-S ranges): their span, classify checks each address */
	if (cfg->n_saddrs > RX_FILTER_HOSTS)
		len += (size_t)snprintf(e + len, cap - len, "ip[16:4] >= %u and ip[16:4] <= %u",
					cfg->saddrs[0], cfg->saddrs[cfg->n_saddrs - 1]);
	for (size_t i = 0; cfg->n_saddrs <= RX_FILTER_HOSTS && i < cfg->n_saddrs; i++) {
		struct in_addr a = { .s_addr = htonl(cfg->saddrs[i]) };
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		len += (size_t)snprintf(e + len, cap - len, "%sdst host %s",
					i ? " or " : "", ip);
	}
	if (cfg->n_saddrs)
		len += (size_t)snprintf(e + len, cap - len, "))%s",
					cfg->arp ? " or (arp and arp[6:2] = 2)" : "");
	/* ICMPv6 to our IPv6 source but our own echo requests (the byte after
	 * the fixed header; with extension headers the classifier ignores
	 * them); neighbour advertisements to us included */
	for (size_t i = 0; i < n6; i++) {
		char ip6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, cfg->saddr6 + 16 * i, ip6, sizeof(ip6));
		len += (size_t)snprintf(e + len, cap - len,
					"%s(icmp6 and dst host %s and ip6[40] != 128)",
					len ? " or " : "", ip6);
	}
	return e;
}

static int set_filter(pcap_t *p, const struct rx_config *cfg,
		      char *err, size_t errlen)
{
	struct bpf_program prog;
	char *expr = filter_expr(cfg);
	int rc;

	if (!expr) {
		snprintf(err, errlen, "capture on %s: out of memory", cfg->ifname);
		return -1;
	}
	rc = pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	free(expr);
	if (rc < 0) {
		snprintf(err, errlen, "capture on %s: bad filter: %s",
			 cfg->ifname, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		pcap_freecode(&prog);
		snprintf(err, errlen, "capture on %s: setting the filter: %s",
			 cfg->ifname, pcap_geterr(p));
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* A pcap_set_* result: 0, or -1 with err naming the call. */
static int set_ok(int rc, const char *call, const char *ifname, char *err, size_t errlen)
{
	if (rc == 0)
		return 0;
	snprintf(err, errlen, "capture on %s: %s: %s", ifname, call, pcap_statustostr(rc));
	return -1;
}

/* Fills err and returns the enum es_error for a failed pcap_activate. */
static int activate_error(pcap_t *p, int rc, const char *ifname,
			  char *err, size_t errlen)
{
	if (rc == PCAP_ERROR_PERM_DENIED) {
		snprintf(err, errlen, "capture on %s needs CAP_NET_RAW: run as root "
			 "or setcap cap_net_raw+ep on the binary", ifname);
		return ES_EPERM;
	}
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
		snprintf(err, errlen, "%s: no such interface", ifname);
		return ES_ENODEV;
	}
	snprintf(err, errlen, "capture on %s: %s", ifname, pcap_geterr(p));
	return rc == PCAP_ERROR_IFACE_NOT_UP ? ES_ENODEV : ES_ESYS;
}

static int rx_open_xdp(const struct rx_config *cfg, struct rx **out, char *err,
		       size_t errlen)
{
	struct rx *rx = calloc(1, sizeof(*rx));
	int rc;

	if (!rx) {
		snprintf(err, errlen, "capture on %s: out of memory", cfg->ifname);
		return ES_ENOMEM;
	}
	if ((rc = rx_xdp_open(cfg, &rx->xdp, err, errlen)) < 0) {
		free(rx);
		return rc;
	}
	rx->linktype = DLT_EN10MB;
	*out = rx;
	return ES_OK;
}

unsigned rx_xdp_txqs(struct rx *rx, struct xdp_txq *out, unsigned max)
{
	return rx->xdp ? rx_xdp_shared(rx->xdp, out, max) : 0;
}

int rx_open(const struct rx_config *cfg, struct rx **out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	struct rx *rx;
	int rc;

	*out = NULL;
	if (cfg->xdp)
		return rx_open_xdp(cfg, out, err, errlen);
	p = pcap_create(cfg->ifname, ebuf);
	if (!p) {
		snprintf(err, errlen, "capture on %s: %s", cfg->ifname, ebuf);
		return ES_ESYS;
	}
	if (set_ok(pcap_set_snaplen(p, cfg->snaplen), "pcap_set_snaplen", cfg->ifname,
		   err, errlen) < 0 ||
	    set_ok(pcap_set_buffer_size(p, (int)cfg->buffer_bytes), "pcap_set_buffer_size",
		   cfg->ifname, err, errlen) < 0 ||
	    set_ok(pcap_set_timeout(p, cfg->timeout_ms), "pcap_set_timeout", cfg->ifname,
		   err, errlen) < 0) {
		pcap_close(p);
		return ES_ESYS;
	}
	/* refused nanoseconds are no error: microsecond stamps are scaled */
	rc = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	if (rc != 0 && rc != PCAP_ERROR_TSTAMP_PRECISION_NOTSUP) {
		snprintf(err, errlen, "capture on %s: pcap_set_tstamp_precision: %s",
			 cfg->ifname, pcap_statustostr(rc));
		pcap_close(p);
		return ES_ESYS;
	}
	rc = pcap_activate(p);
	if (rc < 0) {
		rc = activate_error(p, rc, cfg->ifname, err, errlen);
		pcap_close(p);
		return rc;
	}
	if (set_filter(p, cfg, err, errlen) < 0) {
		pcap_close(p);
		return ES_ESYS;
	}
	rx = calloc(1, sizeof(*rx));
	if (!rx) {
		snprintf(err, errlen, "capture on %s: out of memory", cfg->ifname);
		pcap_close(p);
		return ES_ENOMEM;
	}
	rx->p = p;
	rx->linktype = pcap_datalink(p);
	rx->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	rx->timeout_ms = cfg->timeout_ms;
	*out = rx;
	return ES_OK;
}

int rx_linktype(const struct rx *rx)
{
	return rx->linktype;
}

const char *rx_name(const struct rx *rx)
{
	return rx->xdp ? rx_xdp_mode(rx->xdp) : "pcap";
}

uint64_t rx_ts_ns(uint64_t sec, uint64_t frac, bool nano)
{
	/* with nanosecond precision, libpcap's tv_usec holds nanoseconds */
	return sec * 1000000000ull + (nano ? frac : frac * 1000ull);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	const struct rx_dispatch_ctx *c = (const struct rx_dispatch_ctx *)user;

	c->rx->seen++;
	c->fn(c->user, rx_ts_ns((uint64_t)h->ts.tv_sec, (uint64_t)h->ts.tv_usec, c->nano),
	      bytes, h->caplen);
}

int rx_dispatch(struct rx *rx, rx_handler fn, void *user, char *err, size_t errlen)
{
	struct rx_dispatch_ctx c = { fn, user, rx->nano, rx };
	int n;

	if (rx->xdp)
		return rx_xdp_dispatch(rx->xdp, fn, user, err, errlen);
	n = pcap_dispatch(rx->p, -1, on_packet, (u_char *)&c);

	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "capture: %s", pcap_geterr(rx->p));
		return -1;
	}
	return n < 0 ? 0 : n;  /* PCAP_ERROR_BREAK: asked to stop */
}

/* Whether the kernel put frames in the ring that no handler has seen yet:
 * its count (ps_recv, drops included, cumulative in libpcap) against ours.
 * If not, no partly filled block is worth waiting for. */
static bool rx_pending(struct rx *rx)
{
	struct pcap_stat st;

	if (pcap_stats(rx->p, &st) < 0)
		return true;
	return (uint32_t)(st.ps_recv - st.ps_drop) != rx->seen;
}

int rx_drain(struct rx *rx, rx_handler fn, void *user, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct timespec ts = { 0, (rx->timeout_ms + 2) * 1000000L };
	int n, total = 0;

	if (rx->xdp)
		return rx_xdp_drain(rx->xdp, fn, user);
	/* a TPACKET_V3 read polls without timeout once breakloop's wakeup is
	 * consumed: only non-blocking mode makes this last pass return; and a
	 * partly filled block reaches user space only when the kernel retires
	 * it after the block timeout, so let that pass first */
	if (pcap_setnonblock(rx->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "capture: %s", ebuf);
		return -1;
	}
	if (rx_pending(rx))
		nanosleep(&ts, NULL);
	while ((n = rx_dispatch(rx, fn, user, err, errlen)) > 0)
		total += n;
	return n < 0 ? -1 : total;
}

void rx_breakloop(struct rx *rx)
{
	if (rx->xdp) {
		rx_xdp_breakloop(rx->xdp);
		return;
	}
	pcap_breakloop(rx->p);
}

int rx_stats(struct rx *rx, uint64_t *received, uint64_t *dropped)
{
	struct pcap_stat st;

	if (rx->xdp)
		return rx_xdp_stats(rx->xdp, received, dropped);
	if (pcap_stats(rx->p, &st) < 0)
		return -1;
	/* the kernel counters are 32-bit and wrap: accumulate the deltas */
	rx->recv_base += (uint32_t)(st.ps_recv - rx->last_recv);
	rx->drop_base += (uint32_t)(st.ps_drop - rx->last_drop);
	rx->last_recv = st.ps_recv;
	rx->last_drop = st.ps_drop;
	*received = rx->recv_base;
	*dropped = rx->drop_base;
	return 0;
}

void rx_close(struct rx *rx)
{
	if (!rx)
		return;
	if (rx->xdp)
		rx_xdp_close(rx->xdp);
	else
		pcap_close(rx->p);
	free(rx);
}
