/*
 * rx_xdp.c — the AF_XDP receiver (--rx xdp, see rx_xdp.h): an XDP program
 * of our own (engine/bpf/rx_xdp.bpf.c, compiled by clang and embedded
 * here) steers the frames that can be replies to our probes into one
 * AF_XDP socket per receive queue and passes every other frame to the
 * stack; this side reads the sockets' RX rings and hands each frame to the
 * same handler libpcap feeds (parse, validate, classify), then gives the
 * UMEM frames back on the fill ring.
 *
 * The program is attached through a BPF link: it never replaces a program
 * someone else attached (the open fails, naming it), and it goes away when
 * the link's last descriptor closes, even if the process dies, so nothing
 * stays attached to the interface after a scan. Native XDP where the driver
 * has it, generic (skb) XDP elsewhere; the sockets bind in copy mode unless
 * the driver grants zero-copy. Receive time is the wall clock when a batch
 * is taken from the ring (AF_XDP has no capture stamps), so an RTT includes
 * the time a reply waited in the ring: at most one poll round, or one nap
 * (RX_NAP_NS and the timer's slack) while replies flow (rx_xdp_dispatch).
 *
 * With --tx xdp each queue has a second socket sharing the UMEM, with the
 * TX ring, which the sender borrows (rx_xdp_shared): see rxq_open.
 */
#include "engine/rx_xdp.h"
#include "engine/xdp_dev.h"

#include <errno.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "engine/clock.h"
#include "engine/errcode.h"

#define RXQ_MAX      8
/* UMEM frames per queue (= RX and fill ring size: every frame fits in
 * either), from the capture buffer size asked for, like libpcap's ring */
#define RX_FRAMES_MIN 4096u
#define RX_FRAMES_MAX 32768u          /* 64 MiB */
#define RX_FRAME     2048u            /* the smallest the kernel takes */
#define RX_BATCH     256u
/* While replies flow fast (a look at the rings found RX_NAP_MIN or more)
 * the receiver naps this long between looks instead of sleeping in
 * poll(), and goes back to poll() after RX_NAPS looks in a row found fewer
 * (see rx_xdp_dispatch) */
#define RX_NAP_NS    50000L
#define RX_NAPS      20u
#define RX_NAP_MIN   64
#define RX_TX_FRAMES 2048u            /* sending frames with --tx xdp */
#define RX_TX_BUDGET 256              /* frames per copy-mode kick asked for */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9       /* Linux 6.17+; older kernels keep 32 */
#endif

/* the compiled steering program (see the Makefile: RX_XDP_OBJ) */
__asm__(".pushsection .rodata\n"
	".balign 8\n"
	"rx_xdp_obj_start:\n"
	".incbin \"" RX_XDP_OBJ "\"\n"
	"rx_xdp_obj_end:\n"
	".popsection\n");
extern const unsigned char rx_xdp_obj_start[], rx_xdp_obj_end[];

struct rx_xdp_cfg {          /* the program's cfg map value */
	uint32_t lo, hi;
	uint32_t arp;
};

struct rxq {
	unsigned frames;             /* receiving frames: UMEM offsets below frames x RX_FRAME */
	unsigned tx_frames;          /* sending frames after them (--tx xdp), or 0 */
	unsigned queue;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;      /* receives: the program's map points here */
	struct xsk_socket *txsk;     /* the sender's (tx_frames), sharing the UMEM */
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;   /* the sender's (tx_frames), else unused */
	struct xsk_ring_prod tx;     /* the sender's (tx_frames), else unused */
	struct xsk_ring_cons rx;
	uint8_t *area;
	size_t area_len;
	int fd;
	int tx_fd;                   /* txsk's */
};

struct rx_xdp {
	struct bpf_object *obj;
	struct bpf_link *link;
	struct rxq q[RXQ_MAX];
	unsigned nq;
	int wake_fd;
	int timeout_ms;
	bool generic;
	bool zerocopy;
	bool tx;                     /* the sockets have TX rings (--tx xdp) */
	unsigned empty_naps;         /* looks in a row that found < RX_NAP_MIN */
	uint64_t handed;             /* frames given to the handler */
};

