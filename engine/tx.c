/*
 * tx.c — the send interface: opens the backend asked for (TX_AUTO tries the
 * PACKET_TX_RING first and falls back to sendmmsg), checks what all backends
 * share (interface, frame length, batch size) and dispatches each call to the
 * backend's operations table (tx_impl.h). Also holds the helpers the
 * backends share: the packet socket and error formatting.
 */
#include "engine/tx_impl.h"
#include "engine/clock.h"
#include "engine/errcode.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int tx_sys_error(char *err, size_t errlen, const char *ifname,
		 const char *what, int errnum)
{
	if (errnum == EPERM || errnum == EACCES)
		snprintf(err, errlen, "needs CAP_NET_RAW to send raw frames: "
			 "run as root or setcap cap_net_raw+ep");
	else if (errnum == ENODEV || errnum == ENXIO)
		snprintf(err, errlen, "%s: no such interface", ifname);
	else if (errnum == ENETDOWN)
		snprintf(err, errlen, "%s: interface is down: bring it up "
			 "(ip link set %s up)", ifname, ifname);
	else
		snprintf(err, errlen, "%s: %s: %s", ifname, what,
			 strerror(errnum));
	return es_errno_code(errnum);
}

int64_t tx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tx_backoff(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}

static bool tx_fatal_errno(int e)
{
	return e == ENETDOWN || e == ENODEV || e == ENXIO || e == EBADF ||
	       e == EPERM || e == EACCES;
}

int tx_sendmmsg_all(struct tx *tx, int fd, struct mmsghdr *msgs, unsigned n)
{
	unsigned done = 0;
	int64_t stall_since = 0;

	while (done < n) {
		int k = sendmmsg(fd, msgs + done, n - done, 0);

		if (k > 0) {
			done += (unsigned)k;
			tx->st.frames += (unsigned)k;
			stall_since = 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			/* Device queue full: wait for it to drain. */
			if (!stall_since)
				stall_since = tx_now_ms();
			if (tx_now_ms() - stall_since <= TX_STALL_MS) {
				tx_backoff();
				continue;
			}
			tx->st.errors += n - done;
			snprintf(tx->err, sizeof(tx->err), "%s: device queue "
				 "stayed full for %d ms: lower the rate",
				 tx->ifname, TX_STALL_MS);
			return -1;
		}
		if (tx_fatal_errno(errno)) {
			tx->st.errors += n - done;
			tx_sys_error(tx->err, sizeof(tx->err), tx->ifname,
				     "sendmmsg", errno);
			return -1;
		}
		/* The kernel refused this one frame (e.g. EMSGSIZE): skip it. */
		tx->st.errors++;
		done++;
	}
	return 0;
}

int tx_packet_socket(const struct tx *tx, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	int one = 1;
	int fd = socket(AF_PACKET, (tx->ip_layer ? SOCK_DGRAM : SOCK_RAW) |
			SOCK_CLOEXEC, 0);

	if (fd < 0)
		return tx_sys_error(err, errlen, tx->ifname, "socket", errno);
	/* Protocol 0 in bind too: the socket is bound to the device for
	 * sending but subscribes to no ethertype, so nothing is queued. */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = tx->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int rc = tx_sys_error(err, errlen, tx->ifname, "bind", errno);

		close(fd);
		return rc;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)) < 0) {
		int rc = tx_sys_error(err, errlen, tx->ifname,
				      "setsockopt(PACKET_QDISC_BYPASS)", errno);

		close(fd);
		return rc;
	}
	return fd;
}

static int check_config(const struct tx_config *cfg, char *err, size_t errlen)
{
	if (!cfg->ifname || !cfg->ifname[0] ||
	    strlen(cfg->ifname) >= IF_NAMESIZE) {
		snprintf(err, errlen, "tx: interface name '%s' is invalid: "
			 "give an interface with -i", cfg->ifname ?
			 cfg->ifname : "");
		return ES_EINVAL;
	}
	if (cfg->frame_len < PROBE_HDR_LEN - PROBE_ETH_LEN ||
	    cfg->frame_len > PROBE_FRAME_MAX) {
		snprintf(err, errlen, "tx: frame length %zu is outside %d..%d "
			 "bytes", cfg->frame_len, PROBE_HDR_LEN - PROBE_ETH_LEN,
			 PROBE_FRAME_MAX);
		return ES_EINVAL;
	}
	if (cfg->batch_max < 1 || cfg->batch_max > 65536) {
		snprintf(err, errlen, "tx: batch size %u is outside 1..65536",
			 cfg->batch_max);
		return ES_EINVAL;
	}
	if (cfg->kind == TX_LIBNET && !cfg->key) {
		snprintf(err, errlen, "tx: the libnet backend needs the key");
		return ES_EINVAL;
	}
	if (cfg->kind == TX_LIBNET && cfg->ip_layer && !cfg->ip_raw) {
		snprintf(err, errlen, "%s has no link-layer header and the libnet "
			 "backend writes Ethernet frames: use --tx ring or mmsg",
			 cfg->ifname);
		return ES_EUNSUPPORTED;
	}
	return 0;
}

