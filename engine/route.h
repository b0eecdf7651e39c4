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

/* Returns 0, or a negative enum es_error (echoscan.h) with err naming what
 * failed: ES_ENOROUTE ("no route to 198.18.0.1", "cannot resolve MAC of next
 * hop 198.19.0.2 on veth0: use -G"), ES_ENODEV ("interface eth9 does not
 * exist", down, not Ethernet, no IPv4 address), ES_EINVAL (a bad -S or -G,
 * a broadcast or multicast target), ES_ESYS/ES_ENOMEM. */
int route_lookup(uint32_t daddr, const struct route_overrides *ov,
		 int timeout_ms, struct route_info *out, char *err, size_t errlen);
/* Parses "aa:bb:cc:dd:ee:ff". Returns 0 or -1. */
int route_parse_mac(const char *s, uint8_t mac[6]);

/* ---- the pieces path.c builds its per-target table from ---------------- */

/* What RTM_GETROUTE says about one destination (addresses host order). */
struct route_answer {
	int oif;
	uint32_t prefsrc;      /* 0 if absent */
	uint32_t gateway;      /* 0 if on-link */
	unsigned char type;    /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
};

/* A NETLINK_ROUTE socket for the calls below; close() it afterwards.
 * Returns the fd, or a negative enum es_error with err set. */
int route_nl_open(char *err, size_t errlen);
/* RTM_GETROUTE for daddr (through interface oif when > 0): the kernel's own
 * choice, policy rules included. Returns 0 or a negative errno. */
int route_get(int fd, uint32_t daddr, int oif, struct route_answer *a);
/* Every IPv4 route prefix in every table as boundaries: each prefix's first
 * address and the address after its last (as 64-bit values, 2^32 for the
 * end of the space), sorted, without duplicates, into a malloc'ed array
 * (*out, freed by the caller). Inside two consecutive boundaries every
 * address is routed alike (as far as routing depends on the destination).
 * Returns the count or a negative enum es_error with err set. */
long route_bounds(int fd, uint64_t **out, char *err, size_t errlen);
/* Checks the -i, -S and -G overrides: *oif (0 if no -i), *saddr (0 if no
 * -S), gw (filled only with -G). Returns 0, or ES_ENODEV (no such -i) or
 * ES_EINVAL (bad -S or -G) with err naming the bad input. */
int route_check_overrides(const struct route_overrides *ov, int *oif,
			  uint32_t *saddr, uint8_t gw[6], char *err,
			  size_t errlen);
/* Name, link type (ARPHRD_*) and MAC (zero unless Ethernet) of an
 * interface. Returns 0, or ES_ENODEV (or ES_ESYS ...) with err set. */
int route_iface(int ifindex, char name[IF_NAMESIZE], int *linktype,
		uint8_t mac[6], char *err, size_t errlen);
/* The MAC of next hop `hop` on interface ifindex from the neighbour cache,
 * making the kernel resolve it (one UDP datagram to the discard port) when
 * missing; waits at most timeout_ms. Returns 0, or ES_ENOROUTE (did not
 * resolve in time) or another negative enum es_error, with err set. */
int route_resolve_mac(int fd, int ifindex, const char *ifname, uint32_t hop,
		      int timeout_ms, uint8_t mac[6], char *err, size_t errlen);

#endif
