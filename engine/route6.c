/*
 * route6.c — IPv6 route, source and neighbour lookups over rtnetlink (see
 * route6.h). The kernel answers RTM_GETROUTE for a single IPv6 destination
 * with the source address it would select (rt6_fill_node adds RTA_PREFSRC
 * from ip6_route_get_saddr), so source selection follows the kernel's
 * RFC 6724 rules and address labels.
 */
#include "engine/route6.h"

#include "engine/addr.h"
#include "engine/netlink.h"

#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#define NUD_USABLE6 (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		     NUD_PERMANENT | NUD_NOARP)

static void add_attr(struct nlmsghdr *nh, unsigned short type, const void *data,
		     unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int route_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct route6_answer *a = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta = RTM_RTA(rt);
	int len = (int)RTM_PAYLOAD(nh);

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET6)
		return 0;
	a->type = rt->rtm_type;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_OIF && RTA_PAYLOAD(rta) >= sizeof(int))
			memcpy(&a->oif, RTA_DATA(rta), sizeof(a->oif));
		else if (rta->rta_type == RTA_PREFSRC && RTA_PAYLOAD(rta) == 16)
			memcpy(a->prefsrc, RTA_DATA(rta), 16);
		else if (rta->rta_type == RTA_GATEWAY && RTA_PAYLOAD(rta) == 16) {
			memcpy(a->gateway, RTA_DATA(rta), 16);
			a->has_gateway = true;
		}
	}
	return 0;
}

int route6_get(int fd, const uint8_t daddr[16], int oif, struct route6_answer *a)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[64];
	} req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET6;
	req.rt.rtm_dst_len = 128;
	add_attr(&req.nh, RTA_DST, daddr, 16);
	if (oif > 0)
		add_attr(&req.nh, RTA_OIF, &oif, sizeof(oif));
	memset(a, 0, sizeof(*a));
	return netlink_talk(fd, &req.nh, route_cb, a);
}

/* A usable IPv6 neighbour entry of ifindex in a dump message: 1 with its
 * address and MAC (either may stay NULL when the entry lacks it), else 0. */
static int neigh6_entry(const struct nlmsghdr *nh, int ifindex, const uint8_t **dst,
			const uint8_t **lladdr)
{
	const struct ndmsg *nd = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nd));

	if (nh->nlmsg_type != RTM_NEWNEIGH || len < 0 || nd->ndm_family != AF_INET6 ||
	    nd->ndm_ifindex != ifindex || !(nd->ndm_state & NUD_USABLE6))
		return 0;
	rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 16)
			*dst = RTA_DATA(rta);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			*lladdr = RTA_DATA(rta);
	}
	return 1;
}

struct neigh6_query {
	int ifindex;
	const uint8_t *addr;
	uint8_t *mac;
	int found;
};

static int neigh_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct neigh6_query *q = ctx;
	const uint8_t *dst = NULL, *lladdr = NULL;

	if (!neigh6_entry(nh, q->ifindex, &dst, &lladdr))
		return 0;
	if (dst && lladdr && memcmp(dst, q->addr, 16) == 0) {
		memcpy(q->mac, lladdr, 6);
		q->found = 1;
	}
	return 0;
}

struct neigh6_each {
	int ifindex;
	int (*fn)(const uint8_t addr[16], const uint8_t mac[6], void *ctx);
	void *ctx;
};

static int each_cb(const struct nlmsghdr *nh, void *ctx)
{
	static const uint8_t zero_mac[6];
	struct neigh6_each *q = ctx;
	const uint8_t *dst = NULL, *lladdr = NULL;

	if (!neigh6_entry(nh, q->ifindex, &dst, &lladdr))
		return 0;
	/* no MAC, a zero or a multicast one: cannot take unicast echo */
	if (!dst || !lladdr || !memcmp(lladdr, zero_mac, 6) || (lladdr[0] & 1))
		return 0;
	return q->fn(dst, lladdr, q->ctx);
}