static int open_kind(struct tx *tx, const struct tx_config *cfg, char *err,
		     size_t errlen)
{
	char ring_err[TX_ERR_LEN];

	if (cfg->ip_raw) {
		tx->ops = &tx_raw_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	}
	switch (cfg->kind) {
	case TX_RING:
		tx->ops = &tx_ring_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	case TX_MMSG:
		tx->ops = &tx_mmsg_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	case TX_LIBNET:
		tx->ops = &tx_libnet_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	case TX_XDP:
		tx->ops = &tx_xdp_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	case TX_DGRAM:
		break;
	case TX_AUTO:
		tx->ops = &tx_ring_ops;
		if (tx->ops->open(tx, cfg, ring_err, sizeof(ring_err)) == 0)
			return 0;
		tx->ops = &tx_mmsg_ops;
		return tx->ops->open(tx, cfg, err, errlen);
	}
	snprintf(err, errlen, "tx: unknown backend %d", (int)cfg->kind);
	return ES_EINVAL;
}

int tx_open(const struct tx_config *cfg, struct tx **out, char *err, size_t errlen)
{
	struct tx *tx;
	unsigned idx;
	int rc;

	*out = NULL;
	if ((rc = check_config(cfg, err, errlen)) < 0)
		return rc;
	idx = if_nametoindex(cfg->ifname);
	if (idx == 0) {
		snprintf(err, errlen, "%s: no such interface", cfg->ifname);
		return ES_ENODEV;
	}
	tx = calloc(1, sizeof(*tx));
	if (!tx) {
		snprintf(err, errlen, "tx: out of memory");
		return ES_ENOMEM;
	}
	snprintf(tx->ifname, sizeof(tx->ifname), "%s", cfg->ifname);
	tx->ifindex = (int)idx;
	tx->frame_len = cfg->frame_len;
	tx->batch_max = cfg->batch_max;
	tx->ip_layer = cfg->ip_layer;
	if ((rc = open_kind(tx, cfg, err, errlen)) < 0) {
		free(tx);
		return rc;
	}
	*out = tx;
	return ES_OK;
}

const char *tx_name(const struct tx *tx)
{
	return tx->ops->name;
}

/* Slot backends: up to TX_CHUNK frames per begin/commit. */
#define TX_CHUNK 256

long tx_send_probes(struct tx *tx, const struct tx_batch *b, unsigned first,
		    int timeout_ms)
{
	uint8_t *slots[TX_CHUNK];
	unsigned done = first;

	if (first >= b->n)
		return 0;
	if (tx->ops->send_probes)
		return tx->ops->send_probes(tx, b, first, timeout_ms);
	while (done < b->n) {
		unsigned want = b->n - done;
		/* one timestamp per chunk: its frames leave together at commit */
		uint64_t ts = clock_realtime_ns();
		int got;

		if (want > TX_CHUNK)
			want = TX_CHUNK;
		if (want > tx->batch_max)
			want = tx->batch_max;
		got = tx->ops->begin(tx, want, slots, timeout_ms);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		b->stamp(b->user, done, (unsigned)got, ts, slots);
		if (tx->ops->commit(tx, (unsigned)got) < 0)
			return -1;
		done += (unsigned)got;
	}
	return (long)(done - first);
}

int tx_flush(struct tx *tx, int timeout_ms)
{
	return tx->ops->flush(tx, timeout_ms);
}

void tx_get_stats(const struct tx *tx, struct tx_stats *st)
{
	*st = tx->st;
}

void tx_close(struct tx *tx)
{
	if (!tx)
		return;
	tx->ops->close(tx);
	free(tx);
}

const char *tx_last_error(const struct tx *tx)
{
	return tx->err;
}
