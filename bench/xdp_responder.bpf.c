// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_responder.bpf.c — the bench lab's target side in XDP (not part of
 * echoscan): the target's ICMP stack is taken out of the full-loop figure.
 *
 *   section "xdp"       turns each ICMP echo request to 198.18.0.0/15 into
 *                       its echo reply in place (MACs and IP addresses
 *                       swapped, type 0, ICMP checksum fixed by RFC 1624)
 *                       and sends it back out of the same device (XDP_TX);
 *                       every other frame goes on to the stack.
 *   section "xdp_drop"  drops every frame: a sink for send-only runs.
 *
 * Build: clang -O2 -g -target bpf -c bench/xdp_responder.bpf.c -o F.o
 * Attach: ip link set dev vet xdpdrv obj F.o sec xdp (or xdpgeneric).
 * The request's IP ID, TTL and payload stay as they came, so a scanner's
 * validation sees its own probe's identifier, sequence and payload.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h pulls in libc headers: the two fields needed here */
struct icmp_hdr {
	__u8 type, code;
	__u16 checksum;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO      8

SEC("xdp")
int xdp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct icmp_hdr *icmp;
	unsigned char mac[ETH_ALEN];
	__u32 addr, sum;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_ICMP ||
	    (ip->frag_off & bpf_htons(0x3fff)))
		return XDP_PASS;
	/* only the lab's addresses: 198.18.0.0/15 */
	if ((bpf_ntohl(ip->daddr) & 0xfffe0000) != 0xc6120000)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > end || icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;           /* the IP checksum does not change */
	icmp->type = ICMP_ECHOREPLY;
	/* RFC 1624: HC' = ~(~HC + ~m + m'), the word type|code from 0x0800 to 0 */
	sum = (__u16)~icmp->checksum + (__u16)~bpf_htons(ICMP_ECHO << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->checksum = (__u16)~sum;
	return XDP_TX;
}

SEC("xdp_drop")
int xdp_drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp_pass")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
