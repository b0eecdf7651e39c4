/*
 * scan6.c — the IPv6 side of a scan (see scan6.h): the IPv6 path table
 * (spans of target ranks, each through a gateway or on-link), the ICMPv6
 * templates stamped into each sender's TX backends, neighbour discovery for
 * gateways and on-link targets, and replies classified into the same
 * results as IPv4's with the family set.
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
#include "engine/errcode.h"
#include "engine/hosts6.h"
#include "engine/nd.h"
#include "engine/parse6.h"
#include "engine/path.h"
#include "engine/probe6.h"
#include "engine/route.h"
#include "engine/route6.h"

enum path6_kind { PATH6_GATEWAY, PATH6_ONLINK, PATH6_LOCAL, PATH6_SKIP };

struct dev6 {
	int ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t mac[6];
	bool via_ip;                     /* lo: IPv6 packets through a raw socket */
	size_t frame_len;                /* its TX backends': the longer of a
	                                  * probe and a solicitation */
};

/* One (interface, source, next hop) combination and its templates. */
struct path6 {
	enum path6_kind kind;
	unsigned dev;
	uint8_t saddr[16];
	uint8_t gateway[16];             /* PATH6_GATEWAY */
	_Atomic uint64_t hop_mac;        /* the gateway's, packed; 0 while unknown */
	struct probe6_template tmpl;
	struct nd_template nd;
};

/* Targets of ranks lo..hi take path `path`; on-link: their MAC slots
 * start at mac_base. */
struct span6 {
	uint64_t lo, hi;
	uint32_t path;
	uint64_t mac_base;
};

/* A sender's batch for one interface: probes or solicitations. */
struct batch6 {
	unsigned n;
	bool nd;
	uint16_t probe;
	size_t frame_len;
	uint8_t addr[SCAN6_BATCH_MAX][16];
	const struct path6 *path[SCAN6_BATCH_MAX];
	uint64_t mac[SCAN6_BATCH_MAX];
};

struct sender6 {
	struct tx **tx;                  /* per dev */
	struct batch6 *b;                /* per dev */
	_Atomic uint64_t solicits;
};

struct scan6 {
	struct scan6_config cfg;
	struct dev6 *devs;
	size_t n_devs;
	struct path6 **paths;            /* pointers: a path holds atomics */
	size_t n_paths;
	struct span6 *spans;
	size_t n_spans;
	_Atomic uint64_t *macs;          /* per on-link target (path.h's values) */
	uint64_t n_macs;
	uint8_t (*sources)[16];
	size_t n_sources;
	struct sender6 *senders;
	unsigned n_senders;
	_Atomic uint64_t nd_resolved;
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

/* ---- the path table ---------------------------------------------------- */

/* The rank of the first target at or above x (the count when none). */
static uint64_t rank_from(const struct ip6set *t, es_u128 x)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->r[mid].hi < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->n)
		return ip6set_count(t);
	es_u128 r = t->prefix[lo] + (x > t->r[lo].lo ? x - t->r[lo].lo : 0);
	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

static const struct span6 *span_of(const struct scan6 *s6, uint64_t rank)
{
	size_t lo = 0, hi = s6->n_spans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s6->spans[mid].hi < rank)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s6->n_spans && s6->spans[lo].lo <= rank ? &s6->spans[lo] : NULL;
}

static _Atomic uint64_t *mac_slot(const struct scan6 *s6, const struct span6 *sp, uint64_t rank)
{
	return &s6->macs[sp->mac_base + (rank - sp->lo)];
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? *cap * 2 : 8) * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

/* The index of the interface, added when new; local: the one our own
 * addresses are reached through (lo), any link type. */
