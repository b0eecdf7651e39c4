// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_xsk.bpf.c — for bench/xdpsend.c's receiving mode (not part of
 * echoscan): every ICMP frame arriving on a queue goes to the AF_XDP socket
 * in xsks at that queue's index (bpf_redirect_map, passing the frame on
 * when no socket is there); every other frame goes on to the stack. The
 * yardstick's replies then cost the kernel what echoscan's --rx xdp costs
 * it (redirect, copy into the UMEM, the socket's flush), with none of
 * echoscan's own work.
 *
 * Build: clang -O2 -g -target bpf -c bench/xdp_xsk.bpf.c -o F.o
 * Loaded and attached by xdpsend itself (libbpf), detached when it exits.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int xdp_to_xsk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