/* 0 when ifname is an Ethernet device, else an enum es_error with err set. */
static int check_device(const char *ifname, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = ES_ESYS;

	if (!strcmp(ifname, "any")) {
		snprintf(err, errlen, "--rx xdp receives on one interface, but the targets "
			 "route over several: use the default receiver (--rx pcap) or -i");
		if (fd >= 0)
			close(fd);
		return ES_EINVAL;
	}
	if (fd < 0) {
		rc = es_errno_code(errno);
		snprintf(err, errlen, "--rx xdp: socket: %s", strerror(errno));
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		snprintf(err, errlen, "%s: no such interface", ifname);
		rc = ES_ENODEV;
	} else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		snprintf(err, errlen, "--rx xdp needs an Ethernet device and %s is not one: "
			 "use the default receiver (--rx pcap)", ifname);
		rc = ES_EUNSUPPORTED;
	} else {
		rc = 0;
	}
	close(fd);
	return rc;
}

/* Fills err for a failed step and returns its enum es_error (es_errno_code). */
static int sys_err(char *err, size_t errlen, const char *ifname, const char *what, int e)
{
	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "--rx xdp needs CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW "
			 "(loading an XDP program, AF_XDP sockets): run as root");
	else if (e == EAFNOSUPPORT)
		snprintf(err, errlen, "--rx xdp: this kernel has no AF_XDP sockets "
			 "(CONFIG_XDP_SOCKETS): use the default receiver (--rx pcap)");
	else if (e == EBUSY || e == EEXIST)
		snprintf(err, errlen, "%s: another XDP program or AF_XDP socket holds the "
			 "device (ip link show %s): remove it or use --rx pcap", ifname, ifname);
	else
		snprintf(err, errlen, "%s: --rx xdp: %s: %s", ifname, what, strerror(e));
	return es_errno_code(e);
}

static void rxq_free(struct rxq *q)
{
	if (q->txsk)
		xsk_socket__delete(q->txsk);
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area)
		munmap(q->area, q->area_len);
	memset(q, 0, sizeof(*q));
}

/* The UMEM, a socket bound to queue `queue`, every frame on the fill ring,
 * and the socket in the program's map. With sending frames (--tx xdp) a
 * second socket on the same queue shares the UMEM (XDP_SHARED_UMEM: one
 * fill and one completion ring) and has the TX ring: in copy mode a
 * socket's poll() sends what is on its TX ring, under the socket's lock,
 * so on one socket the receiver's poll and the sender's sendto take turns
 * at that lock (and the receiver does the sender's work); apart, each
 * thread has a socket of its own. */