static int dev_of(struct scan6 *s6, size_t *cap, int ifindex, bool local,
		  const uint8_t target[16], char *err, size_t errlen)
{
	struct dev6 d = { .ifindex = ifindex, .via_ip = local };
	int linktype = 0, rc;
	char ts[ES_ADDR_STRLEN];

	for (size_t i = 0; i < s6->n_devs; i++)
		if (s6->devs[i].ifindex == ifindex)
			return (int)i;
	if ((rc = route_iface(ifindex, d.ifname, &linktype, d.mac, err, errlen)) < 0)
		return rc;
	if (local)
		memset(d.mac, 0, 6);
	else if (linktype != ARPHRD_ETHER) {
		fmt(target, ts);
		snprintf(err, errlen, "IPv6 target %s goes out through %s, which is not "
			 "Ethernet: IPv6 sweeps need an Ethernet interface", ts, d.ifname);
		return ES_ENODEV;
	}
	if (grow((void **)&s6->devs, cap, s6->n_devs, sizeof(*s6->devs)) < 0) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	s6->devs[s6->n_devs] = d;
	return (int)s6->n_devs++;
}

/* The index of the path, added when new. */
static int path_of(struct scan6 *s6, size_t *cap, enum path6_kind kind, unsigned dev,
		   const uint8_t saddr[16], const uint8_t gateway[16], char *err, size_t errlen)
{
	struct path6 *p;

	for (size_t i = 0; i < s6->n_paths; i++) {
		p = s6->paths[i];
		if (p->kind == kind && p->dev == dev && !memcmp(p->saddr, saddr, 16) &&
		    (kind != PATH6_GATEWAY || !memcmp(p->gateway, gateway, 16)))
			return (int)i;
	}
	if (grow((void **)&s6->paths, cap, s6->n_paths, sizeof(*s6->paths)) < 0 ||
	    !(p = calloc(1, sizeof(*p)))) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	p->kind = kind;
	p->dev = dev;
	memcpy(p->saddr, saddr, 16);
	if (gateway)
		memcpy(p->gateway, gateway, 16);
	s6->paths[s6->n_paths] = p;
	return (int)s6->n_paths++;
}

/* The path of the targets routed like `a`. */
static int route_piece(struct scan6 *s6, int fd, int oif, const uint8_t a[16],
		       size_t *dev_cap, size_t *path_cap, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	struct route6_answer ra;
	char as[ES_ADDR_STRLEN];
	int rc = route6_get(fd, a, oif, &ra), dev;
	uint8_t src[16];

	if (rc == 0 && ra.type == RTN_ANYCAST)
		/* an anycast address of ours: not probed */
		return path_of(s6, path_cap, PATH6_SKIP, 0, zero, NULL, err, errlen);
	if (rc < 0 || (ra.type != RTN_UNICAST && ra.type != RTN_LOCAL) || ra.oif <= 0) {
		fmt(a, as);
		snprintf(err, errlen, "no route to %s%s%s", as, rc < 0 ? ": " : "",
			 rc < 0 ? strerror(-rc) : "");
		return rc < 0 ? es_errno_code(-rc) == ES_ESYS ? ES_ENOROUTE : es_errno_code(-rc)
			      : ES_ENOROUTE;
	}
	if ((dev = dev_of(s6, dev_cap, ra.oif, ra.type == RTN_LOCAL, a, err, errlen)) < 0)
		return dev;
	/* the kernel's source for this destination (RFC 6724), link-local
	 * only for a link-local target */
	if (route6_source(&ra, a, s6->devs[dev].ifname, src, err, errlen) < 0)
		return ES_ENODEV;
	/* our own address: through the kernel's IP output, which answers */
	return path_of(s6, path_cap, ra.type == RTN_LOCAL ? PATH6_LOCAL :
		       ra.has_gateway ? PATH6_GATEWAY : PATH6_ONLINK,
		       (unsigned)dev, src, ra.has_gateway ? ra.gateway : NULL, err, errlen);
}

