/*
 * es_scan.c — level 2 of the public API: the scan handle over the engine
 * (scan.h). The handle adds what a library user needs around the engine's
 * two threads: a configuration that grows through setters, the choice of
 * path (raw or datagram) reported back, the end of a scan (sending done,
 * then the cooldown, or every target answered, or es_scan_stop) as a small
 * state machine moved on by es_scan_process, and results as es_reply
 * records.
 *
 * Threads: es_scan_stop and the getters are safe from any thread (atomics);
 * the rest is one caller thread at a time, as echoscan.h says.
 */
#include "engine/es_api.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/cooldown.h"
#include "engine/dgram.h"
#include "engine/hosts.h"
#include "engine/ip6set.h"
#include "engine/ipset.h"
#include "engine/split.h"
#include "engine/srcsel.h"
#include "engine/rate.h"
#include "engine/scan.h"
#include "engine/trace_probe.h"
#include "engine/tx.h"

#define NS_PER_MS     1000000ull
#define NS_PER_S      1000000000ull
#define COOLDOWN_MAX  (86400 * NS_PER_S)   /* a day, as echoscan -c */
#define DRAIN_BATCH   256

struct es_scan_config {
	struct ipset set;            /* as added; finalized by es_scan_open's copy */
	uint64_t rate, seed, interval_ns, cooldown_ns;
	bool seed_given, report_all, keep_stats;
	unsigned probes;
	int ttl;
	size_t size;
	size_t rx_buffer_bytes;      /* 0: the engine's choice */
	char *source, *ifname;
	enum es_mode mode;
	bool bad;                    /* an add_target ran out of memory */
	unsigned trace_first, trace_last;   /* es_scan_config_set_trace; 0: a sweep */
	uint8_t tos;                 /* es_scan_config_set_tos */
	bool df;                     /* es_scan_config_set_dont_fragment */
	/* the sweep's settings (h12-sweep, #12) */
	struct ip6set set6;          /* IPv6 targets (es_scan_config_set_targets) */
	struct ipset exclude, sources;  /* as added */
	uint64_t max_targets, max_runtime_ns, start_position;
	unsigned shards, shard, sender_threads;
	bool loop, pcap_all, rx_xdp;
	char *pcap, *gw_mac;
	enum tx_kind backend;        /* TX_AUTO: the mode decides */
	enum tx_xdp_mode xdp_mode;
	enum es_cooldown_mode cooldown_mode;
};

/* Internal state: COOLING splits into waiting out the cooldown and waiting
 * for the receiver to take what it holds. */
enum run_state { RUN_OPEN, RUN_SENDING, RUN_COOLING, RUN_DRAINING, RUN_DONE };

/* Per-host statistics: the scan's own (borrowed) or a rotated period's. */
struct es_host_table {
	const struct hosts *h;
	struct hosts own;            /* a rotated period's, when owned */
	bool owned;
	const struct ip6set *set6;   /* the scan's: IPv6 hosts by rank */
};

struct es_scan {
	struct scan *scan;
	struct ipset set;            /* finalized; the engine reads it */
	struct ip6set set6;
	bool host_stats;
	struct es_host_table table;  /* es_scan_host_table's */
	char *source, *ifname;       /* the engine keeps pointers to them */
	char *pcap, *gw_mac;
	uint32_t *src_addrs;         /* several sources, sorted (host order) */
	enum es_mode mode;
	enum es_cooldown_mode cooldown_mode;
	uint64_t targets, cooldown_ns, cool_end;
	bool end_when_all_up;        /* one probe each, first replies only */
	_Atomic int state;           /* enum run_state */
	_Atomic bool stop_asked;
	es_reply_cb on_reply;        /* set by es_scan_start, read by the threads */
	es_sent_cb on_sent;
	void *user;
	int end_rc;
	char err[256];
	struct es_result buf[DRAIN_BATCH];
};

/* ---- configuration --------------------------------------------------- */

int es_scan_config_new(es_scan_config **out)
{
	es_scan_config *c;

	if (!out)
		return ES_EINVAL;
	*out = c = calloc(1, sizeof(*c));
	if (!c)
		return ES_ENOMEM;
	ipset_init(&c->set);
	c->rate = 10000;
	c->probes = 1;
	c->cooldown_ns = NS_PER_S;
	c->ttl = ES_DEFAULT_TTL;
	c->size = ES_SIZE_MIN;
	c->mode = ES_MODE_AUTO;
	ipset_init(&c->exclude);
	ipset_init(&c->sources);
	ip6set_init(&c->set6);
	c->shards = 1;
	return ES_OK;
}

void es_scan_config_free(es_scan_config **cp)
{
	es_scan_config *c;

	if (!cp || !*cp)
		return;
	c = *cp;
	ipset_free(&c->set);
	ipset_free(&c->exclude);
	ipset_free(&c->sources);
	ip6set_free(&c->set6);
	free(c->source);
	free(c->ifname);
	free(c->pcap);
	free(c->gw_mac);
	free(c);
	*cp = NULL;
}

