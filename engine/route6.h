/*
 * route6.h — where IPv6 probes go out, as the kernel would send them:
 * RTM_GETROUTE (AF_INET6) gives the interface, the gateway and the source
 * the kernel selects for the destination (RFC 6724: the answer's
 * RTA_PREFSRC), and an RTM_GETNEIGH dump (AF_INET6) gives a next hop's MAC
 * when the kernel already knows it. Set-up only (blocking netlink calls),
 * never in the per-packet path; nothing here writes to the kernel's tables.
 */
#ifndef ECHOSCAN_ROUTE6_H
#define ECHOSCAN_ROUTE6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/addr.h"

struct route6_answer {
	int oif;
	uint8_t prefsrc[16];   /* all zero if the kernel gave none */
	uint8_t gateway[16];   /* all zero if the destination is on-link */
	bool has_gateway;
	unsigned char type;    /* RTN_UNICAST, RTN_LOCAL, RTN_UNREACHABLE, ... */
};

/* RTM_GETROUTE for daddr (through interface oif when > 0) on a socket from
 * route_nl_open(). Returns 0 or a negative errno (-ENETUNREACH, ...). */
int route6_get(int fd, const uint8_t daddr[16], int oif, struct route6_answer *a);
/* The MAC of addr on interface ifindex from the kernel's IPv6 neighbour
 * table (entries REACHABLE, STALE, DELAY, PROBE, PERMANENT or NOARP with a
 * 6-byte address). Returns 1 found, 0 not there, or a negative errno. */
int route6_neigh_find(int fd, int ifindex, const uint8_t addr[16], uint8_t mac[6]);
/* Calls fn for every usable entry (the states above, a 6-byte unicast,
 * non-zero MAC) of the kernel's IPv6 neighbour table on ifindex (one
 * RTM_GETNEIGH dump). fn returns 0 to go on or a negative errno to stop.
 * Returns 0 or a negative errno. */
int route6_neigh_each(int fd, int ifindex,
		      int (*fn)(const uint8_t addr[16], const uint8_t mac[6], void *ctx),
		      void *ctx);
/* Every IPv6 route prefix of every table as boundaries: each prefix's first
 * address and the address after its last (none past the end of the space),
 * sorted, without duplicates, into a malloc'ed array (*out, freed by the
 * caller; 0 itself is always the first). Between two consecutive
 * boundaries every address is routed alike (as far as routing depends on
 * the destination). Returns the count, or a negative errno (-ENOMEM). */
long route6_bounds(int fd, es_u128 **out);
/* The source for probes to daddr: the answer's preferred source, refused
 * when it is link-local (fe80::/10) and daddr is not, or missing. Returns 0
 * with src filled, or -1 with err naming the destination and the fix. */
int route6_source(const struct route6_answer *a, const uint8_t daddr[16],
		  const char *ifname, uint8_t src[16], char *err, size_t errlen);

#endif