/* Splits the targets at the route boundaries, one lookup per piece. */
static int build_spans(struct scan6 *s6, int fd, int oif, char *err, size_t errlen)
{
	const struct ip6set *t = s6->cfg.targets;
	uint64_t count = ip6set_count(t), pos = 0;
	size_t dev_cap = 0, path_cap = 0, span_cap = 0;
	es_u128 *bounds = NULL;
	long nb = route6_bounds(fd, &bounds);
	int rc = 0;

	if (nb < 0) {
		snprintf(err, errlen, "reading the IPv6 routing table failed: %s", strerror((int)-nb));
		return es_errno_code((int)-nb);
	}
	while (pos < count) {
		struct es_addr a = ip6set_at(t, pos);
		es_u128 av = es_addr_to_u128(&a);
		size_t lo = 0, hi = (size_t)nb;
		uint64_t next;
		int pi;

		/* the first boundary above a: its interval ends before it */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (bounds[mid] <= av)
				lo = mid + 1;
			else
				hi = mid;
		}
		next = lo < (size_t)nb ? rank_from(t, bounds[lo]) : count;
		if (next <= pos)   /* cannot happen: av is below bounds[lo] */
			next = pos + 1;
		if ((pi = route_piece(s6, fd, oif, a.bytes, &dev_cap, &path_cap, err, errlen)) < 0) {
			rc = pi;
			break;
		}
		struct span6 *last = s6->n_spans ? &s6->spans[s6->n_spans - 1] : NULL;
		bool onlink = s6->paths[pi]->kind == PATH6_ONLINK;

		if (last && last->path == (uint32_t)pi && last->hi + 1 == pos) {
			last->hi = next - 1;
		} else {
			if (grow((void **)&s6->spans, &span_cap, s6->n_spans, sizeof(*s6->spans)) < 0) {
				snprintf(err, errlen, "out of memory");
				rc = ES_ENOMEM;
				break;
			}
			s6->spans[s6->n_spans++] = (struct span6){ pos, next - 1, (uint32_t)pi,
								   onlink ? s6->n_macs : 0 };
		}
		if (onlink)
			s6->n_macs += next - pos;
		if (s6->n_macs > PATH_ONLINK_MAX) {
			char as[ES_ADDR_STRLEN];

			fmt(a.bytes, as);
			snprintf(err, errlen, "more than %u IPv6 targets are on-link (%s on %s ...): "
				 "an on-link sweep keeps a MAC per target; sweep a smaller part of "
				 "the prefix", PATH_ONLINK_MAX, as, s6->devs[s6->paths[pi]->dev].ifname);
			rc = ES_EINVAL;
			break;
		}
		pos = next;
	}
	free(bounds);
	return rc;
}

/* route6_neigh_each: a kernel neighbour that is an on-link target. */
struct prefill6 {
	struct scan6 *s6;
	unsigned dev;
};

static int prefill_one(const uint8_t addr[16], const uint8_t mac[6], void *ctx)
{
	struct prefill6 *pf = ctx;
	struct scan6 *s6 = pf->s6;
	struct es_addr a = es_addr_v6(addr);
	const struct span6 *sp;
	uint64_t rank;

	if (!ip6set_index(s6->cfg.targets, &a, &rank) || !(sp = span_of(s6, rank)) ||
	    s6->paths[sp->path]->kind != PATH6_ONLINK || s6->paths[sp->path]->dev != pf->dev)
		return 0;
	atomic_store(mac_slot(s6, sp, rank), path_mac_pack(mac));
	return 0;
}

/* The kernel's neighbour table first: gateways' and on-link targets' MACs
 * it knows already (read, never written). */