int es_scan_config_add_target(es_scan_config *c, const char *spec)
{
	uint32_t lo, hi;
	int rc;

	if (!c)
		return ES_EINVAL;
	rc = es_range_parse(spec, &lo, &hi, NULL, 0);
	if (rc == ES_EUNSUPPORTED || (rc == ES_EINVAL && spec && strchr(spec, ':'))) {
		es_u128 lo6, hi6;     /* IPv6: an address, prefix or range */

		if (es_range6_parse(spec, &lo6, &hi6, NULL, 0) != ES_OK)
			return ES_EINVAL;
		if (ip6set_add(&c->set6, lo6, hi6) < 0) {
			c->bad = true;
			return ES_ENOMEM;
		}
		return ES_OK;
	}
	if (rc != ES_OK)
		return rc;
	if (ipset_add(&c->set, lo, hi) < 0) {
		c->bad = true;
		return ES_ENOMEM;
	}
	return ES_OK;
}

int es_scan_config_set_rate(es_scan_config *c, uint64_t probes_per_s)
{
	if (!c)
		return ES_EINVAL;
	c->rate = probes_per_s;
	return ES_OK;
}

int es_scan_config_set_probes(es_scan_config *c, unsigned probes)
{
	if (!c || probes < 1 || probes > 65535)
		return ES_EINVAL;
	c->probes = probes;
	return ES_OK;
}

int es_scan_config_set_interval(es_scan_config *c, uint64_t ns)
{
	if (!c)
		return ES_EINVAL;
	c->interval_ns = ns;
	return ES_OK;
}

int es_scan_config_set_cooldown(es_scan_config *c, uint64_t ns)
{
	if (!c || ns > COOLDOWN_MAX)
		return ES_EINVAL;
	c->cooldown_ns = ns;
	return ES_OK;
}

int es_scan_config_set_ttl(es_scan_config *c, int ttl)
{
	if (!c || ttl < 1 || ttl > 255)
		return ES_EINVAL;
	c->ttl = ttl;
	return ES_OK;
}

int es_scan_config_set_size(es_scan_config *c, size_t payload_bytes)
{
	if (!c || payload_bytes < ES_SIZE_MIN || payload_bytes > ES_SIZE_MAX)
		return ES_EINVAL;
	c->size = payload_bytes;
	return ES_OK;
}

static int set_string(char **dst, const char *src)
{
	char *copy = NULL;

	if (src && !(copy = strdup(src)))
		return ES_ENOMEM;
	free(*dst);
	*dst = copy;
	return ES_OK;
}

int es_scan_config_set_source(es_scan_config *c, const char *addr)
{
	struct es_addr a;
	int rc;

	if (!c)
		return ES_EINVAL;
	if (addr && (rc = es_addr_parse(&a, addr)) != ES_OK)
		return rc;
	if (addr && a.family != 4)
		return ES_EUNSUPPORTED;     /* the scan takes IPv6 sources from the route */
	rc = set_string(&c->source, addr);
	if (rc == ES_OK) {
		ipset_free(&c->sources);
		ipset_init(&c->sources);
	}
	return rc;
}

int es_scan_config_set_interface(es_scan_config *c, const char *ifname)
{
	if (!c || (ifname && (!*ifname || strlen(ifname) >= 16)))
		return ES_EINVAL;
	return set_string(&c->ifname, ifname);
}

int es_scan_config_set_mode(es_scan_config *c, enum es_mode mode)
{
	if (!c || (mode != ES_MODE_AUTO && mode != ES_MODE_RAW && mode != ES_MODE_DGRAM))
		return ES_EINVAL;
	c->mode = mode;
	return ES_OK;
}

int es_scan_config_set_report_all(es_scan_config *c, int on)
{
	if (!c)
		return ES_EINVAL;
	c->report_all = on != 0;
	return ES_OK;
}

int es_scan_config_set_seed(es_scan_config *c, uint64_t seed)
{
	if (!c)
		return ES_EINVAL;
	c->seed = seed;
	c->seed_given = true;
	return ES_OK;
}

int es_scan_config_set_trace(es_scan_config *c, unsigned first_ttl, unsigned max_ttl)
{
	if (!c)
		return ES_EINVAL;
	if ((first_ttl || max_ttl) && (first_ttl < 1 || first_ttl > max_ttl || max_ttl > 255))
		return ES_EINVAL;
	c->trace_first = first_ttl;
	c->trace_last = max_ttl;
	return ES_OK;
}

int es_scan_config_set_tos(es_scan_config *c, int tos)
{
	if (!c || tos < 0 || tos > 255)
		return ES_EINVAL;
	c->tos = (uint8_t)tos;
	return ES_OK;
}

int es_scan_config_set_dont_fragment(es_scan_config *c, int on)
{
	if (!c)
		return ES_EINVAL;
	c->df = on != 0;
	return ES_OK;
}

void es_scan_config_keep_stats(es_scan_config *c, bool on)
{
	c->keep_stats = on;
}

void es_scan_config_rx_buffer(es_scan_config *c, size_t bytes)
{
	c->rx_buffer_bytes = bytes;
}


/* ---- the sweep's settings (h12-sweep, #12) ---------------------------- */

/* Parses target text into an inclusive range and adds it to set. */
static int add_range(es_scan_config *c, struct ipset *set, const char *spec)
{
	uint32_t lo, hi;
	int rc;

	if (!c)
		return ES_EINVAL;
	rc = es_range_parse(spec, &lo, &hi, NULL, 0);
	if (rc != ES_OK)
		return rc;
	if (ipset_add(set, lo, hi) < 0) {
		c->bad = true;
		return ES_ENOMEM;
	}
	return ES_OK;
}