static int rxq_open(struct rx_xdp *x, struct rxq *q, const char *ifname,
		    unsigned queue, bool zerocopy, int map_fd, char *err, size_t errlen)
{
	struct xsk_umem_config uc = {
		.fill_size = q->frames,
		.comp_size = q->tx_frames ? q->tx_frames : XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.frame_size = RX_FRAME, .frame_headroom = 0,
	};
	/* With sending frames: need-wakeup (a property of the shared UMEM),
	 * so the sender kicks only when the kernel asks (the receiver then
	 * wakes the fill ring the same way). */
	struct xsk_socket_config sc = {
		.rx_size = q->frames, .tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (uint16_t)((zerocopy ? XDP_ZEROCOPY : XDP_COPY) |
					 (q->tx_frames ? XDP_USE_NEED_WAKEUP : 0)),
	};
	struct xsk_socket_config tc = {
		.rx_size = 0, .tx_size = q->tx_frames,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	uint32_t idx;
	int rc, budget = RX_TX_BUDGET;

	(void)x;
	q->queue = queue;
	q->area_len = (size_t)(q->frames + q->tx_frames) * RX_FRAME;
	q->area = mmap(NULL, q->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return sys_err(err, errlen, ifname, "UMEM mmap", errno);
	}
	rc = xsk_umem__create(&q->umem, q->area, q->area_len, &q->fill, &q->comp, &uc);
	if (rc) {
		q->umem = NULL;
		return sys_err(err, errlen, ifname, "UMEM registration", -rc);
	}
	rc = xsk_socket__create(&q->xsk, ifname, queue, q->umem, &q->rx, NULL, &sc);
	if (rc) {
		q->xsk = NULL;
		return sys_err(err, errlen, ifname, "bind", -rc);
	}
	q->fd = xsk_socket__fd(q->xsk);
	if (q->tx_frames) {
		rc = xsk_socket__create_shared(&q->txsk, ifname, queue, q->umem, NULL, &q->tx,
					       &q->fill, &q->comp, &tc);
		if (rc) {
			q->txsk = NULL;
			return sys_err(err, errlen, ifname, "bind (sending socket)", -rc);
		}
		q->tx_fd = xsk_socket__fd(q->txsk);
		/* copy mode: more frames per kick where the kernel allows it */
		if (!zerocopy)
			(void)setsockopt(q->tx_fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
					 sizeof(budget));
	}
	if (xsk_ring_prod__reserve(&q->fill, q->frames, &idx) != q->frames) {
		snprintf(err, errlen, "%s: --rx xdp: fill ring shorter than %u", ifname, q->frames);
		return ES_ESYS;
	}
	for (unsigned i = 0; i < q->frames; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx + i) = (uint64_t)i * RX_FRAME;
	xsk_ring_prod__submit(&q->fill, q->frames);
	if (bpf_map_update_elem(map_fd, &queue, &q->fd, BPF_ANY) < 0) {
		return sys_err(err, errlen, ifname, "adding the socket to the XSK map", errno);
	}
	return 0;
}

/* Loads the program with the source span and ARP choice in its cfg map. */
static int load_prog(struct rx_xdp *x, const struct rx_config *cfg, char *err, size_t errlen)
{
	struct rx_xdp_cfg c = {
		.lo = cfg->n_saddrs ? cfg->saddrs[0] : 0,
		.hi = cfg->n_saddrs ? cfg->saddrs[cfg->n_saddrs - 1] : 0,
		.arp = cfg->arp,
	};
	uint32_t key = 0;
	struct bpf_map *m;
	int rc;

	x->obj = bpf_object__open_mem(rx_xdp_obj_start,
				      (size_t)(rx_xdp_obj_end - rx_xdp_obj_start), NULL);
	if (!x->obj) {
		return sys_err(err, errlen, cfg->ifname, "opening the XDP program", errno);
	}
	rc = bpf_object__load(x->obj);
	if (rc) {
		return sys_err(err, errlen, cfg->ifname, "loading the XDP program", -rc);
	}
	m = bpf_object__find_map_by_name(x->obj, "cfg");
	if (!m || bpf_map_update_elem(bpf_map__fd(m), &key, &c, BPF_ANY) < 0) {
		return sys_err(err, errlen, cfg->ifname, "configuring the XDP program", errno);
	}
	return 0;
}

/* Through a BPF link: native XDP where the driver has it (the kernel's
 * choice without mode flags), generic elsewhere; never over a program
 * attached before (EBUSY). */
static int attach_prog(struct rx_xdp *x, int ifindex, const char *ifname,
		       char *err, size_t errlen)
{
	struct bpf_program *p = bpf_object__find_program_by_name(x->obj, "echoscan_rx");
	LIBBPF_OPTS(bpf_xdp_query_opts, qo);

	if (!p) {
		return sys_err(err, errlen, ifname, "the XDP program is missing", ENOENT);
	}
	x->link = bpf_program__attach_xdp(p, ifindex);
	if (!x->link) {
		return sys_err(err, errlen, ifname, "attaching the XDP program", errno);
	}
	x->generic = bpf_xdp_query(ifindex, 0, &qo) == 0 && qo.attach_mode == XDP_ATTACHED_SKB;
	return 0;
}

static int open_queues(struct rx_xdp *x, const struct rx_config *cfg, int map_fd,
		       char *err, size_t errlen)
{
	const char *ifname = cfg->ifname;
	unsigned want = xdp_dev_queues(ifname, true), frames = RX_FRAMES_MIN;
	int rc = ES_ESYS, zc_first = x->generic || cfg->xdp_copy_only ? 0 : 1;
	int zc_last = cfg->xdp_zerocopy_only ? 1 : 0;

	if (want > RXQ_MAX)
		want = RXQ_MAX;
	while (frames < RX_FRAMES_MAX && (size_t)frames * 2 * RX_FRAME * want <= cfg->buffer_bytes)
		frames *= 2;
	if (zc_first < zc_last) {
		snprintf(err, errlen, "%s: the XDP program runs in generic mode here, so "
			 "no zero-copy AF_XDP: use --xdp-mode copy (or auto)", ifname);
		return ES_EUNSUPPORTED;
	}

	/* zero-copy only with native XDP, and only where the driver grants it */
	for (int zc = zc_first; zc >= zc_last; zc--) {
		for (x->nq = 0; x->nq < want; x->nq++) {
			x->q[x->nq].frames = frames;
			x->q[x->nq].tx_frames = cfg->xdp_tx ? RX_TX_FRAMES : 0;
			if ((rc = rxq_open(x, &x->q[x->nq], ifname, x->nq, zc, map_fd,
					   err, errlen)) < 0)
				break;
		}
		if (x->nq == want) {
			x->zerocopy = zc;
			return 0;
		}
		for (unsigned i = 0; i <= x->nq && i < RXQ_MAX; i++)
			rxq_free(&x->q[i]);
	}
	return rc;
}

int rx_xdp_open(const struct rx_config *cfg, struct rx_xdp **out, char *err,
		size_t errlen)
{
	struct rx_xdp *x;
	struct bpf_map *m;
	int ifindex, rc;

	*out = NULL;
	if (cfg->saddr6) {
		snprintf(err, errlen, "--rx xdp steers IPv4 ICMP (and ARP) only: with IPv6 "
			 "targets use the default receiver (--rx pcap)");
		return ES_EINVAL;
	}
	if ((rc = check_device(cfg->ifname, err, errlen)) < 0)
		return rc;
	ifindex = (int)if_nametoindex(cfg->ifname);
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "--rx xdp: out of memory");
		return ES_ENOMEM;
	}
	x->timeout_ms = cfg->timeout_ms;
	x->empty_naps = RX_NAPS;
	x->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	xdp_dev_quiet_logs();
	if (x->wake_fd < 0) {
		rc = sys_err(err, errlen, cfg->ifname, "eventfd", errno);
		goto fail;
	}
	if ((rc = load_prog(x, cfg, err, errlen)) < 0 ||
	    (rc = attach_prog(x, ifindex, cfg->ifname, err, errlen)) < 0)
		goto fail;
	m = bpf_object__find_map_by_name(x->obj, "xsks");
	if (!m) {
		rc = sys_err(err, errlen, cfg->ifname, "the XSK map is missing", ENOENT);
		goto fail;
	}
	if ((rc = open_queues(x, cfg, bpf_map__fd(m), err, errlen)) < 0)
		goto fail;
	x->tx = cfg->xdp_tx;
	*out = x;
	return ES_OK;