static int prefill(struct scan6 *s6, int fd, char *err, size_t errlen)
{
	for (size_t i = 0; i < s6->n_paths; i++) {
		struct path6 *p = s6->paths[i];
		uint8_t mac[6];

		if (p->kind == PATH6_GATEWAY &&
		    route6_neigh_find(fd, s6->devs[p->dev].ifindex, p->gateway, mac) == 1)
			atomic_store(&p->hop_mac, path_mac_pack(mac));
	}
	for (size_t d = 0; s6->n_macs && d < s6->n_devs; d++) {
		struct prefill6 pf = { s6, (unsigned)d };
		int rc = route6_neigh_each(fd, s6->devs[d].ifindex, prefill_one, &pf);

		if (rc < 0) {
			snprintf(err, errlen, "reading the IPv6 neighbour table of %s failed: %s",
				 s6->devs[d].ifname, strerror(-rc));
			return es_errno_code(-rc);
		}
	}
	return 0;
}

static int find_paths(struct scan6 *s6, char *err, size_t errlen)
{
	int oif = 0, fd, rc;

	if (s6->cfg.ifname && (oif = (int)if_nametoindex(s6->cfg.ifname)) == 0) {
		snprintf(err, errlen, "interface %s does not exist", s6->cfg.ifname);
		return ES_ENODEV;
	}
	fd = route_nl_open(err, errlen);
	if (fd < 0)
		return fd;
	rc = build_spans(s6, fd, oif, err, errlen);
	if (rc == 0 && s6->n_macs && !(s6->macs = calloc(s6->n_macs, sizeof(*s6->macs)))) {
		snprintf(err, errlen, "out of memory for %llu on-link MAC slots",
			 (unsigned long long)s6->n_macs);
		rc = ES_ENOMEM;
	}
	if (rc == 0)
		rc = prefill(s6, fd, err, errlen);
	close(fd);
	return rc;
}

/* Templates per path; the distinct sources for the classifier. */
static int build_templates(struct scan6 *s6, const struct vkey *key, char *err, size_t errlen)
{
	const struct scan6_config *cfg = &s6->cfg;

	if (cfg->payload_len > PROBE6_PAYLOAD_MAX) {
		snprintf(err, errlen, "--size %u is too large for IPv6 probes (at most %d)",
			 (unsigned)cfg->payload_len, PROBE6_PAYLOAD_MAX);
		return ES_EINVAL;
	}
	if (!(s6->sources = calloc(s6->n_paths ? s6->n_paths : 1, sizeof(*s6->sources)))) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	for (size_t i = 0; i < s6->n_paths; i++) {
		struct path6 *p = s6->paths[i];
		struct dev6 *d = &s6->devs[p->dev];
		struct probe6_params pp = {
			.hop_limit = cfg->hop_limit, .payload_len = cfg->payload_len,
			.pattern = cfg->pattern, .pattern_len = cfg->pattern_len,
			.ip_layer = d->via_ip,
		};
		size_t k;

		if (p->kind == PATH6_SKIP)
			continue;
		memcpy(pp.src_mac, d->mac, 6);
		memcpy(pp.saddr, p->saddr, 16);
		if (probe6_template_build(&p->tmpl, &pp, key, err, errlen) < 0 ||
		    (!d->via_ip && nd_template_build(&p->nd, d->mac, p->saddr, err, errlen) < 0))
			return ES_EINVAL;
		/* lo takes IPv6 packets (no solicitations), the others frames */
		d->frame_len = d->via_ip || p->tmpl.len > ND_NS_FRAME_LEN ? p->tmpl.len
									  : ND_NS_FRAME_LEN;
		for (k = 0; k < s6->n_sources && memcmp(s6->sources[k], p->saddr, 16); k++)
			;
		if (k == s6->n_sources)
			memcpy(s6->sources[s6->n_sources++], p->saddr, 16);
	}
	s6->cls.key = key;
	s6->cls.saddrs = (const uint8_t (*)[16])s6->sources;
	s6->cls.n_saddrs = s6->n_sources;
	if (s6->n_sources)
		memcpy(s6->cls.saddr, s6->sources[0], 16);
	s6->cls.nprobes = cfg->nprobes;
	return 0;
}

