/*
 * xdpsend.c — the raw AF_XDP yardstick for bench/bench.sh (not part of echoscan).
 *
 *   xdpsend IFACE SRC_MAC DST_MAC SADDR NET/LEN COUNT [RX_OBJ]
 *       COUNT ICMP echo requests of echoscan's default size (60 bytes: Ethernet, IP, ICMP and
 *       18 bytes of payload) to the addresses of NET/LEN in turn, from SADDR, as fast as one
 *       AF_XDP socket (libxdp, copy mode, queue 0) takes them: a template copy and an IP
 *       checksum per frame, nothing else (no hashing, no permutation, no pacing, no capture).
 *       Prints "frames seconds rate" once the kernel has completed every frame. SIGINT stops it.
 *       With RX_OBJ (bench/xdp_xsk.bpf.c compiled), the same socket also receives: that
 *       program, attached to IFACE (native XDP) for the run, steers every ICMP frame of queue 0
 *       into the socket's RX ring, and the same thread, between two batches, counts the echo
 *       replies there and gives their frames back on the fill ring (no parsing beyond the ICMP
 *       type, no validation, no host table). The line then ends with "replies". This is the
 *       raw full loop over AF_XDP: the kernel's receive work is echoscan's --rx xdp's.
 *
 * What echoscan's --tx xdp does beyond this is its own cost: the figure to compare with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_xdp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/xsk.h>

static volatile sig_atomic_t stop;
static void on_sig(int s) { (void)s; stop = 1; }

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define XS_FRAMES 4096u      /* sending frames; with RX_OBJ as many again for receiving */
#define XS_FSIZE  2048u
#define XS_BATCH  256u
#define XS_LEN    60u        /* Ethernet 14 + IP 20 + ICMP 8 + 18 bytes: echoscan's default probe */

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

static uint32_t sum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* RX_OBJ: loads bench/xdp_xsk.bpf.c's program and attaches it to ifindex in native mode;
 * returns its XSK map's descriptor, or -1. */
static int rx_prog(const char *obj_path, int ifindex, struct bpf_object **obj)
{
	struct bpf_program *p;
	struct bpf_map *m;

	*obj = bpf_object__open_file(obj_path, NULL);
	if (!*obj || bpf_object__load(*obj))
		return -1;
	p = bpf_object__find_program_by_name(*obj, "xdp_to_xsk");
	m = bpf_object__find_map_by_name(*obj, "xsks");
	if (!p || !m || bpf_xdp_attach(ifindex, bpf_program__fd(p), XDP_FLAGS_DRV_MODE, NULL))
		return -1;
	return bpf_map__fd(m);
}

/* The echo replies on the RX ring: counted, their frames back on the fill ring. */
static uint64_t rx_take(struct xsk_ring_cons *rx, struct xsk_ring_prod *fill, uint8_t *area, int fd)
{
	uint32_t idx, fidx, n = xsk_ring_cons__peek(rx, XS_BATCH, &idx);
	uint64_t replies = 0;

	if (!n)
		return 0;
	if (xsk_ring_prod__reserve(fill, n, &fidx) != n)
		return 0;       /* the fill ring has room for every receiving frame */
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(rx, idx + i);

		replies += d->len >= 35 && area[d->addr + 34] == 0;
		*xsk_ring_prod__fill_addr(fill, fidx + i) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(fill, n);
	xsk_ring_cons__release(rx, n);
	if (xsk_ring_prod__needs_wakeup(fill))
		recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return replies;
}

/* xdpsend IFACE SRC_MAC DST_MAC SADDR NET/LEN COUNT [RX_OBJ]: COUNT echo requests to the
 * addresses of NET/LEN in turn, as fast as one AF_XDP socket (copy mode, queue 0) takes them:
 * one template copy and an IP checksum per frame, nothing else; with RX_OBJ the replies too
 * (see the top). Prints "frames seconds rate [replies]". */
