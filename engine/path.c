/*
 * path.c — builds the path table (see path.h). The kernel's route prefixes
 * (all tables) cut the IPv4 space into regions inside which every address
 * is routed alike; the target intervals are split at those boundaries and
 * one RTM_GETROUTE per region (for the region's first target, so policy
 * rules apply as the kernel applies them) gives its interface, source and
 * gateway. Pieces that come out the same are merged, so a /0 sweep behind
 * one default route is one span. Gateway MACs are resolved once per
 * (interface, gateway); on-link targets get one MAC slot each, prefilled
 * from the kernel's neighbour table (neigh.c; read, never written): the
 * rest the scan resolves itself by ARP.
 */
#include "engine/path.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/errcode.h"
#include "engine/neigh.h"

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif

struct builder {
	struct path_table *t;
	size_t cap_devs, cap_paths, cap_spans;
	int fd;
	int oif;                 /* -i, or 0 */
	uint32_t saddr;          /* -S, or 0 */
	bool have_gw;            /* -G */
	uint8_t gw[6];
	int timeout_ms;
	char *err;
	size_t errlen;
};

static void addr_str(uint32_t host_order, char *buf, size_t len)
{
	struct in_addr a = { htonl(host_order) };

	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int oom(struct builder *b)
{
	snprintf(b->err, b->errlen, "out of memory for the path table");
	return ES_ENOMEM;
}

/* Bytes of link-layer header the interface's frames carry, or -1. */
static int link_len_of(int linktype)
{
	switch (linktype) {
	case ARPHRD_ETHER:
		return 14;
	case ARPHRD_LOOPBACK:   /* IP packets through a raw socket (tx_raw.c) */
	case ARPHRD_NONE:       /* tun, WireGuard */
	case ARPHRD_TUNNEL:     /* ipip */
	case ARPHRD_PPP:
	case ARPHRD_IPGRE:
	case ARPHRD_SIT:
	case ARPHRD_RAWIP:
		return 0;
	default:
		return -1;
	}
}

static int dev_index(struct builder *b, int ifindex, unsigned *out)
{
	struct path_table *t = b->t;
	struct path_dev d = { .ifindex = ifindex };
	int ll, rc;

	for (size_t i = 0; i < t->n_devs; i++)
		if (t->devs[i].ifindex == ifindex) {
			*out = (unsigned)i;
			return 0;
		}
	rc = route_iface(ifindex, d.ifname, &d.linktype, d.mac, b->err, b->errlen);
	if (rc < 0)
		return rc;
	ll = link_len_of(d.linktype);
	if (ll < 0) {
		snprintf(b->err, b->errlen, "%s: link type %d is neither Ethernet "
			 "nor IP-only: choose another interface with -i",
			 d.ifname, d.linktype);
		return ES_ENODEV;
	}
	d.link_len = (unsigned)ll;
	d.via_ip = d.linktype == ARPHRD_LOOPBACK;
	if (grow((void **)&t->devs, &b->cap_devs, t->n_devs, sizeof(d)) < 0)
		return oom(b);
	t->devs[t->n_devs] = d;
	*out = (unsigned)t->n_devs++;
	return 0;
}

static bool same_path(const struct path *a, const struct path *b)
{
	return a->kind == b->kind && a->dev == b->dev && a->saddr == b->saddr &&
	       a->nexthop == b->nexthop && memcmp(a->dst_mac, b->dst_mac, 6) == 0;
}

static int path_index(struct builder *b, const struct path *p, uint32_t *out)
{
	struct path_table *t = b->t;

	for (size_t i = 0; i < t->n_paths; i++)
		if (same_path(&t->paths[i], p)) {
			*out = (uint32_t)i;
			return 0;
		}
	if (grow((void **)&t->paths, &b->cap_paths, t->n_paths, sizeof(*p)) < 0)
		return oom(b);
	t->paths[t->n_paths] = *p;
	*out = (uint32_t)t->n_paths++;
	return 0;
}

/* A gateway already resolved on the same device keeps its MAC. */
static int gateway_mac(struct builder *b, const struct path_dev *d, uint32_t gw,
		       uint8_t mac[6])
{
	const struct path_table *t = b->t;

	for (size_t i = 0; i < t->n_paths; i++) {
		const struct path *p = &t->paths[i];

		if (p->kind == PATH_GATEWAY && p->nexthop == gw &&
		    &t->devs[p->dev] == d) {
			memcpy(mac, p->dst_mac, 6);
			return 0;
		}
	}
	return route_resolve_mac(b->fd, d->ifindex, d->ifname, gw, b->timeout_ms,
				 mac, b->err, b->errlen);
}

static int route_error(struct builder *b, uint32_t daddr, int rc)
{
	char dst[INET_ADDRSTRLEN], name[IF_NAMESIZE];
	struct ifreq ifr;
	int fd;

	addr_str(daddr, dst, sizeof(dst));
	if (rc < 0 && b->oif > 0 && if_indextoname((unsigned)b->oif, name) &&
	    (fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		rc = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)
		     ? 1 : rc;
		close(fd);
		if (rc == 1) {
			snprintf(b->err, b->errlen, "interface %s is down: bring "
				 "it up (ip link set %s up)", name, name);
			return ES_ENODEV;
		}
	}
	snprintf(b->err, b->errlen, "no route to %s: %s", dst,
		 rc < 0 ? strerror(-rc) : "no output interface");
	return ES_ENOROUTE;
}

/* The path of the region that holds daddr. */
static int lookup(struct builder *b, uint32_t daddr, uint32_t *out)
{
	struct route_answer a;
	struct path p = { 0 };
	const struct path_dev *d;
	int rc = route_get(b->fd, daddr, b->oif, &a);

	if (rc < 0 || a.oif <= 0)
		return route_error(b, daddr, rc);
	if (a.type != RTN_UNICAST && a.type != RTN_LOCAL) {
		p.kind = PATH_SKIP;
		return path_index(b, &p, out);
	}
	if ((rc = dev_index(b, b->oif ? b->oif : a.oif, &p.dev)) < 0)
		return rc;
	d = &b->t->devs[p.dev];
	p.saddr = b->saddr ? b->saddr : a.prefsrc;
	if (p.saddr == 0) {
		snprintf(b->err, b->errlen, "%s has no IPv4 address: give the "
			 "source with -S", d->ifname);
		return ES_ENODEV;
	}
	if (d->linktype == ARPHRD_LOOPBACK) {
		p.kind = PATH_LOCAL;
	} else if (d->link_len == 0) {
		p.kind = PATH_DIRECT;
	} else if (b->have_gw) {
		p.kind = PATH_GATEWAY;
		p.nexthop = a.gateway;
		memcpy(p.dst_mac, b->gw, 6);
	} else if (a.gateway && a.type == RTN_UNICAST && a.oif == d->ifindex) {
		p.kind = PATH_GATEWAY;
		p.nexthop = a.gateway;
		if ((rc = gateway_mac(b, d, a.gateway, p.dst_mac)) < 0)
			return rc;
	} else {
		/* on the link itself, or -i names a link the kernel would not
		 * use for this address (e.g. the machine's own): each target
		 * is its own next hop there */
		p.kind = PATH_ONLINK;
	}
	return path_index(b, &p, out);
}

static int add_span(struct builder *b, uint32_t lo, uint32_t hi, uint32_t path)
{
	struct path_table *t = b->t;

	if (t->n_spans && t->spans[t->n_spans - 1].path == path) {
		t->spans[t->n_spans - 1].hi = hi;
		return 0;
	}
	if (grow((void **)&t->spans, &b->cap_spans, t->n_spans, sizeof(*t->spans)) < 0)
		return oom(b);
	t->spans[t->n_spans++] = (struct path_span){ lo, hi, path, 0 };
	return 0;
}

/* Index of the first boundary above v. */
static size_t above(const uint64_t *bounds, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bounds[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int split_targets(struct builder *b, const struct ipset *targets,
			 const uint64_t *bounds, size_t nb)
{
	size_t region = SIZE_MAX;
	uint32_t path = 0;
	int rc;

	for (size_t i = 0; i < targets->n; i++) {
		uint64_t a = targets->r[i].lo, end = targets->r[i].hi;

		while (a <= end) {
			size_t k = above(bounds, nb, a);
			uint64_t stop = k < nb && bounds[k] - 1 < end ? bounds[k] - 1 : end;

			if (k != region) {
				if ((rc = lookup(b, (uint32_t)a, &path)) < 0)
					return rc;
				region = k;
			}
			if ((rc = add_span(b, (uint32_t)a, (uint32_t)stop, path)) < 0)
				return rc;
			a = stop + 1;
		}
	}
	return 0;
}

static uint64_t in_spans(const struct path_table *t, const struct ipset *targets,
			 enum path_kind kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < targets->n; i++) {
		for (uint64_t a = targets->r[i].lo; a <= targets->r[i].hi; ) {
			const struct path_span *sp = path_span_of(t, (uint32_t)a);
			uint64_t stop = sp->hi < targets->r[i].hi ? sp->hi : targets->r[i].hi;

			if (t->paths[sp->path].kind == kind)
				n += stop - a + 1;
			a = stop + 1;
		}
	}
	return n;
}

/* Copies what the kernel's neighbour table knows about the on-link targets
 * of device d into their slots (read only: nothing is written back). */
static int prefill(struct builder *b, unsigned d)
{
	struct path_table *t = b->t;
	struct neigh_table nt;
	uint8_t mac[6];
	long n;

	neigh_init(&nt);
	n = neigh_prefill(t->devs[d].ifindex, &nt, b->err, b->errlen);
	for (size_t i = 0; n > 0 && i < t->n_spans; i++) {
		const struct path_span *sp = &t->spans[i];
		const struct path *p = &t->paths[sp->path];

		if (p->kind != PATH_ONLINK || p->dev != d)
			continue;
		for (uint64_t a = sp->lo; a <= sp->hi; a++)
			if (neigh_lookup(&nt, (uint32_t)a, mac))
				atomic_store_explicit(path_mac_slot(t, sp, (uint32_t)a),
						      path_mac_pack(mac), memory_order_relaxed);
	}
	neigh_free(&nt);
	return n < 0 ? (int)n : 0;
}

/* MAC slots for the on-link spans, filled with what the kernel knows. */
static int onlink_slots(struct builder *b)
{
	struct path_table *t = b->t;
	uint64_t n = 0;

	for (size_t i = 0; i < t->n_spans; i++) {
		struct path_span *sp = &t->spans[i];

		if (t->paths[sp->path].kind != PATH_ONLINK)
			continue;
		sp->mac_base = n;
		n += (uint64_t)sp->hi - sp->lo + 1;
	}
	if (n == 0)
		return 0;
	if (n > PATH_ONLINK_MAX) {
		snprintf(b->err, b->errlen, "%llu on-link addresses to resolve: "
			 "at most %u per scan (give a smaller range, or -G MAC)",
			 (unsigned long long)n, PATH_ONLINK_MAX);
		return ES_EINVAL;
	}
	t->macs = calloc(n, sizeof(*t->macs));
	if (!t->macs)
		return oom(b);
	t->n_macs = n;
	for (unsigned d = 0; d < t->n_devs; d++) {
		bool used = false;
		int rc;

		for (size_t i = 0; i < t->n_paths; i++)
			used |= t->paths[i].kind == PATH_ONLINK && t->paths[i].dev == d;
		if (used && (rc = prefill(b, d)) < 0)
			return rc;
	}
	return 0;
}

static int build(struct builder *b, const struct ipset *targets)
{
	struct path_table *t = b->t;
	uint64_t *bounds = NULL;
	long nb = route_bounds(b->fd, &bounds, b->err, b->errlen);
	int rc;

	if (nb < 0)
		return (int)nb;
	rc = split_targets(b, targets, bounds, (size_t)nb);
	free(bounds);
	if (rc < 0)
		return rc;
	t->n_skip = in_spans(t, targets, PATH_SKIP);
	t->n_onlink = in_spans(t, targets, PATH_ONLINK);
	if (t->n_skip == ipset_count(targets)) {
		char dst[INET_ADDRSTRLEN];

		addr_str(targets->r[0].lo, dst, sizeof(dst));
		snprintf(b->err, b->errlen, "%s%s is a broadcast or multicast "
			 "address: give unicast targets", dst,
			 ipset_count(targets) > 1 ? " (like every target)" : "");
		return ES_EINVAL;
	}
	return onlink_slots(b);
}

int path_table_build(struct path_table *t, const struct ipset *targets,
		     const struct route_overrides *ov, int timeout_ms,
		     char *err, size_t errlen)
{
	struct builder b = { .t = t, .timeout_ms = timeout_ms, .err = err,
			     .errlen = errlen };
	int rc;

	memset(t, 0, sizeof(*t));
	if (ipset_count(targets) == 0) {
		snprintf(err, errlen, "no targets");
		return ES_EINVAL;
	}
	if ((rc = route_check_overrides(ov, &b.oif, &b.saddr, b.gw, err, errlen)) < 0)
		return rc;
	b.have_gw = ov && ov->gw_mac;
	b.fd = route_nl_open(err, errlen);
	if (b.fd < 0)
		return b.fd;
	rc = build(&b, targets);
	close(b.fd);
	if (rc < 0)
		path_table_free(t);
	return rc;
}

void path_table_free(struct path_table *t)
{
	free(t->devs);
	free(t->paths);
	free(t->spans);
	free(t->macs);
	memset(t, 0, sizeof(*t));
}

const struct path_dev *path_single_dev(const struct path_table *t)
{
	return t->n_devs == 1 ? &t->devs[0] : NULL;
}