int route6_neigh_each(int fd, int ifindex,
		      int (*fn)(const uint8_t addr[16], const uint8_t mac[6], void *ctx),
		      void *ctx)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req;
	struct neigh6_each q = { ifindex, fn, ctx };

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 3;
	req.nd.ndm_family = AF_INET6;
	req.nd.ndm_ifindex = ifindex;
	return netlink_talk(fd, &req.nh, each_cb, &q);
}

struct bounds6 {
	es_u128 *v;
	size_t n, cap;
	bool oom;
};

static void bounds6_add(struct bounds6 *b, es_u128 v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		es_u128 *nv = realloc(b->v, cap * sizeof(*nv));

		if (!nv) {
			b->oom = true;
			return;
		}
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = v;
}

static int bounds6_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct bounds6 *b = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta = RTM_RTA(rt);
	int len = (int)RTM_PAYLOAD(nh);
	uint8_t dst[16] = { 0 };
	es_u128 lo, size;
	struct es_addr a;

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET6 ||
	    rt->rtm_dst_len > 128)
		return 0;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == 16)
			memcpy(dst, RTA_DATA(rta), 16);
	a = es_addr_v6(dst);
	lo = es_addr_to_u128(&a);
	if (rt->rtm_dst_len == 0)
		return 0;   /* the whole space: 0 is a boundary anyway */
	size = (es_u128)1 << (128 - rt->rtm_dst_len);
	lo &= ~(size - 1);
	bounds6_add(b, lo);
	if (lo + size != 0)   /* not past the end of the space */
		bounds6_add(b, lo + size);
	return 0;
}

static int cmp_u128(const void *a, const void *b)
{
	es_u128 x = *(const es_u128 *)a, y = *(const es_u128 *)b;

	return x < y ? -1 : x > y;
}

long route6_bounds(int fd, es_u128 **out)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req;
	struct bounds6 b = { 0 };
	size_t k = 0;
	int rc;

	*out = NULL;
	bounds6_add(&b, 0);
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 8;
	req.rt.rtm_family = AF_INET6;
	rc = b.oom ? 0 : netlink_talk(fd, &req.nh, bounds6_cb, &b);
	if (rc < 0 || b.oom) {
		free(b.v);
		return b.oom ? -ENOMEM : rc;
	}
	qsort(b.v, b.n, sizeof(*b.v), cmp_u128);
	for (size_t i = 0; i < b.n; i++)
		if (k == 0 || b.v[i] != b.v[k - 1])
			b.v[k++] = b.v[i];
	*out = b.v;
	return (long)k;
}

int route6_neigh_find(int fd, int ifindex, const uint8_t addr[16], uint8_t mac[6])
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req;
	struct neigh6_query q = { ifindex, addr, mac, 0 };
	int rc;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 2;
	req.nd.ndm_family = AF_INET6;
	req.nd.ndm_ifindex = ifindex;
	rc = netlink_talk(fd, &req.nh, neigh_cb, &q);
	return rc < 0 ? rc : q.found;
}

int route6_source(const struct route6_answer *a, const uint8_t daddr[16],
		  const char *ifname, uint8_t src[16], char *err, size_t errlen)
{
	static const uint8_t zero[16];
	struct es_addr s = es_addr_v6(a->prefsrc), d = es_addr_v6(daddr);
	char ds[ES_ADDR_STRLEN], ss[ES_ADDR_STRLEN];

	es_addr_text(&d, ds, sizeof(ds));
	if (memcmp(a->prefsrc, zero, 16) == 0) {
		snprintf(err, errlen, "no IPv6 source address for %s on %s: add one to %s "
			 "or give one with -S", ds, ifname, ifname);
		return -1;
	}
	if (es_addr_is_link_local6(&s) && !es_addr_is_link_local6(&d)) {
		es_addr_text(&s, ss, sizeof(ss));
		snprintf(err, errlen, "the only IPv6 source for %s on %s is link-local (%s): "
			 "add a global address to %s or give one with -S", ds, ifname, ss, ifname);
		return -1;
	}
	memcpy(src, a->prefsrc, 16);
	return 0;
}
