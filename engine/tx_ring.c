/*
 * tx_ring.c — the PACKET_TX_RING backend (TPACKET_V2): frames are written
 * straight into a ring shared with the kernel, marked TP_STATUS_SEND_REQUEST,
 * and one send() hands the whole batch over; the kernel marks each slot
 * available again once the frame has left. begin hands out consecutive
 * free slots from the current position, so no frame is copied and a batch
 * costs one syscall.
 *
 * Two things keep the kernel's per-frame work down (measured with perf on
 * an ifb sink, kernel 6.x):
 *  - PACKET_VNET_HDR with a virtio_net_hdr in front of every frame whose
 *    hdr_len is the whole frame (no flags, no GSO): the kernel then copies
 *    the ~60 bytes into the skb's linear area instead of attaching the ring
 *    page as a fragment (no page refcounting, and the flow dissector reads
 *    linear data instead of skb_copy_bits). The header is written once per
 *    slot at setup; callers only ever see the frame after it.
 *  - every kick names the protocol (sockaddr_ll, ETH_P_IP), so the kernel
 *    does not parse the Ethernet header of each frame to find it.
 * Without PACKET_VNET_HDR (older kernels) frames go as plain frames.
 */
#include "engine/tx_impl.h"

#include <errno.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define RING_BYTES   (2u << 20)
#define RING_BLOCK   (64u << 10)
#define RING_SNDBUF  (32 << 20)

struct ring {
	int fd;
	uint8_t *map;
	size_t map_len;
	unsigned frame_size;
	unsigned frame_nr;
	unsigned mask;        /* frame_nr - 1 when a power of two, else 0 */
	unsigned vnet_len;    /* sizeof(struct virtio_net_hdr), or 0 */
	struct sockaddr_ll dest;  /* names the protocol on every kick */
	unsigned head;        /* next slot to hand out */
	unsigned begun;       /* slots handed out by the last begin */
	size_t data_off;      /* where the frame starts inside a slot */
	bool broken;          /* a hard send error: the ring is not used again */
};

static unsigned pow2_at_least(size_t v)
{
	unsigned p = TPACKET_ALIGNMENT;

	while (p < v)
		p <<= 1;
	return p;
}

static struct tpacket2_hdr *slot_hdr(const struct ring *r, unsigned idx)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)idx * r->frame_size);
}

/* Slot index `n` places after `from`. */
static unsigned slot_next(const struct ring *r, unsigned from, unsigned n)
{
	return r->mask ? (from + n) & r->mask : (from + n) % r->frame_nr;
}

static int set_int(struct tx *tx, int fd, int level, int opt, int val,
		   const char *what, char *err, size_t errlen)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) == 0)
		return 0;
	return tx_sys_error(err, errlen, tx->ifname, what, errno);
}

/* Sizes the ring (power-of-two frames, 64 KiB blocks, ~8 MiB) and maps it. */
static int ring_map(struct tx *tx, struct ring *r, char *err, size_t errlen)
{
	struct tpacket_req req;
	size_t need = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll) +
		      r->vnet_len + tx->frame_len;
	unsigned block = RING_BLOCK;

	r->data_off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
	r->frame_size = pow2_at_least(TPACKET_ALIGN(need));
	if (block < r->frame_size)
		block = r->frame_size;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = block;
	req.tp_block_nr = RING_BYTES / block;
	req.tp_frame_size = r->frame_size;
	req.tp_frame_nr = req.tp_block_nr * (block / r->frame_size);
	if (setsockopt(r->fd, SOL_PACKET, PACKET_TX_RING, &req,
		       sizeof(req)) < 0)
		return tx_sys_error(err, errlen, tx->ifname,
				    "setsockopt(PACKET_TX_RING)", errno);
	r->frame_nr = req.tp_frame_nr;
	r->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_POPULATE, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return tx_sys_error(err, errlen, tx->ifname, "mmap(tx ring)", errno);
	}
	r->mask = (r->frame_nr & (r->frame_nr - 1)) == 0 ? r->frame_nr - 1 : 0;
	if (r->vnet_len) {
		/* hdr_len = the whole frame: copied into the skb's linear part */
		struct virtio_net_hdr vh = { 0 };

		vh.hdr_len = (uint16_t)tx->frame_len;   /* little-endian hosts */
		for (unsigned i = 0; i < r->frame_nr; i++)
			memcpy((uint8_t *)slot_hdr(r, i) + r->data_off, &vh, sizeof(vh));
	}
	return 0;
}

