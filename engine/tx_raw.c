/*
 * tx_raw.c — the IP-layer backend for loopback: IP packets (no link
 * header) handed to the kernel's IP output through a raw socket with
 * IP_HDRINCL, in sendmmsg batches. The machine's own addresses and 127/8
 * cannot be reached with frames injected on lo by a packet socket (a frame
 * arriving without a route attached is a martian for 127/8), while the IP
 * output routes them locally like any local ping. The kernel fills in the
 * IP checksum and, where our IP ID is 0, an ID of its own: an echo reply
 * carries its probe number in the payload, so nothing is lost. IPv6
 * packets (tx_config.ip6) go through an AF_INET6 raw socket the same way
 * (IPPROTO_RAW: the header is ours, the destination is read from it).
 */
#include "engine/tx_impl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define RAW_SNDBUF (4 << 20)

struct raw {
	int fd;
	uint8_t *bufs;
	struct iovec *iov;
	struct mmsghdr *msgs;
	struct sockaddr_in *dest;
	struct sockaddr_in6 *dest6;         /* ip6 instead of dest */
	bool ip6;
	unsigned begun;
};

static void raw_free(struct raw *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->bufs);
	free(r->iov);
	free(r->msgs);
	free(r->dest);
	free(r->dest6);
	free(r);
}

static int raw_open(struct tx *tx, const struct tx_config *cfg, char *err,
		    size_t errlen)
{
	struct raw *r = calloc(1, sizeof(*r));
	int sndbuf = RAW_SNDBUF;

	if (!r) {
		snprintf(err, errlen, "tx raw: out of memory");
		return ES_ENOMEM;
	}
	r->fd = -1;
	r->bufs = calloc(tx->batch_max, tx->frame_len);
	r->iov = calloc(tx->batch_max, sizeof(*r->iov));
	r->msgs = calloc(tx->batch_max, sizeof(*r->msgs));
	r->ip6 = cfg->ip6;
	if (r->ip6)
		r->dest6 = calloc(tx->batch_max, sizeof(*r->dest6));
	else
		r->dest = calloc(tx->batch_max, sizeof(*r->dest));
	if (!r->bufs || !r->iov || !r->msgs || (!r->dest && !r->dest6)) {
		snprintf(err, errlen, "tx raw: out of memory for %u packets",
			 tx->batch_max);
		raw_free(r);
		return ES_ENOMEM;
	}
	/* IPPROTO_RAW implies IP_HDRINCL; it never receives anything */
	r->fd = socket(r->ip6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (r->fd < 0) {
		int rc = tx_sys_error(err, errlen, tx->ifname, r->ip6 ?
				      "socket(AF_INET6, SOCK_RAW)" : "socket(AF_INET, SOCK_RAW)",
				      errno);

		raw_free(r);
		return rc;
	}
	(void)setsockopt(r->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf));
	for (unsigned i = 0; i < tx->batch_max; i++) {
		r->iov[i].iov_base = r->bufs + (size_t)i * tx->frame_len;
		r->iov[i].iov_len = tx->frame_len;
		if (r->ip6) {
			r->dest6[i].sin6_family = AF_INET6;
			r->msgs[i].msg_hdr.msg_name = &r->dest6[i];
			r->msgs[i].msg_hdr.msg_namelen = sizeof(r->dest6[i]);
		} else {
			r->dest[i].sin_family = AF_INET;
			r->msgs[i].msg_hdr.msg_name = &r->dest[i];
			r->msgs[i].msg_hdr.msg_namelen = sizeof(r->dest[i]);
		}
		r->msgs[i].msg_hdr.msg_iov = &r->iov[i];
		r->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	tx->be = r;
	return 0;
}

static int raw_begin(struct tx *tx, unsigned want, uint8_t **slots,
		     int timeout_ms)
{
	struct raw *r = tx->be;

	(void)timeout_ms;
	for (unsigned i = 0; i < want; i++)
		slots[i] = r->iov[i].iov_base;
	r->begun = want;
	return (int)want;
}

static int raw_commit(struct tx *tx, unsigned n)
{
	struct raw *r = tx->be;

	if (n > r->begun) {
		snprintf(tx->err, sizeof(tx->err), "tx raw: commit of %u "
			 "packets but begin gave %u", n, r->begun);
		return -1;
	}
	r->begun = 0;
	/* the destination is the IP header's */
	for (unsigned i = 0; i < n; i++)
		if (r->ip6)
			memcpy(&r->dest6[i].sin6_addr, (uint8_t *)r->iov[i].iov_base + 24, 16);
		else
			memcpy(&r->dest[i].sin_addr, (uint8_t *)r->iov[i].iov_base + 16, 4);
	return tx_sendmmsg_all(tx, r->fd, r->msgs, n);
}

static int raw_flush(struct tx *tx, int timeout_ms)
{
	(void)tx;
	(void)timeout_ms;
	return 0;
}

static void raw_close(struct tx *tx)
{
	raw_free(tx->be);
	tx->be = NULL;
}

const struct tx_ops tx_raw_ops = {
	.name = "raw",
	.open = raw_open,
	.begin = raw_begin,
	.commit = raw_commit,
	.flush = raw_flush,
	.close = raw_close,
};
