/*
 * route.c — finds where probes to a destination go out, as the kernel would
 * send them: RTM_GETROUTE gives the interface, preferred source and gateway;
 * SIOCGIFHWADDR gives the interface's MAC and link type; an RTM_GETNEIGH
 * dump gives the next hop's MAC. When the next hop is not in the neighbour
 * cache, one UDP datagram to its discard port makes the kernel ARP for it and
 * the cache is polled every 10 ms. The -i, -S and -G overrides are checked
 * first and replace what the kernel says.
 */
#include "engine/route.h"

#include "engine/errcode.h"
#include "engine/netlink.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NEIGH_POLL_MS 10
#define NEIGH_RETRY_MS 1000
#define NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		    NUD_PERMANENT | NUD_NOARP)

/* What RTM_GETROUTE tells us (addresses network order inside). */
struct rt_answer {
	int oif;
	uint32_t prefsrc;    /* network order, 0 if absent */
	uint32_t gateway;    /* network order, 0 if on-link */
	unsigned char type;  /* RTN_UNICAST, RTN_LOCAL, ... */
};

struct neigh_query {
	int ifindex;
	uint32_t addr;       /* network order */
	uint8_t mac[6];
	int found;
};

static void addr_str(uint32_t host_order, char *buf, size_t len)
{
	struct in_addr a = { htonl(host_order) };

	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Strict: exactly six two-digit hex groups separated by ':'. */
int route_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t out[6];
	int i;

	if (!s)
		return -1;
	for (i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);

		if (lo < 0 || p[2] != (i < 5 ? ':' : '\0'))
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, 6);
	return 0;
}

static void add_attr(struct nlmsghdr *nh, unsigned short type,
		     const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh +
					       NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int route_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct rt_answer *a = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta = RTM_RTA(rt);
	int len = (int)RTM_PAYLOAD(nh);

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	a->type = rt->rtm_type;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_OIF)
			memcpy(&a->oif, RTA_DATA(rta), sizeof(a->oif));
		else if (rta->rta_type == RTA_PREFSRC)
			memcpy(&a->prefsrc, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_GATEWAY)
			memcpy(&a->gateway, RTA_DATA(rta), 4);
	}
	return 0;
}

static int get_route(int fd, uint32_t daddr, int oif, struct rt_answer *a)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[64];
	} req;
	uint32_t dst = htonl(daddr);

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_dst_len = 32;
	add_attr(&req.nh, RTA_DST, &dst, 4);
	if (oif > 0)
		add_attr(&req.nh, RTA_OIF, &oif, sizeof(oif));
	memset(a, 0, sizeof(*a));
	return netlink_talk(fd, &req.nh, route_cb, a);
}

static int neigh_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct neigh_query *q = ctx;
	struct netlink_neigh n;

	if (!netlink_neigh_decode(nh, &n) || n.ifindex != q->ifindex ||
	    !(n.state & NUD_USABLE))
		return 0;
	if (n.addr == q->addr && n.mac) {
		memcpy(q->mac, n.mac, 6);
		q->found = 1;
	}
	return 0;
}

/* Looks the next hop up in the neighbour cache. Returns 1 found, 0 not,
 * or a negative errno. */
static int neigh_find(int fd, unsigned seq, struct neigh_query *q)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req;
	int rc;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = seq;
	req.nd.ndm_family = AF_INET;
	q->found = 0;
	rc = netlink_talk(fd, &req.nh, neigh_cb, q);
	return rc < 0 ? rc : q->found;
}

/* One datagram to the discard port makes the kernel resolve the next hop;
 * what becomes of the datagram does not matter. */
static void neigh_trigger(const char *ifname, uint32_t hop)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(9),
				   .sin_addr.s_addr = htonl(hop) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			 (socklen_t)strlen(ifname) + 1);
	(void)sendto(fd, "", 1, MSG_DONTWAIT, (struct sockaddr *)&sin,
		     sizeof(sin));
	close(fd);
}

