/*
 * tx_xdp.c — the AF_XDP send backend (libxdp's xsk API): frames are
 * written straight into a UMEM shared with the kernel and handed over as
 * descriptors on the socket's TX ring; the completion ring gives each frame
 * back once it has left. A slot backend under tx_send_probes (tx.c): begin
 * hands out free UMEM frames (reaping the completion ring first) for the
 * stamper to write into, commit puts them on the TX ring and kicks the
 * kernel when it asks for it (need-wakeup).
 *
 * Modes (--xdp-mode): zero-copy where the driver supports AF_XDP (the NIC
 * reads the UMEM itself, no skb at all), copy everywhere else (the kernel
 * builds an skb from each descriptor in the sendto that kicks it: still
 * per-frame work, but no packet-socket or qdisc layer). auto tries
 * zero-copy first. One socket per device queue (up to XDP_QUEUES_MAX),
 * batches taking turns, so a NIC's queues (and their interrupts) share the
 * work; each socket has a UMEM of its own.
 *
 * No XDP program is needed for sending; on veth the frames reach the peer
 * like any other (a native XDP program there sees them), but XDP_TX or
 * XDP_REDIRECT back towards us needs a program on our side (see bench/).
 */
#include "engine/errcode.h"
#include "engine/tx_impl.h"
#include "engine/xdp_dev.h"

#include <errno.h>
#include <linux/if_xdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9   /* Linux 6.17+: frames per copy-mode kick */
#endif

#define XDP_QUEUES_MAX  8
#define XDP_FRAMES      2048u             /* per queue = TX and completion ring size */
#define XDP_FRAME_SIZE  2048u            /* the smallest the kernel takes */
#define XDP_TX_BUDGET   256               /* asked for; older kernels keep 32 */
#define XDP_BUSY_TRIES 100   /* x 10 ms: see xq_open */

struct xq {
	struct xsk_umem *umem;                /* NULL when borrowed */
	struct xsk_socket *xsk;
	struct xsk_ring_prod own_fill;        /* unused: no receive ring */
	struct xsk_ring_cons own_comp;
	struct xsk_ring_prod own_tx;
	struct xsk_ring_cons *comp;           /* own_comp, or the receiver's */
	struct xsk_ring_prod *tx;             /* own_tx, or the receiver's */
	uint8_t *area;
	size_t area_len;                      /* 0 when borrowed */
	int fd;
	unsigned frames;                      /* sending frames (free when idle) */
	unsigned nfree;
	uint64_t free[XDP_FRAMES];            /* UMEM offsets of free frames */
};

struct xdp_tx {
	struct xq q[XDP_QUEUES_MAX];
	unsigned qid[XDP_QUEUES_MAX];         /* device queue of each socket */
	unsigned nq;
	unsigned cur;                         /* queue of the current batch */
	unsigned begun;
	bool zerocopy;
	bool broken;
};

/* Frees what the queue owns (nothing of a borrowed socket). */
static void xq_free(struct xq *q)
{
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area && q->area_len)
		munmap(q->area, q->area_len);
	memset(q, 0, sizeof(*q));
}

/* The free list: every sending frame, from UMEM offset first on. */
static void xq_frames(struct xq *q, uint64_t first, unsigned frames)
{
	q->frames = frames;
	q->nfree = frames;
	for (unsigned i = 0; i < frames; i++)
		q->free[i] = first + (uint64_t)(frames - 1 - i) * XDP_FRAME_SIZE;
}

/* Fills err for a failed AF_XDP set-up step and returns its enum es_error
 * (es_errno_code: ES_EPERM, ES_EUNSUPPORTED where AF_XDP or zero copy is
 * missing, ES_ENODEV, ...). */
static int xdp_error(struct tx *tx, char *err, size_t errlen, const char *what,
		     int errnum, enum tx_xdp_mode mode)
{
	if (errnum == EPERM || errnum == EACCES)
		snprintf(err, errlen, "--tx xdp needs CAP_NET_RAW (AF_XDP sockets) and "
			 "CAP_IPC_LOCK or a high enough RLIMIT_MEMLOCK for the UMEM: run as root");
	else if (errnum == EAFNOSUPPORT)
		snprintf(err, errlen, "--tx xdp: this kernel has no AF_XDP sockets "
			 "(CONFIG_XDP_SOCKETS): use --tx ring");
	else if ((errnum == EOPNOTSUPP || errnum == EPROTONOSUPPORT) &&
		 mode == TX_XDP_ZEROCOPY)
		snprintf(err, errlen, "%s: the driver has no zero-copy AF_XDP: use "
			 "--xdp-mode copy (or auto)", tx->ifname);
	else if (errnum == EBUSY)
		snprintf(err, errlen, "%s: an AF_XDP socket is already bound to this "
			 "device queue (another program, or IPv4 and IPv6 targets on one "
			 "device: a socket each): use --tx ring", tx->ifname);
	else
		snprintf(err, errlen, "%s: AF_XDP %s: %s (use --tx ring)", tx->ifname,
			 what, strerror(errnum));
	return es_errno_code(errnum);
}