static int xdpsend(char **argv, const char *rx_obj)
{
	unsigned total = rx_obj ? 2 * XS_FRAMES : XS_FRAMES;
	struct xsk_umem_config uc = { XS_FRAMES, XS_FRAMES, XS_FSIZE, 0, 0 };
	struct xsk_socket_config sc = { .rx_size = rx_obj ? XS_FRAMES : 0, .tx_size = XS_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP };
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	struct bpf_object *obj = NULL;
	uint64_t replies = 0;
	int ifindex = (int)if_nametoindex(argv[1]), map_fd = -1, zero = 0;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	uint8_t tmpl[XS_LEN] = { 0 }, *area;
	uint64_t freel[XS_FRAMES], count = strtoull(argv[6], NULL, 10), sent = 0, done = 0, t0, t1;
	unsigned nfree = XS_FRAMES, plen;
	struct in_addr sa, na;
	char net[32], *slash;
	uint32_t base, size, csum0;
	int rc, budget = 256;

	snprintf(net, sizeof(net), "%s", argv[5]);
	slash = strchr(net, '/');
	if (!slash || parse_mac(argv[2], tmpl + 6) || parse_mac(argv[3], tmpl) ||
	    inet_pton(AF_INET, argv[4], &sa) != 1 || (*slash = 0, inet_pton(AF_INET, net, &na)) != 1) {
		fprintf(stderr, "benchtool xdpsend: bad arguments\n");
		return 2;
	}
	plen = (unsigned)atoi(slash + 1);
	size = plen >= 32 ? 1 : 1u << (32 - plen);
	base = ntohl(na.s_addr);
	tmpl[12] = 0x08;
	tmpl[14] = 0x45; tmpl[17] = 46; tmpl[22] = 64; tmpl[23] = 1;       /* len 46, ttl, ICMP */
	memcpy(tmpl + 26, &sa.s_addr, 4);
	tmpl[34] = 8;                                                     /* echo request */
	tmpl[38] = 0x12; tmpl[39] = 0x34;                                 /* id */
	{
		uint16_t c = fold(sum16(tmpl + 34, XS_LEN - 34));

		tmpl[36] = (uint8_t)(c >> 8);
		tmpl[37] = (uint8_t)c;
	}
	csum0 = sum16(tmpl + 14, 20);       /* without the destination (zero for now) */
	area = mmap(NULL, (size_t)total * XS_FSIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	if (rx_obj && (map_fd = rx_prog(rx_obj, ifindex, &obj)) < 0) {
		fprintf(stderr, "benchtool xdpsend: %s: cannot load or attach %s\n", argv[1], rx_obj);
		return 2;
	}
	rc = xsk_umem__create(&umem, area, (uint64_t)total * XS_FSIZE, &fill, &comp, &uc);
	/* the queue of a socket closed a moment ago (the run before) comes free asynchronously */
	for (int tries = 0; !rc && tries < 100; tries++) {
		rc = xsk_socket__create(&xsk, argv[1], 0, umem, rx_obj ? &rx : NULL, &tx, &sc);
		if (rc != -EBUSY)
			break;
		rc = 0;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	if (!rc && rx_obj) {
		uint32_t idx = 0;
		int fd = xsk_socket__fd(xsk);

		if (xsk_ring_prod__reserve(&fill, XS_FRAMES, &idx) != XS_FRAMES)
			rc = -ENOSPC;
		for (unsigned i = 0; !rc && i < XS_FRAMES; i++)
			*xsk_ring_prod__fill_addr(&fill, idx + i) = (uint64_t)(XS_FRAMES + i) * XS_FSIZE;
		if (!rc)
			xsk_ring_prod__submit(&fill, XS_FRAMES);
		if (!rc && bpf_map_update_elem(map_fd, &zero, &fd, BPF_ANY))
			rc = -errno;
	}
	if (rc) {
		fprintf(stderr, "benchtool xdpsend: %s: %s\n", argv[1], strerror(-rc));
		if (rx_obj)
			bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
		return 2;
	}
	setsockopt(xsk_socket__fd(xsk), SOL_XDP, 9 /* XDP_MAX_TX_SKB_BUDGET */, &budget, sizeof(budget));
	for (unsigned i = 0; i < XS_FRAMES; i++)
		freel[i] = (uint64_t)i * XS_FSIZE;
	t0 = mono_ns();
	while (done < count && !stop) {
		uint32_t idx, n;

		n = xsk_ring_cons__peek(&comp, XS_FRAMES, &idx);
		for (uint32_t i = 0; i < n; i++)
			freel[nfree++] = *xsk_ring_cons__comp_addr(&comp, idx + i);
		if (n)
			xsk_ring_cons__release(&comp, n);
		done += n;
		n = nfree < XS_BATCH ? nfree : XS_BATCH;
		if (n > count - sent)
			n = (uint32_t)(count - sent);
		if (n && xsk_ring_prod__reserve(&tx, n, &idx) == n) {
			for (uint32_t i = 0; i < n; i++) {
				struct xdp_desc *d = xsk_ring_prod__tx_desc(&tx, idx + i);
				uint8_t *f;
				uint32_t dst = base + (uint32_t)((sent + i) % size), be = htonl(dst);
				uint16_t c;

				d->addr = freel[--nfree];
				d->len = XS_LEN;
				d->options = 0;
				f = area + d->addr;
				memcpy(f, tmpl, XS_LEN);
				memcpy(f + 30, &be, 4);
				c = fold(csum0 + (dst >> 16) + (dst & 0xffff));
				f[24] = (uint8_t)(c >> 8);
				f[25] = (uint8_t)c;
			}
			xsk_ring_prod__submit(&tx, n);
			sent += n;
		}
		if (xsk_ring_prod__needs_wakeup(&tx))
			sendto(xsk_socket__fd(xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
		for (uint64_t got = 1; rx_obj && got;)
			replies += got = rx_take(&rx, &fill, area, xsk_socket__fd(xsk));
	}
	t1 = mono_ns();
	/* the last replies: until none came for 100 ms */
	for (uint64_t last = mono_ns(); rx_obj && !stop && mono_ns() - last < 100000000ull;) {
		uint64_t got = rx_take(&rx, &fill, area, xsk_socket__fd(xsk));

		if (got) {
			replies += got;
			last = mono_ns();
		}
	}
	if (rx_obj)
		printf("%llu %.6f %.0f %llu\n", (unsigned long long)done, (t1 - t0) / 1e9,
		       done / ((t1 - t0) / 1e9), (unsigned long long)replies);
	else
		printf("%llu %.6f %.0f\n", (unsigned long long)done, (t1 - t0) / 1e9,
		       done / ((t1 - t0) / 1e9));
	if (rx_obj)
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: xdpsend IFACE SRC_MAC DST_MAC SADDR NET/LEN COUNT [RX_OBJ]\n");
		return 2;
	}
	return xdpsend(argv, argc == 8 ? argv[7] : NULL);
}