fail:
	rx_xdp_close(x);
	return rc;
}

const char *rx_xdp_mode(const struct rx_xdp *x)
{
	if (x->zerocopy)
		return "xdp-zerocopy";
	return x->generic ? "xdp-generic" : "xdp-native";
}

/* Hands up to RX_BATCH frames of one queue to fn; returns how many. */
static unsigned rxq_take(struct rx_xdp *x, struct rxq *q, rx_handler fn, void *user)
{
	uint32_t idx, fidx;
	unsigned n = xsk_ring_cons__peek(&q->rx, RX_BATCH, &idx);
	uint64_t ts;

	if (n == 0)
		return 0;
	ts = clock_realtime_ns();
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);

		fn(user, ts, xsk_umem__get_data(q->area, d->addr), d->len);
	}
	/* the fill ring has room for every frame: this never comes up short */
	if (xsk_ring_prod__reserve(&q->fill, n, &fidx) == n) {
		for (unsigned i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&q->fill, fidx + i) =
				xsk_umem__extract_addr(xsk_ring_cons__rx_desc(&q->rx, idx + i)->addr);
		xsk_ring_prod__submit(&q->fill, n);
		/* need-wakeup (sockets with a TX ring): a driver that ran out
		 * of fill frames waits for this */
		if (x->tx && xsk_ring_prod__needs_wakeup(&q->fill))
			(void)recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}
	xsk_ring_cons__release(&q->rx, n);
	x->handed += n;
	return n;
}