int es_scan_config_set_targets(es_scan_config *c, const es_targets *t)
{
	const struct ipset *v4;
	const struct ip6set *v6;
	struct ipset n4;
	struct ip6set n6;

	if (!c || !t || !es_targets_sealed(t))
		return ES_EINVAL;
	v4 = es_targets_v4(t);
	v6 = es_targets_v6(t);
	ipset_init(&n4);
	ip6set_init(&n6);
	for (size_t i = 0; i < v4->n; i++)
		if (ipset_add(&n4, v4->r[i].lo, v4->r[i].hi) < 0)
			goto oom;
	for (size_t i = 0; i < v6->n; i++)
		if (ip6set_add(&n6, v6->r[i].lo, v6->r[i].hi) < 0)
			goto oom;
	ipset_free(&c->set);
	ip6set_free(&c->set6);
	c->set = n4;
	c->set6 = n6;
	return ES_OK;
oom:
	ipset_free(&n4);
	ip6set_free(&n6);
	return ES_ENOMEM;
}

int es_scan_config_exclude(es_scan_config *c, const char *spec)
{
	return add_range(c, c ? &c->exclude : NULL, spec);
}

int es_scan_config_set_max_targets(es_scan_config *c, uint64_t n)
{
	if (!c)
		return ES_EINVAL;
	c->max_targets = n;
	return ES_OK;
}

int es_scan_config_set_shard(es_scan_config *c, unsigned shards, unsigned shard)
{
	if (!c || shards < 1 || shards > 65535 || shard >= shards)
		return ES_EINVAL;
	c->shards = shards;
	c->shard = shard;
	return ES_OK;
}

int es_scan_config_set_max_runtime(es_scan_config *c, uint64_t ns)
{
	if (!c)
		return ES_EINVAL;
	c->max_runtime_ns = ns;
	return ES_OK;
}

int es_scan_config_set_loop(es_scan_config *c, int on)
{
	if (!c)
		return ES_EINVAL;
	c->loop = on != 0;
	return ES_OK;
}

int es_scan_config_set_host_stats(es_scan_config *c, int on)
{
	if (!c)
		return ES_EINVAL;
	c->keep_stats = on != 0;
	return ES_OK;
}

int es_scan_config_set_pcap(es_scan_config *c, const char *path, int all)
{
	int rc;

	if (!c || (path && !*path))
		return ES_EINVAL;
	rc = set_string(&c->pcap, path);
	if (rc == ES_OK)
		c->pcap_all = path && all;
	return rc;
}

int es_scan_config_add_source(es_scan_config *c, const char *spec)
{
	int rc;

	if (!c)
		return ES_EINVAL;
	rc = add_range(c, &c->sources, spec);
	if (rc == ES_OK) {
		free(c->source);   /* the sources replace a set_source */
		c->source = NULL;
	}
	return rc;
}

int es_scan_config_set_gateway_mac(es_scan_config *c, const char *mac)
{
	uint8_t m[6];

	if (!c || (mac && route_parse_mac(mac, m) < 0))
		return ES_EINVAL;
	return set_string(&c->gw_mac, mac);
}

int es_scan_config_set_backend(es_scan_config *c, const char *name)
{
	static const struct { const char *name; enum tx_kind tx; enum tx_xdp_mode xm; } names[] = {
		{ "auto", TX_AUTO, TX_XDP_AUTO }, { "ring", TX_RING, TX_XDP_AUTO },
		{ "mmsg", TX_MMSG, TX_XDP_AUTO }, { "sendmmsg", TX_MMSG, TX_XDP_AUTO },
		{ "libnet", TX_LIBNET, TX_XDP_AUTO }, { "xdp", TX_XDP, TX_XDP_AUTO },
		{ "xdp-copy", TX_XDP, TX_XDP_COPY }, { "xdp-zerocopy", TX_XDP, TX_XDP_ZEROCOPY },
	};

	if (!c || !name)
		return ES_EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			c->backend = names[i].tx;
			c->xdp_mode = names[i].xm;
			return ES_OK;
		}
	return ES_EINVAL;
}

int es_scan_config_set_receiver(es_scan_config *c, const char *name)
{
	if (!c || !name || (strcmp(name, "pcap") != 0 && strcmp(name, "xdp") != 0))
		return ES_EINVAL;
	c->rx_xdp = strcmp(name, "xdp") == 0;
	return ES_OK;
}

int es_scan_config_set_sender_threads(es_scan_config *c, unsigned n)
{
	if (!c || n > ES_SENDER_THREADS_MAX)
		return ES_EINVAL;
	c->sender_threads = n;
	return ES_OK;
}

int es_scan_config_set_start_position(es_scan_config *c, uint64_t position)
{
	if (!c)
		return ES_EINVAL;
	c->start_position = position;
	return ES_OK;
}

int es_scan_config_set_cooldown_mode(es_scan_config *c, enum es_cooldown_mode m)
{
	if (!c || (m != ES_COOLDOWN_FIXED && m != ES_COOLDOWN_AUTO))
		return ES_EINVAL;
	c->cooldown_mode = m;
	return ES_OK;
}