int route_resolve_mac(int fd, int ifindex, const char *ifname, uint32_t hop,
		      int timeout_ms, uint8_t mac[6], char *err, size_t errlen)
{
	struct neigh_query q = { .ifindex = ifindex, .addr = htonl(hop) };
	int64_t start = now_ms(), last_trigger = 0;
	unsigned seq = 2;
	char hs[INET_ADDRSTRLEN];

	for (;;) {
		int rc = neigh_find(fd, seq++, &q);

		if (rc < 0) {
			snprintf(err, errlen, "route: reading the neighbour "
				 "table failed: %s", strerror(-rc));
			return es_errno_code(-rc);
		}
		if (rc > 0) {
			memcpy(mac, q.mac, 6);
			return 0;
		}
		if (now_ms() - start >= timeout_ms)
			break;
		if (!last_trigger || now_ms() - last_trigger >= NEIGH_RETRY_MS) {
			neigh_trigger(ifname, hop);
			last_trigger = now_ms();
		}
		poll(NULL, 0, NEIGH_POLL_MS);
	}
	addr_str(hop, hs, sizeof(hs));
	snprintf(err, errlen, "cannot resolve the MAC address of next hop %s "
		 "on %s: use -G", hs, ifname);
	return ES_ENOROUTE;
}

static int resolve_nexthop(int fd, struct route_info *ri, int timeout_ms,
			   char *err, size_t errlen)
{
	return route_resolve_mac(fd, ri->ifindex, ri->ifname, ri->nexthop,
				 timeout_ms, ri->dst_mac, err, errlen);
}

int route_iface(int ifindex, char name[IF_NAMESIZE], int *linktype,
		uint8_t mac[6], char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (!if_indextoname((unsigned)ifindex, name)) {
		snprintf(err, errlen, "route: interface index %d has no "
			 "name: %s", ifindex, strerror(errno));
		return ES_ENODEV;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "route: socket: %s", strerror(e));
		return es_errno_code(e);
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot read the MAC address: %s",
			 name, strerror(e));
		close(fd);
		return e == ENODEV || e == ENXIO ? ES_ENODEV : es_errno_code(e);
	}
	close(fd);
	*linktype = ifr.ifr_hwaddr.sa_family;
	memset(mac, 0, 6);
	if (*linktype == ARPHRD_ETHER)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* Name, MAC and link type of the interface. */
static int iface_info(struct route_info *ri, char *err, size_t errlen)
{
	int rc = route_iface(ri->ifindex, ri->ifname, &ri->linktype, ri->src_mac,
			     err, errlen);

	if (rc < 0)
		return rc;
	ri->is_loopback = ri->linktype == ARPHRD_LOOPBACK;
	return 0;
}

/* Checks -i, -S and -G before anything is looked up. */
int route_check_overrides(const struct route_overrides *ov, int *oif,
			  uint32_t *saddr, uint8_t gw[6], char *err,
			  size_t errlen)
{
	struct in_addr a;

	if (ov && ov->ifname) {
		*oif = (int)if_nametoindex(ov->ifname);
		if (*oif == 0) {
			snprintf(err, errlen, "interface %s does not exist: "
				 "see 'ip link' for the names", ov->ifname);
			return ES_ENODEV;
		}
	}
	if (ov && ov->saddr) {
		if (inet_pton(AF_INET, ov->saddr, &a) != 1) {
			snprintf(err, errlen, "-S %s: not an IPv4 address "
				 "(use a.b.c.d)", ov->saddr);
			return ES_EINVAL;
		}
		*saddr = ntohl(a.s_addr);
	}
	if (ov && ov->gw_mac && route_parse_mac(ov->gw_mac, gw) < 0) {
		snprintf(err, errlen, "-G %s: not a MAC address "
			 "(use aa:bb:cc:dd:ee:ff)", ov->gw_mac);
		return ES_EINVAL;
	}
	return 0;
}

/* Whether interface oif is up; fills name with its name. */
static bool iface_up(int oif, char name[IF_NAMESIZE])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up = true;

	if (fd < 0 || !if_indextoname((unsigned)oif, name)) {
		if (fd >= 0)
			close(fd);
		return true;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) != 0;
	close(fd);
	return up;
}

static int fill_route(int fd, uint32_t daddr, int oif,
		      struct route_info *out, char *err, size_t errlen)
{
	struct rt_answer a;
	char dst[INET_ADDRSTRLEN];
	int rc = get_route(fd, daddr, oif, &a);

	addr_str(daddr, dst, sizeof(dst));
	if (rc < 0 && oif > 0 && !iface_up(oif, out->ifname)) {
		snprintf(err, errlen, "interface %s is down: bring it up "
			 "(ip link set %s up)", out->ifname, out->ifname);
		return ES_ENODEV;
	}
	if (rc < 0 || a.oif <= 0) {
		snprintf(err, errlen, "no route to %s: %s", dst,
			 rc < 0 ? strerror(-rc) : "no output interface");
		return ES_ENOROUTE;
	}
	if (a.type != RTN_UNICAST && a.type != RTN_LOCAL) {
		snprintf(err, errlen, "%s is a %s address: give unicast "
			 "targets", dst, a.type == RTN_BROADCAST ? "broadcast" :
			 a.type == RTN_MULTICAST ? "multicast" : "non-unicast");
		return ES_EINVAL;
	}
	out->ifindex = a.oif;
	out->saddr = ntohl(a.prefsrc);
	out->nexthop = a.gateway ? ntohl(a.gateway) : daddr;
	return iface_info(out, err, errlen);
}

