/*
 * xdp_dev.c — a device's queues and XDP features for the AF_XDP sender and
 * receiver, and --tx auto's rule (see xdp_dev.h). The features come from
 * the kernel's "netdev" generic netlink family (NETDEV_CMD_DEV_GET), a
 * read-only query: nothing is attached to the device to find out.
 */
#include "engine/xdp_dev.h"
#include "engine/netlink.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

/* include/uapi/linux/netdev.h (Linux 6.3+; Debian 12's headers are 6.1) */
#define ES_NETDEV_FAMILY      "netdev"
#define ES_NETDEV_CMD_DEV_GET 1
#define ES_NETDEV_A_DEV_IFINDEX 1
#define ES_NETDEV_A_DEV_XDP_FEATURES 3

unsigned xdp_dev_queues(const char *ifname, bool rx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	unsigned n = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		n = ch.combined_count + (rx ? ch.rx_count : ch.tx_count);
		if (n < 1)
			n = 1;
	}
	close(fd);
	return n;
}

static int quiet_xdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int quiet_bpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void xdp_dev_quiet_logs(void)
{
	libxdp_set_print(quiet_xdp);
	libbpf_set_print(quiet_bpf);
}

/* A generic netlink request: header, genl header, attributes. */
struct genl_req {
	struct nlmsghdr nh;
	struct genlmsghdr g;
	char attrs[64];
};

static void put_attr(struct genl_req *r, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Calls fn on each attribute of a generic netlink answer. */
static void each_attr(const struct nlmsghdr *nh,
		      void (*fn)(const struct nlattr *a, void *ctx), void *ctx)
{
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
	const struct nlattr *a = (const struct nlattr *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);

	while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		fn(a, ctx);
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

struct family_ans { uint16_t id; };

static void family_attr(const struct nlattr *a, void *ctx)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID && a->nla_len >= NLA_HDRLEN + 2)
		memcpy(&((struct family_ans *)ctx)->id, (const char *)a + NLA_HDRLEN, 2);
}

static int family_cb(const struct nlmsghdr *nh, void *ctx)
{
	each_attr(nh, family_attr, ctx);
	return 0;
}

struct dev_ans { bool got; uint64_t features; };

static void dev_attr(const struct nlattr *a, void *ctx)
{
	struct dev_ans *d = ctx;

	if ((a->nla_type & NLA_TYPE_MASK) == ES_NETDEV_A_DEV_XDP_FEATURES &&
	    a->nla_len >= NLA_HDRLEN + 8) {
		memcpy(&d->features, (const char *)a + NLA_HDRLEN, 8);
		d->got = true;
	}
}

static int dev_cb(const struct nlmsghdr *nh, void *ctx)
{
	each_attr(nh, dev_attr, ctx);
	return 0;
}

int xdp_dev_features(int ifindex, uint64_t *features)
{
	struct genl_req r;
	struct family_ans fam = { 0 };
	struct dev_ans dev = { 0 };
	uint32_t idx = (uint32_t)ifindex;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), rc;

	*features = 0;
	if (fd < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r.nh.nlmsg_type = GENL_ID_CTRL;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.nh.nlmsg_seq = 1;
	r.g.cmd = CTRL_CMD_GETFAMILY;
	r.g.version = 1;
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, ES_NETDEV_FAMILY, sizeof(ES_NETDEV_FAMILY));
	rc = netlink_talk(fd, &r.nh, family_cb, &fam);
	if (rc == 0 && fam.id == 0)
		rc = -ENOENT;
	if (rc == 0) {
		memset(&r, 0, sizeof(r));
		r.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
		r.nh.nlmsg_type = fam.id;
		r.nh.nlmsg_flags = NLM_F_REQUEST;
		r.nh.nlmsg_seq = 2;
		r.g.cmd = ES_NETDEV_CMD_DEV_GET;
		r.g.version = 1;
		put_attr(&r, ES_NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
		rc = netlink_talk(fd, &r.nh, dev_cb, &dev);
		if (rc == 0 && !dev.got)
			rc = -ENOENT;
	}
	close(fd);
	if (rc == 0)
		*features = dev.features;
	return rc < 0 ? rc : 0;
}

bool xdp_dev_auto(const struct xdp_auto_in *in, char *why, size_t whylen)
{
	const char *ifn = in->ifname ? in->ifname : "?";

	if (!in->ethernet) {
		snprintf(why, whylen, "%s: not Ethernet", ifn);
		return false;
	}
	if (in->ipv6) {
		snprintf(why, whylen, "%s: IPv6 targets too (one AF_XDP socket per queue)", ifn);
		return false;
	}
	if (!in->features_known) {
		snprintf(why, whylen, "%s: the kernel does not say whether the driver has "
			 "native XDP", ifn);
		return false;
	}
	if (!(in->features & XDP_DEV_NATIVE)) {
		snprintf(why, whylen, "%s: no native XDP in its driver", ifn);
		return false;
	}
	if (in->senders > in->queues) {
		snprintf(why, whylen, "%s: %u sender threads but %u queue%s", ifn,
			 in->senders, in->queues, in->queues == 1 ? "" : "s");
		return false;
	}
	snprintf(why, whylen, "%s: native XDP", ifn);
	return true;
}