static int ring_setup(struct tx *tx, struct ring *r, char *err, size_t errlen)
{
	int rc;

	r->fd = tx_packet_socket(tx, err, errlen);
	if (r->fd < 0)
		return r->fd;
	if ((rc = set_int(tx, r->fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2,
			  "setsockopt(PACKET_VERSION)", err, errlen)) < 0)
		return rc;
	/* Optional (see the top of the file): must precede the ring setup. */
	{
		int one = 1;

		if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
		    setsockopt(r->fd, SOL_PACKET, PACKET_VNET_HDR, &one,
			       sizeof(one)) == 0)
			r->vnet_len = sizeof(struct virtio_net_hdr);
	}
	r->dest.sll_family = AF_PACKET;
	r->dest.sll_protocol = htons(ETH_P_IP);
	r->dest.sll_ifindex = tx->ifindex;
	r->dest.sll_halen = ETH_ALEN;
	/* Drop a malformed frame instead of stopping the ring at it. */
	if ((rc = set_int(tx, r->fd, SOL_PACKET, PACKET_LOSS, 1,
			  "setsockopt(PACKET_LOSS)", err, errlen)) < 0)
		return rc;
	/* The send buffer bounds the frames in flight; raise it if allowed
	 * (CAP_NET_ADMIN), else keep the default. */
	(void)set_int(tx, r->fd, SOL_SOCKET, SO_SNDBUFFORCE, RING_SNDBUF,
		      "setsockopt(SO_SNDBUFFORCE)", err, errlen);
	return ring_map(tx, r, err, errlen);
}

static void ring_free(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

static int ring_open(struct tx *tx, const struct tx_config *cfg, char *err,
		     size_t errlen)
{
	struct ring *r = calloc(1, sizeof(*r));
	int rc;

	(void)cfg;
	if (!r) {
		snprintf(err, errlen, "tx ring: out of memory");
		return ES_ENOMEM;
	}
	r->fd = -1;
	if ((rc = ring_setup(tx, r, err, errlen)) < 0) {
		ring_free(r);
		return rc;
	}
	tx->be = r;
	return 0;
}

/* After a hard send error the queued frames will never leave: count them
 * as refused and free their slots. The kernel still expects the first of
 * them at its ring position, so the ring cannot be used afterwards. */
static void ring_drop_queued(struct tx *tx, struct ring *r)
{
	unsigned i;

	for (i = 0; i < r->frame_nr; i++) {
		struct tpacket2_hdr *h = slot_hdr(r, i);

		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) !=
		    TP_STATUS_SEND_REQUEST)
			continue;
		__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE,
				 __ATOMIC_RELEASE);
		tx->st.frames--;
		tx->st.errors++;
	}
	r->broken = true;
}

/* Asks the kernel to send every slot marked SEND_REQUEST. A full device
 * queue or socket buffer is not an error: the kernel stops at the first
 * frame it cannot take, leaves it and the rest queued, and every wait for
 * a free slot kicks again. */
static int ring_kick(struct tx *tx, struct ring *r)
{
	if (sendto(r->fd, NULL, 0, MSG_DONTWAIT, (struct sockaddr *)&r->dest,
		   sizeof(r->dest)) >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
	    errno == EINTR)
		return 0;
	tx_sys_error(tx->err, sizeof(tx->err), tx->ifname, "send(tx ring)",
		     errno);
	ring_drop_queued(tx, r);
	return -1;
}

