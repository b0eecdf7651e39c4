/*
 * scan6.c — the IPv6 side of a scan (see scan6.h): one route for every
 * IPv6 target, the ICMPv6 template stamped into the TX backend's slots, the
 * next hop resolved by neighbour discovery, and replies classified into the
 * same results as IPv4's with the family set.
 */
#include "engine/scan6.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/addr.h"
#include "engine/classify6.h"
#include "engine/clock.h"
#include "engine/hosts6.h"
#include "engine/nd.h"
#include "engine/parse6.h"
#include "engine/path.h"
#include "engine/probe6.h"
#include "engine/route.h"
#include "engine/route6.h"

/* Route checks: the first and last address of the set and of up to this
 * many of its ranges, evenly spread (a hitlist of millions of ranges is not
 * looked up one by one). */
#define ROUTE_SAMPLES 64

struct scan6 {
	struct scan6_config cfg;
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint8_t src_mac[6];
	uint8_t saddr[16];
	uint8_t hop[16];                 /* the gateway, or the target itself */
	struct probe6_params params;
	struct probe6_template tmpl;
	struct nd_template nd;
	struct tx *tx;
	size_t frame_len;                /* the TX backend's: the longer of a
	                                  * probe and a solicitation */
	_Atomic uint64_t hop_mac;        /* packed (path.h), 0 while unknown */
	_Atomic uint64_t solicits;
	struct classify6_ctx cls;
	struct hosts6 hosts;             /* receiver-owned */
	_Atomic uint64_t n_up, n_unreach;
	_Atomic bool oom;
};

static void fmt(const uint8_t b[16], char *buf)
{
	struct es_addr a = es_addr_v6(b);

	es_addr_text(&a, buf, ES_ADDR_STRLEN);
}

/* The route of one address, as the kernel gives it. */
static int route_of(int fd, int oif, const struct es_addr *a, struct route6_answer *ra,
		    char *err, size_t errlen)
{
	char as[ES_ADDR_STRLEN];
	int rc = route6_get(fd, a->bytes, oif, ra);

	if (rc == 0 && (ra->type == RTN_UNICAST || ra->type == RTN_LOCAL) && ra->oif > 0)
		return 0;
	fmt(a->bytes, as);
	snprintf(err, errlen, "no route to %s%s%s", as, rc < 0 ? ": " : "",
		 rc < 0 ? strerror(-rc) : "");
	return -1;
}

/* Every sampled address must leave like the first: same interface, same
 * gateway (or none). */
static int check_routes(struct scan6 *s6, int fd, int oif, const struct route6_answer *first,
			char *err, size_t errlen)
{
	const struct ip6set *t = s6->cfg.targets;
	size_t step = t->n > ROUTE_SAMPLES ? t->n / ROUTE_SAMPLES : 1;

	for (size_t i = 0; i < t->n; i += step) {
		for (int end = 0; end < 2; end++) {
			struct es_addr a = es_addr_from_u128(end ? t->r[i].hi : t->r[i].lo);
			struct route6_answer ra;
			char as[ES_ADDR_STRLEN], bs[ES_ADDR_STRLEN];

			if (route_of(fd, oif, &a, &ra, err, errlen) < 0)
				return -1;
			if (ra.oif == first->oif && ra.has_gateway == first->has_gateway &&
			    (!ra.has_gateway || memcmp(ra.gateway, first->gateway, 16) == 0))
				continue;
			fmt(a.bytes, as);
			fmt(ip6set_at(t, 0).bytes, bs);
			snprintf(err, errlen, "IPv6 targets %s and %s leave by different routes: "
				 "one sweep takes IPv6 targets behind one next hop; sweep them "
				 "separately", bs, as);
			return -1;
		}
	}
	return 0;
}

static int find_route(struct scan6 *s6, char *err, size_t errlen)
{
	struct es_addr first = ip6set_at(s6->cfg.targets, 0);
	struct route6_answer ra;
	int oif = 0, linktype = 0, fd, rc = -1;
	char fs[ES_ADDR_STRLEN];

	fd = route_nl_open(err, errlen);
	if (fd < 0)
		return -1;
	if (s6->cfg.ifname && (oif = (int)if_nametoindex(s6->cfg.ifname)) == 0) {
		snprintf(err, errlen, "interface %s does not exist", s6->cfg.ifname);
		goto out;
	}
	if (route_of(fd, oif, &first, &ra, err, errlen) < 0 ||
	    check_routes(s6, fd, oif, &ra, err, errlen) < 0)
		goto out;
	if (route_iface(ra.oif, s6->ifname, &linktype, s6->src_mac, err, errlen) < 0)
		goto out;
	s6->ifindex = ra.oif;
	fmt(first.bytes, fs);
	if (linktype != ARPHRD_ETHER) {
		snprintf(err, errlen, "IPv6 targets (%s) go out through %s, which is not "
			 "Ethernet: IPv6 sweeps need an Ethernet interface", fs, s6->ifname);
		goto out;
	}
	if (!ra.has_gateway && s6->cfg.targets->total > 1) {
		snprintf(err, errlen, "IPv6 targets (%s ...) are on-link on %s: an IPv6 sweep "
			 "takes targets behind a gateway, or one on-link address", fs, s6->ifname);
		goto out;
	}
	memcpy(s6->hop, ra.has_gateway ? ra.gateway : first.bytes, 16);
	if (route6_source(&ra, first.bytes, s6->ifname, s6->saddr, err, errlen) < 0)
		goto out;
	/* the kernel's neighbour table first; else solicitations at the start */
	uint8_t mac[6];
	if (route6_neigh_find(fd, s6->ifindex, s6->hop, mac) == 1)
		atomic_store(&s6->hop_mac, path_mac_pack(mac));
	rc = 0;
out:
	close(fd);
	return rc;
}