int scan6_open(const struct scan6_config *cfg, const struct vkey *key, struct scan6 **out,
	       char *err, size_t errlen)
{
	struct scan6 *s6 = calloc(1, sizeof(*s6));
	int rc;

	*out = NULL;
	if (!s6) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	s6->cfg = *cfg;
	if (s6->cfg.batch_max == 0 || s6->cfg.batch_max > SCAN6_BATCH_MAX)
		s6->cfg.batch_max = SCAN6_BATCH_MAX;
	hosts6_init(&s6->hosts);
	if ((rc = find_paths(s6, err, errlen)) < 0 ||
	    (rc = build_templates(s6, key, err, errlen)) < 0) {
		scan6_close(s6);
		return rc;
	}
	*out = s6;
	return ES_OK;
}

int scan6_open_tx(struct scan6 *s6, unsigned senders, char *err, size_t errlen)
{
	const struct scan6_config *cfg = &s6->cfg;

	if (!(s6->senders = calloc(senders, sizeof(*s6->senders)))) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	s6->n_senders = senders;
	for (unsigned i = 0; i < senders; i++) {
		struct sender6 *w = &s6->senders[i];

		w->tx = calloc(s6->n_devs ? s6->n_devs : 1, sizeof(*w->tx));
		w->b = calloc(s6->n_devs ? s6->n_devs : 1, sizeof(*w->b));
		if (!w->tx || !w->b) {
			snprintf(err, errlen, "out of memory");
			return ES_ENOMEM;
		}
		for (size_t d = 0; d < s6->n_devs; d++) {
			struct tx_config tc = {
				.kind = cfg->tx == TX_AUTO && cfg->probes_planned <= 65536
					? TX_MMSG : cfg->tx,
				.ifname = s6->devs[d].ifname, .frame_len = s6->devs[d].frame_len,
				.batch_max = cfg->batch_max, .key = s6->cls.key,
				.ip_layer = s6->devs[d].via_ip, .ip_raw = s6->devs[d].via_ip,
				.ip6 = true,
				.xdp_mode = cfg->xdp_mode,
				.xdp_queue_first = i, .xdp_queue_stride = senders,
			};
			int rc = tx_open(&tc, &w->tx[d], err, errlen);

			if (rc < 0)
				return rc;
		}
	}
	return ES_OK;
}

void scan6_close(struct scan6 *s6)
{
	if (!s6)
		return;
	for (unsigned i = 0; s6->senders && i < s6->n_senders; i++) {
		for (size_t d = 0; s6->senders[i].tx && d < s6->n_devs; d++)
			if (s6->senders[i].tx[d])
				tx_close(s6->senders[i].tx[d]);
		free(s6->senders[i].tx);
		free(s6->senders[i].b);
	}
	free(s6->senders);
	for (size_t i = 0; i < s6->n_paths; i++)
		free(s6->paths[i]);
	free(s6->paths);
	free(s6->devs);
	free(s6->spans);
	free(s6->macs);
	free(s6->sources);
	hosts6_free(&s6->hosts);
	free(s6);
}

const char *scan6_ifname(const struct scan6 *s6)
{
	return s6->n_devs == 1 ? s6->devs[0].ifname : NULL;
}

size_t scan6_sources(const struct scan6 *s6, const uint8_t **out)
{
	*out = s6->n_sources ? s6->sources[0] : NULL;
	return s6->n_sources;
}

const char *scan6_tx_name(const struct scan6 *s6)
{
	const char *name = "none";

	/* lo's raw socket is named only when it is the one backend in use */
	for (size_t d = s6->n_devs; s6->senders && d-- > 0; )
		if (s6->senders[0].tx[d] && (!s6->devs[d].via_ip || !strcmp(name, "none")))
			name = tx_name(s6->senders[0].tx[d]);
	return name;
}

uint64_t scan6_n_onlink(const struct scan6 *s6)
{
	return s6->n_macs;
}

