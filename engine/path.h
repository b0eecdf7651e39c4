/*
 * path.h — where each target goes: the path table. Built once per run from
 * the kernel's routing tables (route.c), it splits the target set at route
 * boundaries and asks the kernel once per piece, so one scan can cover
 * loopback, on-link and routed targets, each through its own interface,
 * source address and next hop. The sender maps a target to its path with a
 * binary search over the spans (never a syscall).
 *
 * A path is one (interface, source, next hop) combination:
 *   PATH_LOCAL   the machine's own address: sent through the kernel's IP
 *                output to lo (a raw socket), the kernel answers;
 *   PATH_GATEWAY through a router (its MAC resolved once, or -G);
 *   PATH_ONLINK  a directly attached subnet on Ethernet: each target needs
 *                its own MAC (per-target slots in `macs`, filled from the
 *                kernel's neighbour table and from ARP replies);
 *   PATH_DIRECT  a device without link-layer addresses (tun, ipip,
 *                WireGuard, PPP): IP packets, no MAC at all;
 *   PATH_SKIP    broadcast, multicast and other non-unicast destinations:
 *                not probed.
 * -i, -S and -G override what the kernel says and apply to every target.
 *
 * Ownership and threads: the table is built and freed by one thread (the
 * scan's owner) and is read-only afterwards, except the per-target MAC
 * slots, which the receiver stores and the sender loads (relaxed atomics;
 * a slot is 0 until known, then PATH_MAC_KNOWN | MAC, plus PATH_MAC_ARP
 * once the host has answered one of our ARP requests).
 */
#ifndef ECHOSCAN_PATH_H
#define ECHOSCAN_PATH_H

#include <net/if.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/route.h"
#include "engine/ipset.h"

enum path_kind { PATH_LOCAL, PATH_GATEWAY, PATH_ONLINK, PATH_DIRECT, PATH_SKIP };

/* One interface in use. */
struct path_dev {
	int ifindex;
	char ifname[IF_NAMESIZE];
	int linktype;            /* ARPHRD_* */
	unsigned link_len;       /* bytes before the IP header: 14 or 0 */
	bool via_ip;             /* lo: sent through the kernel's IP output */
	uint8_t mac[6];          /* zero unless Ethernet */
};

struct path {
	enum path_kind kind;
	unsigned dev;            /* index into devs */
	uint32_t saddr;          /* host order */
	uint32_t nexthop;        /* gateway; 0 when per target or none */
	uint8_t dst_mac[6];      /* gateway's or -G's; zero for lo, tun, on-link */
};

/* Targets in [lo, hi] (and the gaps between them) take path `path`. */
struct path_span {
	uint32_t lo, hi;
	uint32_t path;
	uint64_t mac_base;       /* on-link: slot of lo in macs, else 0 */
};

#define PATH_MAC_KNOWN (1ull << 63)
#define PATH_MAC_ARP   (1ull << 62)   /* answered our ARP request in this run */
/* At most this many on-link addresses get MAC slots (8 bytes each). */
#define PATH_ONLINK_MAX (1u << 22)

struct path_table {
	struct path_dev *devs;
	size_t n_devs;
	struct path *paths;
	size_t n_paths;
	struct path_span *spans;
	size_t n_spans;
	_Atomic uint64_t *macs;   /* per on-link address, see above */
	uint64_t n_macs;
	uint64_t n_skip;          /* targets on PATH_SKIP spans */
	uint64_t n_onlink;        /* targets on PATH_ONLINK spans */
};

/* Builds the table for the finalized targets. Gateways' MACs are resolved
 * (waiting at most timeout_ms each); on-link slots start from the kernel's
 * neighbour table (read, never written). Returns 0, or a negative enum
 * es_error with err naming what failed: ES_ENOROUTE ("no route to
 * 198.18.0.1: ...", "cannot resolve the MAC address of next hop ...: use
 * -G"), ES_ENODEV ("interface eth9 does not exist ...", down, unusable link
 * type, no IPv4 address), ES_EINVAL (no targets, only broadcast targets,
 * a bad -S/-G, too many on-link addresses), ES_ENOMEM, ES_ESYS.
 * On failure t is left empty (path_table_free is still safe). */
int path_table_build(struct path_table *t, const struct ipset *targets,
		     const struct route_overrides *ov, int timeout_ms,
		     char *err, size_t errlen);
void path_table_free(struct path_table *t);

/* The span holding addr, or NULL when addr is outside every span. Pure,
 * any thread. */
static inline const struct path_span *path_span_of(const struct path_table *t,
						   uint32_t addr)
{
	size_t lo = 0, hi = t->n_spans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->spans[mid].hi < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n_spans && t->spans[lo].lo <= addr ? &t->spans[lo] : NULL;
}

/* The MAC slot of an on-link address in span sp. */
static inline _Atomic uint64_t *path_mac_slot(const struct path_table *t,
					      const struct path_span *sp,
					      uint32_t addr)
{
	return &t->macs[sp->mac_base + (addr - sp->lo)];
}

static inline uint64_t path_mac_pack(const uint8_t mac[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v | PATH_MAC_KNOWN;
}

static inline void path_mac_unpack(uint64_t v, uint8_t mac[6])
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		mac[i] = (uint8_t)v;
}

/* The interface every path uses when there is only one, else NULL. */
const struct path_dev *path_single_dev(const struct path_table *t);

#endif
