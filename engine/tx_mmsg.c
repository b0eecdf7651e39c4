/*
 * tx_mmsg.c — the sendmmsg backend: batch_max preallocated frame buffers,
 * each with its iovec and mmsghdr aimed at the interface, so a batch of
 * frames costs one syscall. Works on any interface an AF_PACKET socket can
 * send on, including those without TX ring support.
 */
#include "engine/tx_impl.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MMSG_SNDBUF   (32 << 20)

struct mmsg {
	int fd;
	uint8_t *bufs;            /* batch_max frames of frame_len bytes */
	struct iovec *iov;
	struct mmsghdr *msgs;
	struct sockaddr_ll dest;
	unsigned begun;
};

static void mmsg_free(struct mmsg *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->bufs);
	free(m->iov);
	free(m->msgs);
	free(m);
}

static void mmsg_fill(struct tx *tx, struct mmsg *m)
{
	unsigned i;

	m->dest.sll_family = AF_PACKET;
	m->dest.sll_protocol = htons(ETH_P_IP);
	m->dest.sll_ifindex = tx->ifindex;
	for (i = 0; i < tx->batch_max; i++) {
		m->iov[i].iov_base = m->bufs + (size_t)i * tx->frame_len;
		m->iov[i].iov_len = tx->frame_len;
		m->msgs[i].msg_hdr.msg_name = &m->dest;
		m->msgs[i].msg_hdr.msg_namelen = sizeof(m->dest);
		m->msgs[i].msg_hdr.msg_iov = &m->iov[i];
		m->msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

static int mmsg_open(struct tx *tx, const struct tx_config *cfg, char *err,
		     size_t errlen)
{
	struct mmsg *m = calloc(1, sizeof(*m));
	int sndbuf = MMSG_SNDBUF;

	(void)cfg;
	if (!m) {
		snprintf(err, errlen, "tx mmsg: out of memory");
		return ES_ENOMEM;
	}
	m->fd = -1;
	m->bufs = calloc(tx->batch_max, tx->frame_len);
	m->iov = calloc(tx->batch_max, sizeof(*m->iov));
	m->msgs = calloc(tx->batch_max, sizeof(*m->msgs));
	if (!m->bufs || !m->iov || !m->msgs) {
		snprintf(err, errlen, "tx mmsg: out of memory for %u frames",
			 tx->batch_max);
		mmsg_free(m);
		return ES_ENOMEM;
	}
	m->fd = tx_packet_socket(tx, err, errlen);
	if (m->fd < 0) {
		int rc = m->fd;

		m->fd = -1;
		mmsg_free(m);
		return rc;
	}
	/* More frames in flight when allowed (CAP_NET_ADMIN); optional. */
	(void)setsockopt(m->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
			 sizeof(sndbuf));
	mmsg_fill(tx, m);
	tx->be = m;
	return 0;
}

static int mmsg_begin(struct tx *tx, unsigned want, uint8_t **slots,
		      int timeout_ms)
{
	struct mmsg *m = tx->be;
	unsigned i;

	(void)timeout_ms;
	for (i = 0; i < want; i++)
		slots[i] = m->iov[i].iov_base;
	m->begun = want;
	return (int)want;
}

static int mmsg_commit(struct tx *tx, unsigned n)
{
	struct mmsg *m = tx->be;

	if (n > m->begun) {
		snprintf(tx->err, sizeof(tx->err), "tx mmsg: commit of %u "
			 "frames but begin gave %u", n, m->begun);
		return -1;
	}
	m->begun = 0;
	return tx_sendmmsg_all(tx, m->fd, m->msgs, n);
}

static int mmsg_flush(struct tx *tx, int timeout_ms)
{
	(void)tx;
	(void)timeout_ms;
	return 0;    /* sendmmsg returns once the kernel holds the frames */
}

static void mmsg_close(struct tx *tx)
{
	mmsg_free(tx->be);
	tx->be = NULL;
}

const struct tx_ops tx_mmsg_ops = {
	.name = "mmsg",
	.open = mmsg_open,
	.begin = mmsg_begin,
	.commit = mmsg_commit,
	.flush = mmsg_flush,
	.close = mmsg_close,
};