/* ---- sending ------------------------------------------------------------ */

/* tx_batch.stamp: probes (each with its path's template and next hop's
 * MAC) or solicitations. Frames are frame_len long; shorter ones are
 * zero-padded (as any short Ethernet frame): the IPv6 payload length bounds
 * what the peer reads. */
static void stamp6(void *user, unsigned first, unsigned k, uint64_t ts, uint8_t *const *slots)
{
	const struct batch6 *b = user;

	for (unsigned i = 0; i < k; i++) {
		const struct path6 *p = b->path[first + i];
		uint8_t *slot = slots[i];
		size_t len;

		if (b->nd) {
			nd_stamp(&p->nd, b->addr[first + i], slot);
			len = ND_NS_FRAME_LEN;
		} else {
			struct probe6_fields f = { .probe = b->probe, .ts_ns = ts };

			memcpy(f.daddr, b->addr[first + i], 16);
			probe6_stamp(&p->tmpl, &f, slot);
			if (p->kind != PATH6_LOCAL)   /* lo: an IP packet */
				path_mac_unpack(b->mac[first + i], slot);
			len = p->tmpl.len;
		}
		/* a slot may hold an older, longer frame: zero padding */
		if (b->frame_len > len)
			memset(slot + len, 0, b->frame_len - len);
	}
}

/* Sends sender w's batch for interface d. Returns 0, or -1 with err. */
static int send_dev(struct scan6 *s6, struct sender6 *w, size_t d, char *err, size_t errlen)
{
	struct batch6 *b = &w->b[d];
	/* params NULL: every backend sends the stamped frames */
	const struct tx_batch tb = { .n = b->n, .probe = b->probe, .stamp = stamp6, .user = b };
	unsigned done = 0;

	while (done < b->n) {
		long got = tx_send_probes(w->tx[d], &tb, done, 100);

		if (got < 0) {
			snprintf(err, errlen, "sending on %s: %s", s6->devs[d].ifname,
				 tx_last_error(w->tx[d]));
			b->n = 0;
			return -1;
		}
		done += (unsigned)got;
	}
	if (b->nd)
		atomic_fetch_add_explicit(&w->solicits, b->n, memory_order_relaxed);
	b->n = 0;
	return 0;
}

static void batch_add(struct scan6 *s6, struct sender6 *w, const struct path6 *p,
		      const uint8_t addr[16], uint64_t mac)
{
	struct batch6 *b = &w->b[p->dev];

	memcpy(b->addr[b->n], addr, 16);
	b->path[b->n] = p;
	b->mac[b->n] = mac;
	b->n++;
	(void)s6;
}

/* Sends every interface's batch, of the kind given. */
static long send_all(struct scan6 *s6, struct sender6 *w, bool nd, uint16_t probe,
		     char *err, size_t errlen)
{
	long sent = 0;

	for (size_t d = 0; d < s6->n_devs; d++) {
		struct batch6 *b = &w->b[d];
		unsigned n = b->n;

		b->nd = nd;
		b->probe = probe;
		b->frame_len = s6->devs[d].frame_len;
		if (n && send_dev(s6, w, d, err, errlen) < 0)
			return -1;
		sent += n;
	}
	return sent;
}

bool scan6_gateways_resolved(const struct scan6 *s6)
{
	for (size_t i = 0; i < s6->n_paths; i++)
		if (s6->paths[i]->kind == PATH6_GATEWAY &&
		    !atomic_load_explicit(&s6->paths[i]->hop_mac, memory_order_relaxed))
			return false;
	return true;
}

