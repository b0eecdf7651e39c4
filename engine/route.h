/*
 * route.h — where probes go out: the interface, source address and next-hop
 * MAC for a destination, read from the kernel's routing and neighbour tables
 * over rtnetlink. If the next hop is not in the neighbour cache, a UDP
 * datagram to it (discard port) makes the kernel resolve it, and the cache is
 * polled for up to timeout_ms. Overrides (-i, -S, -G) replace what is found.
 */
#ifndef ECHOSCAN_ROUTE_H
#define ECHOSCAN_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

struct route_info {
	char     ifname[IF_NAMESIZE];
	int      ifindex;
	uint32_t saddr;        /* host order */
	uint32_t nexthop;      /* gateway, or the destination when on-link */
	uint8_t  src_mac[6];
	uint8_t  dst_mac[6];
	bool     is_loopback;  /* lo: no link-layer resolution, MACs zero */
	int      linktype;     /* ARPHRD_ETHER, ARPHRD_LOOPBACK, ... */
};

struct route_overrides {
	const char *ifname;    /* -i, or NULL */
	const char *saddr;     /* -S, or NULL */
	const char *gw_mac;    /* -G "aa:bb:cc:dd:ee:ff", or NULL */
};

/* Returns 0, or -1 with err naming what failed ("no route to 198.18.0.1",
 * "interface eth9 does not exist", "cannot resolve MAC of next hop 198.19.0.2
 * on veth0: use -G"). */
int route_lookup(uint32_t daddr, const struct route_overrides *ov,
		 int timeout_ms, struct route_info *out, char *err, size_t errlen);
/* Parses "aa:bb:cc:dd:ee:ff". Returns 0 or -1. */
int route_parse_mac(const char *s, uint8_t mac[6]);

#endif