/* ---- open ------------------------------------------------------------ */

static int copy_targets(es_scan *s, const es_scan_config *c, char *err, size_t errlen)
{
	ipset_init(&s->set);
	for (size_t i = 0; i < c->set.n; i++)
		if (ipset_add(&s->set, c->set.r[i].lo, c->set.r[i].hi) < 0)
			return es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
	ip6set_init(&s->set6);
	for (size_t i = 0; i < c->set6.n; i++)
		if (ip6set_add(&s->set6, c->set6.r[i].lo, c->set6.r[i].hi) < 0)
			return es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
	if (c->exclude.n && ipset_subtract(&s->set, &c->exclude) < 0)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
	if (ipset_finalize(&s->set) < 0 || ip6set_finalize(&s->set6) < 0)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory for the targets");
	if (ip6set_count(&s->set6) > UINT32_MAX)
		return es_fail(err, errlen, ES_EINVAL, "%llu IPv6 targets: at most 2^32 per scan",
			       (unsigned long long)ip6set_count(&s->set6));
	s->targets = ipset_count(&s->set) + ip6set_count(&s->set6);
	if (s->targets == 0)
		return es_fail(err, errlen, ES_EINVAL, "no targets: add some with "
			       "es_scan_config_add_target");
	return ES_OK;
}

/* The path, decided before opening: ES_MODE_RAW without the privilege is
 * ES_EPERM here rather than a failed open. */
static int pick_tx(enum es_mode mode, enum tx_kind backend, enum tx_kind *tx,
		   enum es_mode *got, char *err, size_t errlen)
{
	enum tx_kind auto_tx = dgram_pick_tx(TX_AUTO);

	if (backend != TX_AUTO) {   /* a raw backend named: raw, or its own error */
		if (mode == ES_MODE_DGRAM)
			return es_fail(err, errlen, ES_EINVAL, "a send backend was named "
				       "(es_scan_config_set_backend): it needs ES_MODE_RAW "
				       "or ES_MODE_AUTO, not ES_MODE_DGRAM");
		*tx = backend;
		*got = ES_MODE_RAW;
		return ES_OK;
	}
	switch (mode) {
	case ES_MODE_RAW:
		if (auto_tx == TX_DGRAM)
			return es_fail(err, errlen, ES_EPERM, "raw mode needs CAP_NET_RAW (run "
				       "as root or setcap cap_net_raw+ep the program), or use "
				       "ES_MODE_DGRAM or ES_MODE_AUTO");
		*tx = TX_AUTO;
		break;
	case ES_MODE_DGRAM:
		*tx = TX_DGRAM;
		break;
	default:
		*tx = auto_tx;
		break;
	}
	*got = *tx == TX_DGRAM ? ES_MODE_DGRAM : ES_MODE_RAW;
	return ES_OK;
}

static uint64_t random_seed(void)
{
	struct vkey k;

	if (vkey_random(&k) < 0)
		return rate_now_ns();
	uint64_t seed;
	memcpy(&seed, k.k, sizeof(seed));
	return seed;
}

/* Several sources: the sorted array the engine spreads the probes over, the
 * first as the source text. One: the source text alone. */
static int expand_sources(es_scan *s, const es_scan_config *c, size_t *n_out,
			  char *err, size_t errlen)
{
	struct ipset set;
	uint64_t n;
	char text[ES_ADDRSTRLEN];
	struct es_addr first;
	int rc = ES_OK;

	*n_out = 0;
	if (c->sources.n == 0)
		return ES_OK;
	ipset_init(&set);
	for (size_t i = 0; i < c->sources.n; i++)
		if (ipset_add(&set, c->sources.r[i].lo, c->sources.r[i].hi) < 0)
			rc = ES_ENOMEM;
	if (rc == ES_OK && ipset_finalize(&set) < 0)
		rc = ES_ENOMEM;
	if (rc != ES_OK) {
		ipset_free(&set);
		return es_fail(err, errlen, rc, "out of memory for the source addresses");
	}
	n = ipset_count(&set);
	if (n > SRCSEL_MAX) {
		ipset_free(&set);
		return es_fail(err, errlen, ES_EINVAL, "%llu source addresses: at most %u "
			       "(es_scan_config_add_source); give a smaller prefix or range",
			       (unsigned long long)n, (unsigned)SRCSEL_MAX);
	}
	s->src_addrs = malloc((size_t)n * sizeof(*s->src_addrs));
	if (!s->src_addrs) {
		ipset_free(&set);
		return es_fail(err, errlen, ES_ENOMEM, "out of memory for the source addresses");
	}
	for (uint64_t i = 0; i < n; i++)
		s->src_addrs[i] = ipset_at(&set, i);
	ipset_free(&set);
	es_addr_set_v4(&first, s->src_addrs[0]);
	if (first.family == 0)
		first.family = 4;
	if (set_string(&s->source, es_addr_format(&first, text, sizeof(text))) != ES_OK)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	*n_out = n > 1 ? (size_t)n : 0;
	return ES_OK;
}

static void free_handle(es_scan *s)
{
	ipset_free(&s->set);
	ip6set_free(&s->set6);
	free(s->source);
	free(s->ifname);
	free(s->pcap);
	free(s->gw_mac);
	free(s->src_addrs);
	free(s);
}