static bool slot_free(struct tx *tx, struct tpacket2_hdr *h)
{
	uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

	if (st == TP_STATUS_AVAILABLE)
		return true;
	if (st & TP_STATUS_WRONG_FORMAT) {
		tx->st.errors++;
		__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE,
				 __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

static unsigned ring_collect(struct tx *tx, struct ring *r, unsigned want,
			     uint8_t **slots)
{
	unsigned n;

	if (want > r->frame_nr)
		want = r->frame_nr;
	for (n = 0; n < want; n++) {
		struct tpacket2_hdr *h = slot_hdr(r, slot_next(r, r->head, n));

		if (!slot_free(tx, h))
			break;
		slots[n] = (uint8_t *)h + r->data_off + r->vnet_len;
	}
	return n;
}

/* Kicks, then waits at most 1 ms, so frames left queued by a full queue
 * are retried every round. */
static int ring_wait(struct tx *tx, struct ring *r, int64_t deadline,
		     bool forever)
{
	struct pollfd p = { .fd = r->fd, .events = POLLOUT };

	if (ring_kick(tx, r) < 0)
		return -1;
	if (!forever && deadline - tx_now_ms() <= 0)
		return 0;
	if (poll(&p, 1, 1) < 0 && errno != EINTR) {
		tx_sys_error(tx->err, sizeof(tx->err), tx->ifname, "poll",
			     errno);
		return -1;
	}
	return 1;
}

static int ring_begin(struct tx *tx, unsigned want, uint8_t **slots,
		      int timeout_ms)
{
	struct ring *r = tx->be;
	int64_t deadline = tx_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	if (r->broken)
		return -1;
	for (;;) {
		unsigned n = ring_collect(tx, r, want, slots);
		int w;

		if (n > 0) {
			r->begun = n;
			return (int)n;
		}
		w = ring_wait(tx, r, deadline, timeout_ms < 0);
		if (w <= 0)
			return w;
	}
}

static int ring_commit(struct tx *tx, unsigned n)
{
	struct ring *r = tx->be;
	unsigned i;

	if (r->broken)
		return -1;
	if (n > r->begun) {
		snprintf(tx->err, sizeof(tx->err), "tx ring: commit of %u "
			 "frames but begin gave %u", n, r->begun);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct tpacket2_hdr *h = slot_hdr(r, slot_next(r, r->head, i));

		h->tp_len = (uint32_t)(r->vnet_len + tx->frame_len);
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
				 __ATOMIC_RELEASE);
	}
	r->head = slot_next(r, r->head, n);
	r->begun = 0;
	tx->st.frames += n;
	return n ? ring_kick(tx, r) : 0;
}

static unsigned ring_in_flight(struct tx *tx, struct ring *r)
{
	unsigned i, busy = 0;

	for (i = 0; i < r->frame_nr; i++)
		if (!slot_free(tx, slot_hdr(r, i)))
			busy++;
	return busy;
}

static int ring_flush(struct tx *tx, int timeout_ms)
{
	struct ring *r = tx->be;
	int64_t deadline = tx_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	unsigned busy;

	while ((busy = ring_in_flight(tx, r)) > 0) {
		int w = ring_wait(tx, r, deadline, timeout_ms < 0);

		if (w < 0)
			return -1;
		if (w == 0) {
			snprintf(tx->err, sizeof(tx->err), "tx ring: %u frames "
				 "still queued on %s after %d ms", busy,
				 tx->ifname, timeout_ms);
			return -1;
		}
	}
	return 0;
}

static void ring_close(struct tx *tx)
{
	ring_free(tx->be);
	tx->be = NULL;
}

const struct tx_ops tx_ring_ops = {
	.name = "ring",
	.open = ring_open,
	.begin = ring_begin,
	.commit = ring_commit,
	.flush = ring_flush,
	.close = ring_close,
};