int scan6_solicit_gateways(struct scan6 *s6, unsigned sender, char *err, size_t errlen)
{
	struct sender6 *w = &s6->senders[sender];

	for (size_t i = 0; i < s6->n_paths; i++) {
		const struct path6 *p = s6->paths[i];

		if (p->kind != PATH6_GATEWAY ||
		    atomic_load_explicit(&p->hop_mac, memory_order_relaxed))
			continue;
		batch_add(s6, w, p, p->gateway, 0);
		if (w->b[p->dev].n == SCAN6_BATCH_MAX && send_all(s6, w, true, 0, err, errlen) < 0)
			return -1;
	}
	return send_all(s6, w, true, 0, err, errlen) < 0 ? -1 : 0;
}

size_t scan6_unresolved(const struct scan6 *s6, uint64_t *cursor, uint64_t *ranks, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s6->n_spans && n < max; i++) {
		const struct span6 *sp = &s6->spans[i];
		uint64_t r;

		if (s6->paths[sp->path]->kind != PATH6_ONLINK || sp->hi < *cursor)
			continue;
		for (r = sp->lo > *cursor ? sp->lo : *cursor; r <= sp->hi && n < max; r++)
			if (!atomic_load_explicit(mac_slot(s6, sp, r), memory_order_relaxed))
				ranks[n++] = r;
		*cursor = r;
	}
	return n;
}

int scan6_solicit(struct scan6 *s6, unsigned sender, const uint64_t *ranks, unsigned n,
		  char *err, size_t errlen)
{
	struct sender6 *w = &s6->senders[sender];

	for (unsigned i = 0; i < n; i++) {
		const struct span6 *sp = span_of(s6, ranks[i]);
		struct es_addr a;

		if (!sp || s6->paths[sp->path]->kind != PATH6_ONLINK)
			continue;
		a = ip6set_at(s6->cfg.targets, ranks[i]);
		batch_add(s6, w, s6->paths[sp->path], a.bytes, 0);
	}
	return send_all(s6, w, true, 0, err, errlen) < 0 ? -1 : 0;
}

uint64_t scan6_nd_resolved(const struct scan6 *s6)
{
	return atomic_load_explicit(&s6->nd_resolved, memory_order_relaxed);
}

long scan6_send(struct scan6 *s6, unsigned sender, const uint64_t *ranks, unsigned n,
		uint16_t probe, char *err, size_t errlen)
{
	struct sender6 *w = &s6->senders[sender];
	const struct span6 *sp = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct path6 *p;
		struct es_addr a;
		uint64_t mac;

		if (!sp || ranks[i] < sp->lo || ranks[i] > sp->hi)
			sp = span_of(s6, ranks[i]);
		if (!sp)
			continue;
		p = s6->paths[sp->path];
		if (p->kind == PATH6_SKIP)
			continue;
		mac = p->kind == PATH6_LOCAL ? 1 :   /* no MAC: any non-zero value */
		      atomic_load_explicit(p->kind == PATH6_ONLINK ? mac_slot(s6, sp, ranks[i])
							       : &p->hop_mac,
					   memory_order_relaxed);
		if (!mac)
			continue;
		a = ip6set_at(s6->cfg.targets, ranks[i]);
		batch_add(s6, w, p, a.bytes, mac);
	}
	return send_all(s6, w, false, probe, err, errlen);
}

void scan6_flush(struct scan6 *s6, unsigned sender)
{
	for (size_t d = 0; d < s6->n_devs; d++)
		tx_flush(s6->senders[sender].tx[d], 1000);
}

void scan6_send_stats(const struct scan6 *s6, unsigned sender, uint64_t *frames,
		      uint64_t *errors, uint64_t *solicits)
{
	const struct sender6 *w = &s6->senders[sender];

	*frames = *errors = 0;
	for (size_t d = 0; d < s6->n_devs; d++) {
		struct tx_stats st;

		tx_get_stats(w->tx[d], &st);
		*frames += st.frames;
		*errors += st.errors;
	}
	*solicits = atomic_load_explicit(&w->solicits, memory_order_relaxed);
}

/* ---- receiving ---------------------------------------------------------- */