int es_scan_open(es_scan **out, const es_scan_config *c, char *err, size_t errlen)
{
	struct scan_config cfg;
	size_t n_src = 0;
	enum tx_kind tx = TX_AUTO;
	es_scan *s;
	int rc;

	if (!out)
		return es_fail(err, errlen, ES_EINVAL, "out is NULL");
	*out = NULL;
	if (!c)
		return es_fail(err, errlen, ES_EINVAL, "configuration is NULL");
	if (c->bad)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory adding targets");
	s = calloc(1, sizeof(*s));
	if (!s)
		return es_fail(err, errlen, ES_ENOMEM, "out of memory");
	rc = copy_targets(s, c, err, errlen);
	if (rc == ES_OK)
		rc = pick_tx(c->mode, c->backend, &tx, &s->mode, err, errlen);
	/* a trace stamps its probes into frames of the raw path */
	if (rc == ES_OK && c->trace_last && s->mode == ES_MODE_DGRAM)
		rc = c->mode == ES_MODE_DGRAM ?
		     es_fail(err, errlen, ES_EUNSUPPORTED, "a trace needs the raw path: "
			     "ES_MODE_DGRAM cannot send TTL-stamped probes (use ES_MODE_AUTO "
			     "or ES_MODE_RAW with CAP_NET_RAW)") :
		     es_fail(err, errlen, ES_EPERM, "a trace needs CAP_NET_RAW (run as root "
			     "or setcap cap_net_raw+ep the program)");
	if (rc == ES_OK && c->trace_last && ip6set_count(&s->set6))
		rc = es_fail(err, errlen, ES_EUNSUPPORTED, "a trace takes IPv4 targets only: "
			     "trace the IPv6 ones without es_scan_config_set_trace");
	/* over datagram sockets the kernel writes the IP header */
	if (rc == ES_OK && (c->tos || c->df) && s->mode == ES_MODE_DGRAM)
		rc = es_fail(err, errlen, ES_EINVAL, "the type of service and the "
			     "don't-fragment bit need the raw path (CAP_NET_RAW), not "
			     "datagram sockets");
	if (rc == ES_OK && ip6set_count(&s->set6) && s->mode == ES_MODE_DGRAM)
		rc = es_fail(err, errlen, ES_EUNSUPPORTED, "IPv6 targets need raw mode "
			     "(CAP_NET_RAW) for now: datagram scans are IPv4 only");
	if (rc == ES_OK && (set_string(&s->source, c->source) != ES_OK ||
			    set_string(&s->ifname, c->ifname) != ES_OK ||
			    set_string(&s->pcap, c->pcap) != ES_OK ||
			    set_string(&s->gw_mac, c->gw_mac) != ES_OK))
		rc = es_fail(err, errlen, ES_ENOMEM, "out of memory");
	if (rc == ES_OK)
		rc = expand_sources(s, c, &n_src, err, errlen);
	if (rc != ES_OK)
		goto fail;
	cfg = (struct scan_config){
		.targets = &s->set, .targets6 = &s->set6, .seed = c->seed_given ? c->seed : random_seed(),
		.rate = c->rate, .probes = (uint16_t)c->probes,
		.interval_ns = c->interval_ns, .ttl = (uint8_t)c->ttl,
		.payload_len = (uint16_t)c->size, .tx = tx,
		.tos = c->tos, .df = c->df,
		.report_all = c->report_all || c->trace_last, .keep_stats = c->keep_stats,
		.rx_buffer_bytes = c->rx_buffer_bytes,
		.ov = { s->ifname, s->source, s->gw_mac },
		.max_targets = c->max_targets, .shards = c->shards, .shard = c->shard,
		.max_runtime_ns = c->max_runtime_ns, .loop = c->loop,
		.xdp_mode = c->xdp_mode, .rx_xdp = c->rx_xdp,
		.sources = s->src_addrs, .n_sources = n_src,
		.pcap_path = s->pcap, .pcap_all = c->pcap_all,
		.start_position = c->start_position,
		.sender_threads = c->sender_threads ? c->sender_threads : SCAN_SENDERS_AUTO,
	};
	if (c->trace_last) {
		cfg.trace_first = (uint8_t)c->trace_first;
		cfg.trace_last = (uint8_t)c->trace_last;
		if (cfg.payload_len < TRACE_PAYLOAD_MIN)
			cfg.payload_len = TRACE_PAYLOAD_MIN;
	}
	s->cooldown_ns = c->cooldown_ns;
	s->cooldown_mode = c->cooldown_mode;
	s->host_stats = c->keep_stats;
	s->end_when_all_up = c->probes == 1 && !cfg.report_all;
	rc = scan_open(&cfg, &s->scan, err, errlen);
	if (rc != ES_OK)
		goto fail;
	atomic_store(&s->state, RUN_OPEN);
	*out = s;
	return ES_OK;
fail:
	free_handle(s);
	return rc;
}

int es_scan_fd(const es_scan *s)
{
	return s ? scan_event_fd(s->scan) : ES_EINVAL;
}

enum es_mode es_mode_auto(void)
{
	return dgram_pick_tx(TX_AUTO) == TX_DGRAM ? ES_MODE_DGRAM : ES_MODE_RAW;
}