static int check_link(const struct route_info *ri, char *err, size_t errlen)
{
	if (ri->linktype != ARPHRD_ETHER && !ri->is_loopback) {
		snprintf(err, errlen, "%s: link type %d is not Ethernet: "
			 "choose an Ethernet interface with -i", ri->ifname,
			 ri->linktype);
		return ES_ENODEV;
	}
	if (ri->saddr == 0) {
		snprintf(err, errlen, "%s has no IPv4 address: give the "
			 "source with -S", ri->ifname);
		return ES_ENODEV;
	}
	return 0;
}

static int lookup(int fd, uint32_t daddr, const struct route_overrides *ov,
		  int timeout_ms, struct route_info *out, char *err,
		  size_t errlen)
{
	int oif = 0, rc;
	uint32_t saddr = 0;
	uint8_t gw[6];

	if ((rc = route_check_overrides(ov, &oif, &saddr, gw, err, errlen)) < 0 ||
	    (rc = fill_route(fd, daddr, oif, out, err, errlen)) < 0)
		return rc;
	if (saddr)
		out->saddr = saddr;
	if ((rc = check_link(out, err, errlen)) < 0)
		return rc;
	if (out->is_loopback)
		return 0;
	if (ov && ov->gw_mac) {
		memcpy(out->dst_mac, gw, 6);
		return 0;
	}
	return resolve_nexthop(fd, out, timeout_ms, err, errlen);
}

int route_lookup(uint32_t daddr, const struct route_overrides *ov,
		 int timeout_ms, struct route_info *out, char *err,
		 size_t errlen)
{
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = netlink_open("route", err, errlen);
	if (fd < 0)
		return fd;
	rc = lookup(fd, daddr, ov, timeout_ms, out, err, errlen);
	close(fd);
	return rc;
}

int route_nl_open(char *err, size_t errlen)
{
	return netlink_open("route", err, errlen);
}

int route_get(int fd, uint32_t daddr, int oif, struct route_answer *a)
{
	struct rt_answer r;
	int rc = get_route(fd, daddr, oif, &r);

	memset(a, 0, sizeof(*a));
	if (rc < 0)
		return rc;
	a->oif = r.oif;
	a->prefsrc = ntohl(r.prefsrc);
	a->gateway = ntohl(r.gateway);
	a->type = r.type;
	return 0;
}

struct bounds {
	uint64_t *v;
	size_t n, cap;
	bool oom;
};

static void bounds_add(struct bounds *b, uint64_t v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint64_t *nv = realloc(b->v, cap * sizeof(*nv));

		if (!nv) {
			b->oom = true;
			return;
		}
		b->v = nv;
		b->cap = cap;
	}
	b->v[b->n++] = v;
}

static int bounds_cb(const struct nlmsghdr *nh, void *ctx)
{
	struct bounds *b = ctx;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta = RTM_RTA(rt);
	int len = (int)RTM_PAYLOAD(nh);
	uint32_t dst = 0;
	uint64_t size;

	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
	    rt->rtm_dst_len > 32)
		return 0;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == 4)
			memcpy(&dst, RTA_DATA(rta), 4);
	size = 1ull << (32 - rt->rtm_dst_len);
	dst = ntohl(dst) & (uint32_t)~(size - 1);
	bounds_add(b, dst);
	bounds_add(b, (uint64_t)dst + size);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

long route_bounds(int fd, uint64_t **out, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req;
	struct bounds b = { 0 };
	size_t i, k = 0;
	int rc;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 7;
	req.rt.rtm_family = AF_INET;
	rc = netlink_talk(fd, &req.nh, bounds_cb, &b);
	if (rc < 0 || b.oom) {
		snprintf(err, errlen, "route: reading the routing table "
			 "failed: %s", b.oom ? "out of memory" : strerror(-rc));
		free(b.v);
		return b.oom ? ES_ENOMEM : es_errno_code(-rc);
	}
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), cmp_u64);
	for (i = 0; i < b.n; i++)
		if (k == 0 || b.v[i] != b.v[k - 1])
			b.v[k++] = b.v[i];
	*out = b.v;
	return (long)k;
}