struct scan6 *scan6_open(const struct scan6_config *cfg, const struct vkey *key,
			 char *err, size_t errlen)
{
	struct scan6 *s6 = calloc(1, sizeof(*s6));
	struct tx_config tc;

	if (!s6) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s6->cfg = *cfg;
	hosts6_init(&s6->hosts);
	if (find_route(s6, err, errlen) < 0)
		goto fail;
	memcpy(s6->params.src_mac, s6->src_mac, 6);
	memcpy(s6->params.saddr, s6->saddr, 16);
	s6->params.hop_limit = cfg->hop_limit;
	s6->params.payload_len = cfg->payload_len;
	s6->params.pattern = cfg->pattern;
	s6->params.pattern_len = cfg->pattern_len;
	if (cfg->payload_len > PROBE6_PAYLOAD_MAX) {
		snprintf(err, errlen, "--size %u is too large for IPv6 probes (at most %d)",
			 (unsigned)cfg->payload_len, PROBE6_PAYLOAD_MAX);
		goto fail;
	}
	if (probe6_template_build(&s6->tmpl, &s6->params, key, err, errlen) < 0 ||
	    nd_template_build(&s6->nd, s6->src_mac, s6->saddr, err, errlen) < 0)
		goto fail;
	s6->cls.key = key;
	memcpy(s6->cls.saddr, s6->saddr, 16);
	s6->cls.nprobes = cfg->nprobes;
	tc = (struct tx_config){
		.kind = cfg->tx == TX_AUTO && cfg->probes_planned <= 65536 ? TX_MMSG : cfg->tx,
		.ifname = s6->ifname,
		.frame_len = s6->tmpl.len > ND_NS_FRAME_LEN ? s6->tmpl.len : ND_NS_FRAME_LEN,
		.batch_max = cfg->batch_max, .key = key,
	};
	s6->frame_len = tc.frame_len;
	if (tx_open(&tc, &s6->tx, err, errlen) < 0)
		goto fail;
	return s6;
fail:
	scan6_close(s6);
	return NULL;
}

void scan6_close(struct scan6 *s6)
{
	if (!s6)
		return;
	if (s6->tx)
		tx_close(s6->tx);
	hosts6_free(&s6->hosts);
	free(s6);
}

const char *scan6_ifname(const struct scan6 *s6)
{
	return s6->ifname;
}

const char *scan6_tx_name(const struct scan6 *s6)
{
	return tx_name(s6->tx);
}

const uint8_t *scan6_source(const struct scan6 *s6)
{
	return s6->saddr;
}

bool scan6_resolved(const struct scan6 *s6)
{
	return atomic_load_explicit(&s6->hop_mac, memory_order_relaxed) != 0;
}

/* What send_frames' stamper (tx_batch.stamp) reads. */
struct batch6 {
	const struct scan6 *s6;
	const uint8_t *one;               /* a ready frame (frame_len), or NULL */
	const uint8_t (*addrs)[16];
	uint16_t probe;
	uint64_t mac;
};

/* Frames are frame_len long; shorter ones are zero-padded (as any short
 * Ethernet frame): the IPv6 payload length bounds what the peer reads. */
static void stamp6(void *user, unsigned first, unsigned k, uint64_t ts, uint8_t *const *slots)
{
	const struct batch6 *b6 = user;
	const struct scan6 *s6 = b6->s6;

	for (unsigned i = 0; i < k; i++) {
		struct probe6_fields f = { .probe = b6->probe, .ts_ns = ts };

		if (b6->one) {
			memcpy(slots[i], b6->one, s6->frame_len);
			continue;
		}
		memcpy(f.daddr, b6->addrs[first + i], 16);
		probe6_stamp(&s6->tmpl, &f, slots[i]);
		path_mac_unpack(b6->mac, slots[i]);
		/* a slot may hold an older, longer frame: zero padding */
		if (s6->frame_len > s6->tmpl.len)
			memset(slots[i] + s6->tmpl.len, 0, s6->frame_len - s6->tmpl.len);
	}
}