enum es_mode es_scan_mode(const es_scan *s)
{
	return s ? s->mode : ES_MODE_AUTO;
}

/* ---- running --------------------------------------------------------- */

/* Receiver thread: the public record of each result, to the callback. */
static void result_event(void *user, const struct es_result *r)
{
	es_scan *s = user;
	struct es_reply rep;

	es_reply_from_result(r, &rep);
	s->on_reply(&rep, s->user);
}

/* Sender thread: one event per probe of the batch. */
static void sent_event(void *user, const uint32_t *daddr, unsigned n, uint16_t probe,
		       uint64_t ts_ns)
{
	es_scan *s = user;
	struct es_sent ev = { .probe = probe, .ts_ns = ts_ns };

	for (unsigned i = 0; i < n; i++) {
		es_addr_set_v4(&ev.target, daddr[i]);
		s->on_sent(&ev, s->user);
	}
}

int es_scan_start(es_scan *s, es_reply_cb on_reply, es_sent_cb on_sent, void *user)
{
	if (!s)
		return ES_EINVAL;
	if (atomic_load(&s->state) != RUN_OPEN)
		return ES_ESTATE;
	s->on_reply = on_reply;
	s->on_sent = on_sent;
	s->user = user;
	scan_set_events(s->scan, &(struct scan_events){
		.on_result = on_reply ? result_event : NULL,
		.on_sent = on_sent ? sent_event : NULL, .user = s });
	if (scan_start(s->scan, s->err, sizeof(s->err)) < 0)
		return ES_ESYS;
	atomic_store(&s->state, RUN_SENDING);
	return ES_OK;
}

static bool all_up(const es_scan *s)
{
	struct scan_counters c;

	if (!s->end_when_all_up)
		return false;
	scan_counters(s->scan, &c);
	return c.up >= c.total;   /* the probes planned: -n and shards count */
}

/* ES_COOLDOWN_AUTO: the last probe's time plus the wait the slowest reply
 * so far calls for (engine/cooldown.h), at most the cooldown set. */
static uint64_t auto_cool_end(const es_scan *s)
{
	struct scan_counters c;
	uint64_t wait;

	scan_counters(s->scan, &c);
	wait = cooldown_auto_ns(c.rtt_max_ns);
	return c.send_end_ns + (wait < s->cooldown_ns ? wait : s->cooldown_ns);
}

int es_scan_process(es_scan *s)
{
	int st;
	uint64_t now;

	if (!s)
		return ES_EINVAL;
	st = atomic_load(&s->state);
	if (st == RUN_OPEN)
		return ES_ESTATE;
	/* first: news from now on makes the descriptor readable again */
	scan_event_rearm(s->scan);
	if (st == RUN_DONE)
		return s->end_rc;
	now = rate_now_ns();
	if (st == RUN_SENDING && !scan_sending(s->scan)) {
		s->cool_end = now + s->cooldown_ns;
		st = RUN_COOLING;
	}
	if (st == RUN_COOLING && s->cooldown_mode == ES_COOLDOWN_AUTO)
		s->cool_end = auto_cool_end(s);
	if ((st == RUN_COOLING && (now >= s->cool_end || all_up(s))) ||
	    (st < RUN_DRAINING && atomic_load(&s->stop_asked))) {
		scan_stop_receiving(s->scan);    /* once, on the way in */
		st = RUN_DRAINING;
	}
	if (st == RUN_DRAINING) {
		if (!scan_receiving(s->scan)) {
			s->end_rc = scan_finish(s->scan, s->err, sizeof(s->err)) < 0 ? ES_ESYS : ES_OK;
			st = RUN_DONE;
		}
	}
	atomic_store(&s->state, st);
	return st == RUN_DONE ? s->end_rc : 1;
}

int es_scan_timeout_ms(const es_scan *s)
{
	uint64_t now, left;

	if (!s || atomic_load(&s->state) != RUN_COOLING)
		return -1;
	now = rate_now_ns();
	if (now >= s->cool_end)
		return 0;
	left = (s->cool_end - now + NS_PER_MS - 1) / NS_PER_MS;
	return left > INT_MAX ? INT_MAX : (int)left;
}

size_t es_scan_take(es_scan *s, struct es_result *out, size_t max)
{
	return scan_results(s->scan, out, max);
}

int es_scan_next_results(es_scan *s, struct es_reply *out, size_t max)
{
	size_t n, got = 0;

	if (!s || (!out && max))
		return ES_EINVAL;
	if (atomic_load(&s->state) == RUN_OPEN)
		return ES_ESTATE;
	es_scan_process(s);
	while (got < max) {
		size_t want = max - got < DRAIN_BATCH ? max - got : DRAIN_BATCH;

		n = scan_results(s->scan, s->buf, want);
		for (size_t i = 0; i < n; i++)
			es_reply_from_result(&s->buf[i], &out[got + i]);
		got += n;
		if (n < want)
			break;
	}
	/* more may be queued: keep the descriptor readable for them */
	if (got == max && max > 0)
		scan_event_poke(s->scan);
	return got > INT_MAX ? INT_MAX : (int)got;
}