/* One queue's UMEM and socket, bound in zero-copy or copy mode. */
static int xq_open(struct tx *tx, struct xq *q, unsigned queue, bool zerocopy,
		   enum tx_xdp_mode mode, char *err, size_t errlen)
{
	struct xsk_umem_config uc = {
		.fill_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		.comp_size = XDP_FRAMES,
		.frame_size = XDP_FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct xsk_socket_config sc = {
		.rx_size = 0, .tx_size = XDP_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (uint16_t)((zerocopy ? XDP_ZEROCOPY : XDP_COPY) |
					 XDP_USE_NEED_WAKEUP),
	};
	int rc, budget = XDP_TX_BUDGET;

	q->area_len = (size_t)XDP_FRAMES * XDP_FRAME_SIZE;
	q->area = mmap(NULL, q->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return xdp_error(tx, err, errlen, "UMEM mmap", errno, mode);
	}
	q->comp = &q->own_comp;
	q->tx = &q->own_tx;
	rc = xsk_umem__create(&q->umem, q->area, q->area_len, &q->own_fill, &q->own_comp, &uc);
	if (rc) {
		q->umem = NULL;
		return xdp_error(tx, err, errlen, "UMEM registration", -rc, mode);
	}
	/* A socket closed a moment ago (a run that just ended) gives its queue
	 * back asynchronously: EBUSY is retried for up to a second. */
	for (unsigned tries = 0;; tries++) {
		rc = xsk_socket__create(&q->xsk, tx->ifname, queue, q->umem, NULL,
					&q->own_tx, &sc);
		if (rc != -EBUSY || tries == XDP_BUSY_TRIES)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	if (rc) {
		q->xsk = NULL;
		return xdp_error(tx, err, errlen, "bind", -rc, mode);
	}
	q->fd = xsk_socket__fd(q->xsk);
	/* copy mode: more frames per kick where the kernel allows it */
	if (!zerocopy)
		(void)setsockopt(q->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
				 sizeof(budget));
	/* frame i's data starts at i * frame size; the frame length is fixed,
	 * so the descriptors' lengths are written once per commit */
	xq_frames(q, 0, XDP_FRAMES);
	return 0;
}

static int xdp_open_mode(struct tx *tx, struct xdp_tx *x, bool zerocopy,
			 enum tx_xdp_mode mode, char *err, size_t errlen)
{
	for (unsigned i = 0; i < x->nq; i++) {
		int rc = xq_open(tx, &x->q[i], x->qid[i], zerocopy, mode, err, errlen);

		if (rc < 0) {
			/* the first queue decides; a later one failing means
			 * fewer queues than the device claimed: keep those */
			if (i == 0)
				return rc;
			xq_free(&x->q[i]);
			x->nq = i;
			break;
		}
	}
	x->zerocopy = zerocopy;
	return 0;
}

/* More sender threads than device queues (a socket each). */
static int no_queue(struct tx *tx, unsigned devq, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s has %u queue%s and an AF_XDP socket takes a "
		 "queue of its own: with --tx xdp use at most --sender-threads %u",
		 tx->ifname, devq, devq == 1 ? "" : "s", devq);
	return ES_EINVAL;
}

/* The device queues this backend binds: every one (up to XDP_QUEUES_MAX),
 * or with several senders on the device first, first + stride, ... */
static int pick_queues(struct tx *tx, struct xdp_tx *x, const struct tx_config *cfg,
		       char *err, size_t errlen)
{
	unsigned devq = cfg->xdp_queues ? cfg->xdp_queues : xdp_dev_queues(cfg->ifname, false);
	unsigned stride = cfg->xdp_queue_stride ? cfg->xdp_queue_stride : 1;

	x->nq = 0;
	for (unsigned q = cfg->xdp_queue_first; q < devq && x->nq < XDP_QUEUES_MAX; q += stride)
		x->qid[x->nq++] = q;
	if (x->nq == 0)
		return no_queue(tx, devq, err, errlen);
	return 0;
}

static void xdp_free(struct xdp_tx *x)
{
	for (unsigned i = 0; i < XDP_QUEUES_MAX; i++)
		xq_free(&x->q[i]);
	free(x);
}

extern const struct tx_ops tx_xdp_zc_ops;

/* --rx xdp opened the sockets (one per receive queue, a TX ring each): this
 * backend takes the send side of those numbered first, first + stride, ...
 * (one per sender thread) and opens nothing itself. */
static int xdp_open_shared(struct tx *tx, struct xdp_tx *x, const struct tx_config *cfg,
			   char *err, size_t errlen)
{
	unsigned stride = cfg->xdp_queue_stride ? cfg->xdp_queue_stride : 1;

	x->nq = 0;
	for (unsigned i = cfg->xdp_queue_first; i < cfg->n_xdp_shared && x->nq < XDP_QUEUES_MAX;
	     i += stride) {
		const struct xdp_txq *s = &cfg->xdp_shared[i];
		struct xq *q = &x->q[x->nq];

		if ((cfg->xdp_mode == TX_XDP_ZEROCOPY && !s->zerocopy) ||
		    (cfg->xdp_mode == TX_XDP_COPY && s->zerocopy) || s->frames > XDP_FRAMES) {
			snprintf(err, errlen, "%s: the AF_XDP sockets of --rx xdp are in %s "
				 "mode: use --xdp-mode auto", tx->ifname,
				 s->zerocopy ? "zero-copy" : "copy");
			return ES_EINVAL;
		}
		q->tx = s->tx;
		q->comp = s->comp;
		q->area = s->area;
		q->fd = s->fd;
		xq_frames(q, s->tx_first, s->frames);
		x->qid[x->nq++] = s->queue;
		x->zerocopy = s->zerocopy;
	}
	return x->nq ? 0 : no_queue(tx, cfg->n_xdp_shared, err, errlen);
}

/* Sockets of its own, one per queue: zero-copy first unless told
 * otherwise, else copy. */
static int xdp_open_own(struct tx *tx, struct xdp_tx *x, const struct tx_config *cfg,
			char *err, size_t errlen)
{
	int rc;

	if ((rc = pick_queues(tx, x, cfg, err, errlen)) < 0)
		return rc;
	rc = ES_ESYS;
	if (cfg->xdp_mode != TX_XDP_COPY)
		rc = xdp_open_mode(tx, x, true, cfg->xdp_mode, err, errlen);
	if (rc < 0 && cfg->xdp_mode != TX_XDP_ZEROCOPY) {
		for (unsigned i = 0; i < XDP_QUEUES_MAX; i++)
			xq_free(&x->q[i]);
		rc = xdp_open_mode(tx, x, false, cfg->xdp_mode, err, errlen);
	}
	return rc;
}

static int xdp_open(struct tx *tx, const struct tx_config *cfg, char *err,
		    size_t errlen)
{
	struct xdp_tx *x;
	int rc;

	if (cfg->ip_layer) {
		snprintf(err, errlen, "%s has no link-layer header: AF_XDP sends "
			 "Ethernet frames: use --tx ring or mmsg", cfg->ifname);
		return ES_EUNSUPPORTED;
	}
	if (tx->frame_len > XDP_FRAME_SIZE) {
		snprintf(err, errlen, "--tx xdp: frames of %zu bytes exceed the "
			 "UMEM frame (%u): use a smaller --size", tx->frame_len,
			 XDP_FRAME_SIZE);
		return ES_EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "--tx xdp: out of memory");
		return ES_ENOMEM;
	}
	xdp_dev_quiet_logs();
	rc = cfg->xdp_shared ? xdp_open_shared(tx, x, cfg, err, errlen)
			     : xdp_open_own(tx, x, cfg, err, errlen);
	if (rc < 0) {
		xdp_free(x);
		return rc;
	}
	if (x->zerocopy)
		tx->ops = &tx_xdp_zc_ops;
	tx->be = x;
	return 0;
}

