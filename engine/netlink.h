/*
 * netlink.h — the small rtnetlink plumbing that route.c (routes, next-hop
 * lookups) and neigh.c (the neighbour-table prefill) share: one request and
 * the loop that reads its answers, and the decoding of a neighbour entry.
 * Used at set-up only, never in the per-packet path. Not thread-safe per fd.
 */
#ifndef ECHOSCAN_NETLINK_H
#define ECHOSCAN_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

/* Called for each message answering the request; returns 0 to go on or a
 * negative errno, which netlink_talk then returns. */
typedef int (*netlink_cb)(const struct nlmsghdr *nh, void *ctx);

/* A NETLINK_ROUTE socket. Returns the fd, or a negative enum es_error
 * with err set ("WHO: netlink socket: ..."). */
int netlink_open(const char *who, char *err, size_t errlen);
/* Sends req and runs cb on each answer until the answer ends (a single
 * reply, NLMSG_DONE or an ack). Returns 0 or a negative errno. */
int netlink_talk(int fd, struct nlmsghdr *req, netlink_cb cb, void *ctx);

/* An IPv4 neighbour entry as RTM_NEWNEIGH carries it. */
struct netlink_neigh {
	int ifindex;
	uint16_t state;        /* NUD_* */
	uint32_t addr;         /* network order; 0 when absent */
	const uint8_t *mac;    /* into the message; NULL when absent */
};

/* Decodes nh; false when it is not an IPv4 RTM_NEWNEIGH message. */
bool netlink_neigh_decode(const struct nlmsghdr *nh, struct netlink_neigh *out);

#endif