/* An on-link target's span, or NULL. */
static const struct span6 *onlink_span(const struct scan6 *s6, const struct es_addr *a,
				       uint64_t *rank)
{
	const struct span6 *sp;

	if (!s6->n_macs || !ip6set_index(s6->cfg.targets, a, rank) ||
	    !(sp = span_of(s6, *rank)) || s6->paths[sp->path]->kind != PATH6_ONLINK)
		return NULL;
	return sp;
}

/* An advertisement to us for a gateway or an on-link target we sweep: its
 * MAC is the target's (the parser checked the hop limit, 255, the code and
 * the ICMPv6 checksum). */
static void on_advert(struct scan6 *s6, int linktype, const uint8_t *frame, size_t caplen)
{
	uint8_t target[16], mac[6], dst[16];
	const struct span6 *sp;
	struct es_addr a;
	uint64_t rank, v;
	_Atomic uint64_t *slot;

	if (nd_parse_advert(linktype, frame, caplen, target, mac, dst) != ND_OK ||
	    (mac[0] & 1) != 0)
		return;
	for (size_t i = 0; i < s6->n_paths; i++) {
		struct path6 *p = s6->paths[i];

		if (p->kind == PATH6_GATEWAY && !memcmp(target, p->gateway, 16) &&
		    !memcmp(dst, p->saddr, 16))
			atomic_store_explicit(&p->hop_mac, path_mac_pack(mac), memory_order_relaxed);
	}
	a = es_addr_v6(target);
	if (!(sp = onlink_span(s6, &a, &rank)) || memcmp(dst, s6->paths[sp->path]->saddr, 16))
		return;
	slot = mac_slot(s6, sp, rank);
	v = atomic_load_explicit(slot, memory_order_relaxed);
	if (v & PATH_MAC_ARP)
		return;   /* a repeat */
	atomic_store_explicit(slot, path_mac_pack(mac) | PATH_MAC_ARP, memory_order_relaxed);
	if (!v)
		atomic_fetch_add_explicit(&s6->nd_resolved, 1, memory_order_relaxed);
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
	if (p.type == ICMP6_T_NEIGHBOR_ADVERT) {
		on_advert(s6, linktype, frame, caplen);
		return SCAN6_ND;
	}
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
	if (s6->n_macs) {   /* an on-link host: its MAC */
		const struct span6 *sp;
		uint64_t rank, v;

		if ((sp = onlink_span(s6, &a.saddr, &rank)) &&
		    (v = atomic_load_explicit(mac_slot(s6, sp, rank), memory_order_relaxed)))
			path_mac_unpack(v, res->mac);
	}
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

uint64_t scan6_each_nd_only(struct scan6 *s6, uint64_t ts_ns,
			    void (*fn)(void *ctx, const struct es_result *res), void *ctx,
			    const _Atomic bool *stop)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s6->n_spans && !atomic_load(stop); i++) {
		const struct span6 *sp = &s6->spans[i];
		const struct path6 *p = s6->paths[sp->path];

		if (p->kind != PATH6_ONLINK)
			continue;
		for (uint64_t r = sp->lo; r <= sp->hi; r++) {
			uint64_t v = atomic_load_explicit(mac_slot(s6, sp, r), memory_order_relaxed);
			struct es_result res = {
				.ts_ns = ts_ns, .rtt_ns = -1, .family = ES_AF6,
				.classification = ES_CLASS_ARP, .cooldown = 1,
			};
			struct es_addr a;

			if (!(v & PATH_MAC_ARP))
				continue;
			a = ip6set_at(s6->cfg.targets, r);
			if (hosts6_is_up(&s6->hosts, &a))
				continue;
			res.saddr6 = a;
			res.responder6 = a;
			res.daddr6 = es_addr_v6(p->saddr);
			path_mac_unpack(v, res.mac);
			fn(ctx, &res);
			n++;
		}
	}
	return n;
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