enum es_scan_state es_scan_state(const es_scan *s)
{
	if (!s)
		return ES_SCAN_DONE;
	switch (atomic_load(&s->state)) {
	case RUN_OPEN: return ES_SCAN_OPEN;
	case RUN_SENDING: return ES_SCAN_SENDING;
	case RUN_COOLING:
	case RUN_DRAINING: return ES_SCAN_COOLING;
	default: return ES_SCAN_DONE;
	}
}

/* Sleeps until the engine has news or the cooldown's end, at most max_ns
 * (UINT64_MAX: no limit); then the caller processes. */
void es_scan_sleep(es_scan *s, uint64_t max_ns)
{
	int t = es_scan_timeout_ms(s);
	uint64_t ns = t < 0 ? max_ns : (uint64_t)t * NS_PER_MS;

	if (ns > max_ns)
		ns = max_ns;
	/* the engine's sleep takes a finite time: a day stands for forever */
	if (ns > 86400 * NS_PER_S)
		ns = 86400 * NS_PER_S;
	scan_wait(s->scan, ns);
}

int es_scan_wait(es_scan *s, int timeout_ms)
{
	uint64_t end = 0, now;
	int rc;

	if (!s)
		return ES_EINVAL;
	if (timeout_ms >= 0)
		end = rate_now_ns() + (uint64_t)timeout_ms * NS_PER_MS;
	for (;;) {
		rc = es_scan_process(s);
		if (rc <= 0)
			return rc;
		now = rate_now_ns();
		if (timeout_ms >= 0 && now >= end)
			return ES_ETIMEDOUT;
		es_scan_sleep(s, timeout_ms >= 0 ? end - now : UINT64_MAX);
	}
}

void es_scan_stop(es_scan *s)
{
	if (!s || atomic_exchange(&s->stop_asked, true))
		return;
	if (atomic_load(&s->state) != RUN_OPEN)
		scan_stop_receiving(s->scan);
}

int es_scan_get_stats(const es_scan *s, struct es_scan_stats *st)
{
	struct scan_counters c;

	if (!s || !st)
		return ES_EINVAL;
	scan_counters(s->scan, &c);
	*st = (struct es_scan_stats){
		.targets = c.per_pass, .total = c.total, .sent = c.sent,
		.send_errors = c.send_errors, .valid = c.valid, .invalid = c.invalid,
		.up = c.up, .unreach = c.unreach, .dropped = c.pcap_drop,
	};
	return ES_OK;
}

/* ---- the sweep's controls and counters (h12-sweep, #12) -------------- */

_Static_assert(ES_SIZE_MIN == ES_PAYLOAD_MIN && ES_SIZE_MAX == ES_PAYLOAD_MAX,
	       "ES_PAYLOAD_MIN/MAX are the engine's probe payload limits");
_Static_assert(SPLIT_MAX == ES_SENDER_THREADS_MAX, "ES_SENDER_THREADS_MAX is SPLIT_MAX");
_Static_assert(SRCSEL_MAX == ES_SOURCES_MAX, "ES_SOURCES_MAX is the engine's SRCSEL_MAX");
_Static_assert(INVALID_COUNT <= ES_INVALID_REASONS, "es_scan_summary.invalid_by_reason is too small");
_Static_assert(ES_CLASS_COUNT <= ES_CLASSES, "es_scan_summary.by_class is too small");

int es_scan_preload_hosts(es_scan *s, const struct es_addr *hosts, size_t n)
{
	uint32_t *a;
	int rc;

	if (!s || (!hosts && n))
		return ES_EINVAL;
	if (atomic_load(&s->state) != RUN_OPEN)
		return ES_ESTATE;
	if (n == 0)
		return ES_OK;
	for (size_t i = 0; i < n; i++)
		if (hosts[i].family != 4)
			return ES_EINVAL;
	a = malloc(n * sizeof(*a));
	if (!a)
		return ES_ENOMEM;
	for (size_t i = 0; i < n; i++)
		a[i] = es_addr_get_v4(&hosts[i]);
	rc = scan_preload_up(s->scan, a, n, NULL, 0) < 0 ? ES_ENOMEM : ES_OK;
	free(a);
	return rc;
}

void es_scan_stop_sending(es_scan *s)
{
	if (s && atomic_load(&s->state) != RUN_OPEN)
		scan_stop_sending(s->scan);
}

void es_scan_abandon(es_scan *s)
{
	if (!s)
		return;
	atomic_store(&s->stop_asked, true);
	if (atomic_load(&s->state) != RUN_OPEN)
		scan_abandon(s->scan);
}

const char *es_scan_backend_name(const es_scan *s)
{
	return s ? scan_tx_name(s->scan) : "";
}

const char *es_scan_receiver_name(const es_scan *s)
{
	return s ? scan_rx_name(s->scan) : "";
}

const char *es_scan_backend_auto(const es_scan *s)
{
	return s ? scan_tx_auto(s->scan) : NULL;
}

unsigned es_scan_sender_threads(const es_scan *s)
{
	return s ? scan_sender_threads(s->scan) : 0;
}

const char *es_invalid_reason_name(unsigned reason)
{
	return reason < INVALID_COUNT ? invalid_reason_name(reason) : NULL;
}

uint64_t es_now_ns(void)
{
	return rate_now_ns();
}

