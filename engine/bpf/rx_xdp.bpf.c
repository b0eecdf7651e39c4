// SPDX-License-Identifier: GPL-2.0
/*
 * rx_xdp.bpf.c — echoscan's receive steering (--rx xdp; loaded by
 * engine/rx_xdp.c, which embeds the compiled object): frames that can be
 * replies to our probes go to the AF_XDP socket of their receive queue,
 * every other frame goes on to the kernel's stack untouched. Steered:
 *  - IPv4 ICMP to an address in [cfg.lo, cfg.hi] (our sources' span; the
 *    classifier checks each address) that is an echo reply, or an ICMP
 *    error (unreachable, source quench, redirect, time exceeded, parameter
 *    problem) quoting an ICMP packet — errors about TCP or UDP (path MTU
 *    discovery, for one) still reach the stack;
 *  - ARP replies, when cfg.arp (on-link targets).
 * Fragments and everything else pass. With no socket on a queue (closed,
 * or not yet bound) bpf_redirect_map's default passes the frame on too.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct rx_xdp_cfg {
	__u32 lo, hi;      /* host order */
	__u32 arp;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rx_xdp_cfg);
} cfg SEC(".maps");

#define ARPOP_REPLY 2

static __always_inline int steer(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

SEC("xdp")
int echoscan_rx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip, *inner;
	__u8 *icmp;
	__u32 key = 0, dst;
	struct rx_xdp_cfg *c = bpf_map_lookup_elem(&cfg, &key);

	if (!c || (void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		__u16 *op = (void *)(eth + 1) + 6;

		if (c->arp && (void *)(op + 1) <= end && *op == bpf_htons(ARPOP_REPLY))
			return steer(ctx);
		return XDP_PASS;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_ICMP ||
	    (ip->frag_off & bpf_htons(0x3fff)) || ip->ihl < 5)
		return XDP_PASS;
	dst = bpf_ntohl(ip->daddr);
	if (dst < c->lo || dst > c->hi)
		return XDP_PASS;
	icmp = (__u8 *)ip + ip->ihl * 4;
	if ((void *)(icmp + 8) > end)
		return XDP_PASS;
	switch (icmp[0]) {
	case 0:                          /* echo reply */
		return steer(ctx);
	case 3: case 4: case 5: case 11: case 12:
		inner = (void *)(icmp + 8);
		if ((void *)(inner + 1) <= end && inner->protocol == IPPROTO_ICMP)
			return steer(ctx);
		return XDP_PASS;
	default:
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "GPL";