static int take_all(struct rx_xdp *x, rx_handler fn, void *user)
{
	int total = 0;
	unsigned got;

	do {
		got = 0;
		for (unsigned i = 0; i < x->nq; i++)
			got += rxq_take(x, &x->q[i], fn, user);
		total += (int)got;
	} while (got > 0 && total < (int)(RX_BATCH * 64));
	return total;
}

/* A sleeper in poll() on a socket is woken by every flush of the
 * redirected frames, in the softirq of the CPU that received them, which
 * in the lab (and on a NIC with one queue) is the sending CPU: that wakeup
 * is a tenth of its time at full rate. So while replies flow fast the
 * receiver naps on its own descriptor (RX_NAP_NS, cut short by a
 * breakloop) and nobody sleeps on the sockets; once RX_NAPS looks in a row
 * found fewer than RX_NAP_MIN frames it sleeps in poll() again until
 * frames come (at a slow rate a wakeup per reply costs less than naps). */
int rx_xdp_dispatch(struct rx_xdp *x, rx_handler fn, void *user, char *err, size_t errlen)
{
	struct pollfd p[RXQ_MAX + 1];
	struct timespec nap = { 0, RX_NAP_NS };
	int n = take_all(x, fn, user), rc;
	uint64_t v;

	if (n >= RX_NAP_MIN)
		x->empty_naps = 0;
	if (n > 0)
		return n;
	for (unsigned i = 0; i < x->nq; i++)
		p[i] = (struct pollfd){ .fd = x->q[i].fd, .events = POLLIN };
	p[x->nq] = (struct pollfd){ .fd = x->wake_fd, .events = POLLIN };
	if (x->empty_naps < RX_NAPS) {
		x->empty_naps++;
		rc = ppoll(&p[x->nq], 1, &nap, NULL);
	} else {
		rc = poll(p, x->nq + 1, x->timeout_ms);
	}
	if (rc < 0 && errno != EINTR) {
		snprintf(err, errlen, "--rx xdp: poll: %s", strerror(errno));
		return -1;
	}
	if (p[x->nq].revents && read(x->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another reader took the wakeup */
	}
	n = take_all(x, fn, user);
	if (n >= RX_NAP_MIN)
		x->empty_naps = 0;
	return n;
}

int rx_xdp_drain(struct rx_xdp *x, rx_handler fn, void *user)
{
	int total = 0, n;

	while ((n = take_all(x, fn, user)) > 0)
		total += n;
	return total;
}

void rx_xdp_breakloop(struct rx_xdp *x)
{
	uint64_t one = 1;

	if (write(x->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: a wakeup is pending already */
	}
}

int rx_xdp_stats(struct rx_xdp *x, uint64_t *received, uint64_t *dropped)
{
	uint64_t drop = 0;

	for (unsigned i = 0; i < x->nq; i++) {
		struct xdp_statistics st;
		socklen_t len = sizeof(st);

		if (getsockopt(x->q[i].fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
			return -1;
		drop += st.rx_dropped + st.rx_ring_full + st.rx_invalid_descs;
	}
	*received = x->handed + drop;
	*dropped = drop;
	return 0;
}

unsigned rx_xdp_shared(struct rx_xdp *x, struct xdp_txq *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; x->tx && i < x->nq && n < max; i++, n++)
		out[n] = (struct xdp_txq){
			.tx = &x->q[i].tx, .comp = &x->q[i].comp, .area = x->q[i].area,
			.tx_first = (uint64_t)x->q[i].frames * RX_FRAME,
			.frames = x->q[i].tx_frames, .queue = x->q[i].queue,
			.fd = x->q[i].tx_fd, .zerocopy = x->zerocopy,
		};
	return n;
}

void rx_xdp_close(struct rx_xdp *x)
{
	if (!x)
		return;
	/* the link first: from then on the stack gets every frame again */
	if (x->link)
		bpf_link__destroy(x->link);
	for (unsigned i = 0; i < RXQ_MAX; i++)
		rxq_free(&x->q[i]);
	if (x->obj)
		bpf_object__close(x->obj);
	if (x->wake_fd >= 0)
		close(x->wake_fd);
	free(x);
}