int es_scan_get_summary(const es_scan *s, struct es_scan_summary *out, size_t size)
{
	struct es_scan_summary sum;
	struct scan_counters c;

	if (!s || !out)
		return ES_EINVAL;
	scan_counters(s->scan, &c);
	memset(&sum, 0, sizeof(sum));
	es_scan_get_stats(s, &sum.stats);
	sum.errors_other = c.errors_other;
	for (unsigned i = 0; i < INVALID_COUNT; i++)
		sum.invalid_by_reason[i] = c.invalid_why[i];
	for (unsigned i = 0; i < ES_CLASS_COUNT; i++)
		sum.by_class[i] = c.by_class[i];
	sum.arp_sent = c.arp_sent;
	sum.arp_resolved = c.arp_resolved;
	sum.capture_received = c.pcap_recv;
	sum.pcap_written = c.pcap_written;
	sum.passes_started = c.passes_started;
	sum.pass_sent = c.pass_sent;
	sum.position = c.position;
	sum.send_start_ns = c.send_start_ns;
	sum.send_end_ns = c.send_end_ns;
	sum.listen_end_ns = c.listen_end_ns;
	sum.rtt_max_ns = c.rtt_max_ns;
	sum.hosts_oom = c.hosts_oom;
	sum.behind_max_ns = c.behind_max_ns;
	memcpy(out, &sum, size < sizeof(sum) ? size : sizeof(sum));
	return ES_OK;
}

int es_scan_route_of(const es_scan *s, const struct es_addr *target,
		     struct es_route *out, size_t size)
{
	struct route_info ri;
	struct es_route r;

	if (!s || !target || !out)
		return ES_EINVAL;
	if (s->mode == ES_MODE_DGRAM)
		return ES_EUNSUPPORTED;
	if (target->family != 4 || scan_route_of(s->scan, es_addr_get_v4(target), &ri) < 0)
		return ES_ENOTFOUND;
	memset(&r, 0, sizeof(r));
	snprintf(r.ifname, sizeof(r.ifname), "%s", ri.ifname);
	es_addr_set_v4(&r.source, ri.saddr);
	memcpy(r.gateway_mac, ri.dst_mac, sizeof(r.gateway_mac));
	memcpy(out, &r, size < sizeof(r) ? size : sizeof(r));
	return ES_OK;
}

/* ---- host tables ----------------------------------------------------- */

int es_scan_host_table(es_scan *s, const es_host_table **out)
{
	if (!s || !out || !s->host_stats)
		return ES_EINVAL;
	if (atomic_load(&s->state) != RUN_DONE)
		return ES_ESTATE;
	s->table = (struct es_host_table){ .h = scan_hosts(s->scan), .set6 = &s->set6 };
	*out = &s->table;
	return ES_OK;
}

int es_scan_rotate_host_stats(es_scan *s, es_host_table **out, int timeout_ms)
{
	es_host_table *t;
	int st;

	if (!s || !out || !s->host_stats || timeout_ms < 0)
		return ES_EINVAL;
	*out = NULL;
	st = atomic_load(&s->state);
	if (st == RUN_OPEN || st == RUN_DONE)
		return ES_ESTATE;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ES_ENOMEM;
	hosts_init(&t->own, true);
	if (scan_rotate_stats(s->scan, &t->own, timeout_ms) < 0) {
		hosts_free(&t->own);
		free(t);
		return ES_ETIMEDOUT;
	}
	t->h = &t->own;
	t->owned = true;
	t->set6 = &s->set6;
	*out = t;
	return ES_OK;
}

int es_host_table_get(const es_host_table *t, const struct es_addr *a, uint64_t sent,
		      struct es_host_stats *out, size_t size)
{
	struct host_stats_row row;
	struct es_host_stats hs;
	uint64_t rank;

	if (!t || !a || !out)
		return ES_EINVAL;
	if (a->family == 4) {
		const struct host_stat *st = hosts_stat(t->h, es_addr_get_v4(a));

		hosts_stats_row(t->h, es_addr_get_v4(a), sent, &row);
		es_host_stats_from_row(&row, &hs);
		hs.address = *a;
		hs.duplicates = st ? (unsigned long)st->dups : 0;
	} else if (a->family == 6 && ip6set_index(t->set6, a, &rank)) {
		hosts_stats_row_key(t->h, HOSTS_KEY6(rank), sent, &row);
		es_host_stats_from_row(&row, &hs);
		hs.address = *a;
	} else {
		return a->family == 6 ? ES_ENOTFOUND : ES_EINVAL;
	}
	memcpy(out, &hs, size < sizeof(hs) ? size : sizeof(hs));
	return ES_OK;
}

void es_host_table_free(es_host_table **tp)
{
	es_host_table *t;

	if (!tp || !*tp)
		return;
	t = *tp;
	if (t->owned) {
		hosts_free(&t->own);
		free(t);
	}
	*tp = NULL;
}

const char *es_scan_error(const es_scan *s)
{
	return s ? s->err : "";
}

struct scan *es_scan_engine(es_scan *s)
{
	return s->scan;
}

void es_scan_close(es_scan **sp)
{
	es_scan *s;

	if (!sp || !*sp)
		return;
	s = *sp;
	scan_close(s->scan);
	free_handle(s);
	*sp = NULL;
}