/* Gives the frames the kernel has finished with back to the free list. */
static void xq_reap(struct xq *q)
{
	uint32_t idx;
	unsigned n = xsk_ring_cons__peek(q->comp, XDP_FRAMES, &idx);

	for (unsigned i = 0; i < n; i++)
		q->free[q->nfree++] = *xsk_ring_cons__comp_addr(q->comp, idx + i);
	if (n)
		xsk_ring_cons__release(q->comp, n);
}

static unsigned xq_pending(struct xq *q)
{
	return q->tx->size - xsk_prod_nb_free(q->tx, q->tx->size);
}

static bool xdp_fatal(int e)
{
	return e == ENETDOWN || e == ENODEV || e == ENXIO || e == EBADF ||
	       e == EFAULT || e == EINVAL;
}

/* Tells the kernel to send what is on the TX ring. Copy mode sends a
 * bounded number of frames per call, so it is repeated while the kernel
 * takes frames; a full device queue (EAGAIN, EBUSY, ENOBUFS) is left to
 * the next kick. Returns 0 or -1 (a dead socket or device). */
static int xq_kick(struct tx *tx, struct xdp_tx *x, struct xq *q)
{
	unsigned before = xq_pending(q);

	while (before > 0) {
		unsigned after;

		if (!xsk_ring_prod__needs_wakeup(q->tx))
			return 0;
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    xdp_fatal(errno)) {
			tx_sys_error(tx->err, sizeof(tx->err), tx->ifname,
				     "sendto(AF_XDP)", errno);
			x->broken = true;
			return -1;
		}
		after = xq_pending(q);
		if (after >= before)
			return 0;
		before = after;
	}
	return 0;
}