/* n probes to addrs, or n copies of the ready frame one, through the one
 * send call (tx.h); params NULL: every backend sends the stamped frames. */
static int send_frames(struct scan6 *s6, unsigned n, const uint8_t *one,
		       const uint8_t (*addrs)[16], uint16_t probe, char *err, size_t errlen)
{
	struct batch6 b6 = { s6, one, addrs, probe,
			     atomic_load_explicit(&s6->hop_mac, memory_order_relaxed) };
	const struct tx_batch b = { .n = n, .probe = probe, .stamp = stamp6, .user = &b6 };
	unsigned done = 0;

	while (done < n) {
		long got = tx_send_probes(s6->tx, &b, done, 100);

		if (got < 0) {
			snprintf(err, errlen, "sending on %s: %s", s6->ifname,
				 tx_last_error(s6->tx));
			return -1;
		}
		done += (unsigned)got;
	}
	return 0;
}

int scan6_solicit(struct scan6 *s6, char *err, size_t errlen)
{
	uint8_t frame[PROBE6_FRAME_MAX] = { 0 };

	nd_stamp(&s6->nd, s6->hop, frame);
	if (send_frames(s6, 1, frame, NULL, 0, err, errlen) < 0)
		return -1;
	atomic_fetch_add(&s6->solicits, 1);
	return 0;
}

long scan6_send(struct scan6 *s6, const uint8_t (*addrs)[16], unsigned n, uint16_t probe,
		char *err, size_t errlen)
{
	if (!scan6_resolved(s6))
		return 0;
	return send_frames(s6, n, NULL, addrs, probe, err, errlen) < 0 ? -1 : (long)n;
}

void scan6_flush(struct scan6 *s6)
{
	tx_flush(s6->tx, 1000);
}

void scan6_send_stats(const struct scan6 *s6, uint64_t *frames, uint64_t *errors,
		      uint64_t *solicits)
{
	struct tx_stats st;

	tx_get_stats(s6->tx, &st);
	*frames = st.frames;
	*errors = st.errors;
	*solicits = atomic_load(&s6->solicits);
}

/* An advertisement for our next hop, to us: its MAC is the next hop's. */
static bool on_advert(struct scan6 *s6, int linktype, const uint8_t *frame, size_t caplen)
{
	uint8_t target[16], mac[6], dst[16];

	if (nd_parse_advert(linktype, frame, caplen, target, mac, dst) != ND_OK)
		return false;
	if (memcmp(target, s6->hop, 16) == 0 && memcmp(dst, s6->saddr, 16) == 0)
		atomic_store_explicit(&s6->hop_mac, path_mac_pack(mac), memory_order_relaxed);
	return true;
}

enum scan6_frame_kind scan6_frame(struct scan6 *s6, int linktype, uint64_t ts_ns,
				  const uint8_t *frame, size_t caplen,
				  struct es_result *res, enum invalid_reason *why)
{
	struct parsed_icmp6 p;
	struct es_addrs6 a;
	enum parse_status ps = parse_frame6(linktype, frame, caplen, &p);

	if (ps == PARSE_NOT_ICMP)
		return SCAN6_NONE;
	if (ps != PARSE_OK) {
		*why = invalid_from_parse(ps);
		return SCAN6_INVALID;
	}
	if (p.type == ICMP6_T_NEIGHBOR_ADVERT)
		return on_advert(s6, linktype, frame, caplen) ? SCAN6_ND : SCAN6_NONE;
	switch (classify6_why(&s6->cls, &p, ts_ns, res, &a, why)) {
	case VERDICT_IGNORE:
		return SCAN6_NONE;
	case VERDICT_INVALID:
		return SCAN6_INVALID;
	case VERDICT_VALID:
		break;
	}
	res->family = ES_AF6;
	res->saddr6 = a.saddr;
	res->daddr6 = a.daddr;
	res->responder6 = a.responder;
	if (res->classification == ES_CLASS_ECHOREPLY) {
		res->repeat = hosts6_mark_up(&s6->hosts, &a.saddr);
		atomic_store_explicit(&s6->n_up, s6->hosts.n_up, memory_order_relaxed);
	} else if (res->classification == ES_CLASS_UNREACH) {
		res->repeat = hosts6_mark_unreach(&s6->hosts, &a.saddr);
		atomic_store_explicit(&s6->n_unreach, s6->hosts.n_unreach, memory_order_relaxed);
	}
	if (s6->hosts.oom)
		atomic_store(&s6->oom, true);
	return SCAN6_VALID;
}

uint64_t scan6_n_up(const struct scan6 *s6)
{
	return atomic_load_explicit(&s6->n_up, memory_order_relaxed);
}

uint64_t scan6_n_unreach(const struct scan6 *s6)
{
	return atomic_load_explicit(&s6->n_unreach, memory_order_relaxed);
}

bool scan6_oom(const struct scan6 *s6)
{
	return atomic_load(&s6->oom);
}