static void short_nap(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}

static int xdp_begin(struct tx *tx, unsigned want, uint8_t **slots, int timeout_ms)
{
	struct xdp_tx *x = tx->be;
	int64_t deadline = tx_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct xq *q;

	if (x->broken)
		return -1;
	x->cur = x->nq > 1 ? (x->cur + 1) % x->nq : 0;
	q = &x->q[x->cur];
	for (;;) {
		unsigned n;

		xq_reap(q);
		if (q->nfree > 0) {
			n = want < q->nfree ? want : q->nfree;
			for (unsigned i = 0; i < n; i++)
				slots[i] = xsk_umem__get_data(q->area,
							      q->free[q->nfree - 1 - i]);
			x->begun = n;
			return (int)n;
		}
		/* every frame is in flight: push them on and wait a little */
		if (xq_kick(tx, x, q) < 0)
			return -1;
		if (timeout_ms >= 0 && tx_now_ms() - deadline >= 0)
			return 0;
		short_nap();
	}
}

static int xdp_commit(struct tx *tx, unsigned n)
{
	struct xdp_tx *x = tx->be;
	struct xq *q = &x->q[x->cur];
	uint32_t idx;

	if (x->broken)
		return -1;
	if (n > x->begun) {
		snprintf(tx->err, sizeof(tx->err), "tx xdp: commit of %u frames "
			 "but begin gave %u", n, x->begun);
		return -1;
	}
	x->begun = 0;
	if (n == 0)
		return 0;
	/* never short: the ring has a slot for every UMEM frame */
	if (xsk_ring_prod__reserve(q->tx, n, &idx) != n) {
		snprintf(tx->err, sizeof(tx->err), "tx xdp: TX ring of %s full",
			 tx->ifname);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(q->tx, idx + i);

		d->addr = q->free[--q->nfree];
		d->len = (uint32_t)tx->frame_len;
		d->options = 0;
	}
	xsk_ring_prod__submit(q->tx, n);
	tx->st.frames += n;
	return xq_kick(tx, x, q);
}

/* Frames the kernel refused as descriptors (too long, bad address). */
static uint64_t xq_invalid(const struct xq *q)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tx_invalid_descs;
}

static int xdp_flush(struct tx *tx, int timeout_ms)
{
	struct xdp_tx *x = tx->be;
	int64_t deadline = tx_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	uint64_t invalid = 0;

	for (unsigned i = 0; i < x->nq; i++) {
		struct xq *q = &x->q[i];

		for (;;) {
			xq_reap(q);
			if (q->nfree == q->frames)
				break;
			if (x->broken || xq_kick(tx, x, q) < 0)
				return -1;
			if (timeout_ms >= 0 && tx_now_ms() - deadline >= 0) {
				snprintf(tx->err, sizeof(tx->err), "tx xdp: %u frames "
					 "still queued on %s after %d ms",
					 q->frames - q->nfree, tx->ifname, timeout_ms);
				return -1;
			}
			short_nap();
		}
		invalid += xq_invalid(q);
	}
	/* frames refused by the kernel: counted as errors, not as sent */
	if (invalid > tx->st.errors) {
		tx->st.frames -= invalid - tx->st.errors;
		tx->st.errors = invalid;
	}
	return 0;
}

static void xdp_close(struct tx *tx)
{
	xdp_free(tx->be);
	tx->be = NULL;
}

const struct tx_ops tx_xdp_ops = {
	.name = "xdp-copy",
	.open = xdp_open,
	.begin = xdp_begin,
	.commit = xdp_commit,
	.flush = xdp_flush,
	.close = xdp_close,
};

/* The same backend, named for the mode the driver granted. */
const struct tx_ops tx_xdp_zc_ops = {
	.name = "xdp-zerocopy",
	.open = xdp_open,
	.begin = xdp_begin,
	.commit = xdp_commit,
	.flush = xdp_flush,
	.close = xdp_close,
};
