/*
 * dgram.c — the scan engine over ICMP datagram sockets (see dgram.h). The
 * sockets are opened and configured by icmpsock.c (shared with `echoscan
 * ping`), the payload is stamped by probe.c, and what a message says is
 * mapped into the classifier's input here, so replies and errors go through
 * the same validation, host tables and results as captured frames.
 *
 * Why several sockets: the kernel gives each its own identifier and its own
 * receive queue, whose size an unprivileged process cannot raise beyond
 * net.core.rmem_max; spreading the probes over several sockets multiplies
 * the room for replies that arrive while the receiver is busy.
 *
 * A datagram socket also reports each ICMP error a second way: the kernel
 * sets the socket's pending error (EHOSTUNREACH, ...), which the next send
 * or receive on it returns once, with nothing sent or read. Both sides try
 * again after such an error; the error queue has the details.
 */
#include "engine/dgram.h"

#include <errno.h>
#include <time.h>            /* before errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "engine/be.h"
#include "engine/clock.h"
#include "engine/errcode.h"
#include "engine/icmpsock.h"
#include "engine/probe.h"
#include "engine/rate.h"

#define ICMP_HDR      8
#define REQ_MAX       (ICMP_HDR + PROBE_PAYLOAD_MAX)
#define RECV_VLEN     64
#define RECV_MSG_MAX  (ICMP_HDR + PROBE_PAYLOAD_MAX + 128)
#define CMSG_ROOM     320
#define STALL_MS      1000
#define RCVBUF_WANT   (8 << 20)
#define SEND_RETRIES  8          /* per message, after pending errors */

enum { ICMP_ECHOREPLY = 0, ICMP_ECHO = 8, ICMP_PARAMPROB = 12 };

union cbuf {
	char buf[CMSG_ROOM];
	struct cmsghdr align;
};

struct dgram {
	int fd[DGRAM_SOCKETS_MAX];
	unsigned nsock;
	int wake_fd;
	struct vkey key;
	uint16_t payload_len;
	unsigned batch_max;

	/* sender thread */
	unsigned next;                 /* socket for the next batch */
	uint8_t *req;                  /* batch_max requests of REQ_MAX bytes */
	struct sockaddr_in *dst;
	struct iovec *siov;
	struct mmsghdr *smsg;
	uint64_t sent, send_errors;
	char err[256];

	/* receiver thread */
	uint8_t *rbuf;                 /* RECV_VLEN messages of RECV_MSG_MAX */
	struct iovec riov[RECV_VLEN];
	struct mmsghdr rmsg[RECV_VLEN];
	struct sockaddr_in rname[RECV_VLEN];
	union cbuf *rctl;
	struct pollfd pfd[DGRAM_SOCKETS_MAX + 1];
	uint64_t received;
};

/* ---- pure mapping ---------------------------------------------------- */

static void map_reply(const struct dgram_msg *m, struct parsed_icmp *p)
{
	p->src = m->name;
	p->ip_len = (uint16_t)(20 + m->len);
	p->type = m->icmp[0];
	p->code = m->icmp[1];
	p->id = be_rd16(m->icmp + 4);
	p->seq = be_rd16(m->icmp + 6);
	p->rest = be_rd32(m->icmp + 4);
	p->data = m->icmp + ICMP_HDR;
	p->data_len = m->len - ICMP_HDR;
}

static void map_error(const struct dgram_msg *m, struct parsed_icmp *p)
{
	size_t qdata = m->len - ICMP_HDR;

	p->src = m->offender;
	/* outer IP + ICMP error header + quoted IP header + the quote */
	p->ip_len = (uint16_t)(20 + ICMP_HDR + 20 + m->len);
	p->type = m->type;
	p->code = m->code;
	/* on the wire a parameter problem's pointer is the first byte of 4..7 */
	p->rest = m->type == ICMP_PARAMPROB ? m->info << 24 : m->info;
	p->has_quote = true;
	p->q_src = m->local;
	p->q_dst = m->name;
	p->q_type = m->icmp[0];
	p->q_id = be_rd16(m->icmp + 4);
	p->q_seq = be_rd16(m->icmp + 6);
	p->q_data = m->icmp + ICMP_HDR;
	p->q_data_len = qdata;
	/* the quoted IP ID is not shown: the stamp's probe number stands in */
	p->q_ipid = qdata >= PROBE_STAMP_LEN ? be_rd16(p->q_data + 16) : 0;
}

enum parse_status dgram_map(const struct dgram_msg *m, struct parsed_icmp *p)
{
	memset(p, 0, sizeof(*p));
	if (m->is_error && !m->icmp_origin)
		return PARSE_NOT_ICMP;
	if (m->len < ICMP_HDR)
		return PARSE_TRUNCATED;
	p->dst = m->local;
	p->ttl = (uint8_t)m->ttl;
	if (m->is_error)
		map_error(m, p);
	else
		map_reply(m, p);
	return PARSE_OK;
}

/* ---- opening --------------------------------------------------------- */

/* A raw IP socket needs the same CAP_NET_RAW as the packet sockets of the
 * raw path, and closing it is free, while closing a packet socket waits for
 * an RCU grace period in the kernel (~10-30 ms, a small job's largest cost). */
static bool raw_permitted(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		return errno != EPERM && errno != EACCES;
	close(fd);
	return true;
}

enum tx_kind dgram_pick_tx(enum tx_kind asked)
{
	if (asked == TX_AUTO && !raw_permitted())
		return TX_DGRAM;
	return asked;
}

static int extra_opts(int fd, char *err, size_t errlen)
{
	int one = 1, want = RCVBUF_WANT;

	if (setsockopt(fd, SOL_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
		snprintf(err, errlen, "ICMP datagram socket: setsockopt: %s", strerror(errno));
		return -1;
	}
	/* the most room for replies we may have: FORCE needs CAP_NET_ADMIN,
	 * the plain one is capped at net.core.rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	return 0;
}

static void prepare_send(struct dgram *d)
{
	for (unsigned i = 0; i < d->batch_max; i++) {
		uint8_t *r = d->req + (size_t)i * REQ_MAX;

		r[0] = ICMP_ECHO;
		probe_payload_fill(r + ICMP_HDR, d->payload_len, NULL, 0);
		d->dst[i].sin_family = AF_INET;
		d->siov[i].iov_base = r;
		d->siov[i].iov_len = ICMP_HDR + d->payload_len;
		d->smsg[i].msg_hdr.msg_name = &d->dst[i];
		d->smsg[i].msg_hdr.msg_namelen = sizeof(d->dst[i]);
		d->smsg[i].msg_hdr.msg_iov = &d->siov[i];
		d->smsg[i].msg_hdr.msg_iovlen = 1;
	}
}

static void prepare_recv(struct dgram *d)
{
	for (unsigned i = 0; i < RECV_VLEN; i++) {
		d->riov[i].iov_base = d->rbuf + (size_t)i * RECV_MSG_MAX;
		d->riov[i].iov_len = RECV_MSG_MAX;
	}
	for (unsigned i = 0; i < d->nsock; i++)
		d->pfd[i] = (struct pollfd){ d->fd[i], POLLIN, 0 };
	d->pfd[d->nsock] = (struct pollfd){ d->wake_fd, POLLIN, 0 };
}

static int check_config(const struct dgram_config *cfg, int *errnum, char *err,
			size_t errlen)
{
	*errnum = EINVAL;
	if (cfg->payload_len < PROBE_PAYLOAD_MIN || cfg->payload_len > PROBE_PAYLOAD_MAX) {
		snprintf(err, errlen, "payload length %u out of range %d..%d",
			 (unsigned)cfg->payload_len, PROBE_PAYLOAD_MIN, PROBE_PAYLOAD_MAX);
		return -1;
	}
	if (cfg->sockets < 1 || cfg->sockets > DGRAM_SOCKETS_MAX ||
	    cfg->batch_max < 1 || cfg->batch_max > 65536 || !cfg->key) {
		snprintf(err, errlen, "dgram: %u sockets or batch of %u out of range",
			 cfg->sockets, cfg->batch_max);
		return -1;
	}
	*errnum = 0;
	return 0;
}

static int alloc_buffers(struct dgram *d)
{
	d->req = calloc(d->batch_max, REQ_MAX);
	d->dst = calloc(d->batch_max, sizeof(*d->dst));
	d->siov = calloc(d->batch_max, sizeof(*d->siov));
	d->smsg = calloc(d->batch_max, sizeof(*d->smsg));
	d->rbuf = calloc(RECV_VLEN, RECV_MSG_MAX);
	d->rctl = calloc(RECV_VLEN, sizeof(*d->rctl));
	return d->req && d->dst && d->siov && d->smsg && d->rbuf && d->rctl ? 0 : -1;
}

static int open_sockets(struct dgram *d, const struct dgram_config *cfg, int *errnum,
			char *err, size_t errlen)
{
	struct icmpsock_config ic = {
		.saddr = cfg->saddr, .ifname = cfg->ifname, .ttl = cfg->ttl,
		.payload_len = cfg->payload_len,
	};

	for (d->nsock = 0; d->nsock < cfg->sockets; d->nsock++) {
		int fd = icmpsock_socket(&ic, errnum, err, errlen);

		if (fd < 0) {
			if (*errnum == EACCES || *errnum == EPERM)
				snprintf(err, errlen, ICMPSOCK_NO_PRIV_MSG);
			return -1;
		}
		d->fd[d->nsock] = fd;
		if (extra_opts(fd, err, errlen) < 0) {
			*errnum = errno;
			d->nsock++;
			return -1;
		}
	}
	return 0;
}

static struct dgram *open_errno(const struct dgram_config *cfg, int *errnum, char *err,
				size_t errlen)
{
	struct dgram *d;

	if (check_config(cfg, errnum, err, errlen) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d) {
		*errnum = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->wake_fd = -1;
	d->key = *cfg->key;
	d->payload_len = cfg->payload_len;
	d->batch_max = cfg->batch_max;
	if (alloc_buffers(d) < 0) {
		*errnum = ENOMEM;
		snprintf(err, errlen, "out of memory for %u datagram requests", cfg->batch_max);
		goto fail;
	}
	if (open_sockets(d, cfg, errnum, err, errlen) < 0)
		goto fail;
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->wake_fd < 0) {
		*errnum = errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	prepare_send(d);
	prepare_recv(d);
	return d;
fail:
	dgram_close(d);
	return NULL;
}

int dgram_open(const struct dgram_config *cfg, struct dgram **out, char *err, size_t errlen)
{
	int errnum = 0;

	*out = open_errno(cfg, &errnum, err, errlen);
	return *out ? ES_OK : es_errno_code(errnum);
}

void dgram_close(struct dgram *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nsock; i++)
		close(d->fd[i]);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	free(d->req);
	free(d->dst);
	free(d->siov);
	free(d->smsg);
	free(d->rbuf);
	free(d->rctl);
	free(d);
}

/* ---- sending --------------------------------------------------------- */

static void stamp(struct dgram *d, unsigned i, uint32_t daddr, uint16_t probe, uint64_t ts)
{
	uint8_t *r = d->req + (size_t)i * REQ_MAX;
	uint16_t seq = (uint16_t)validate_tag(&d->key, daddr, probe);

	r[6] = (uint8_t)(seq >> 8);
	r[7] = (uint8_t)seq;
	probe_payload_stamp(r + ICMP_HDR, &d->key, daddr, ts, probe);
	d->dst[i].sin_addr.s_addr = htonl(daddr);
}

/* The socket is gone or we may not send at all: no point going on. */
static bool fatal_errno(int e)
{
	return e == EBADF || e == ENOTSOCK || e == EFAULT || e == EINVAL || e == ENOMEM;
}

static void backoff(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}

static int send_on(struct dgram *d, int fd, unsigned n)
{
	unsigned done = 0, retries = 0;
	int64_t stall_since = 0;

	while (done < n) {
		int k = sendmmsg(fd, d->smsg + done, n - done, 0);

		if (k > 0) {
			done += (unsigned)k;
			d->sent += (unsigned)k;
			stall_since = 0;
			retries = 0;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS || errno == EAGAIN) {
			/* the device queue or our send buffer is full: wait */
			int64_t now = (int64_t)(rate_now_ns() / 1000000);

			if (!stall_since)
				stall_since = now;
			if (now - stall_since <= STALL_MS) {
				backoff();
				continue;
			}
			d->send_errors += n - done;
			snprintf(d->err, sizeof(d->err), "the kernel refused probes for %d ms "
				 "(%s): lower the rate", STALL_MS, strerror(errno));
			return -1;
		}
		if (fatal_errno(errno)) {
			d->send_errors += n - done;
			snprintf(d->err, sizeof(d->err), "sendmmsg on an ICMP datagram "
				 "socket: %s", strerror(errno));
			return -1;
		}
		/* a pending error from an earlier ICMP error: the message was
		 * not sent; try again (errors may keep coming in meanwhile) */
		if (retries++ < SEND_RETRIES)
			continue;
		/* this one target was refused (no route, broadcast, ...): skip it */
		d->send_errors++;
		done++;
		retries = 0;
	}
	return 0;
}

int dgram_send(struct dgram *d, const uint32_t *daddr, unsigned n, uint16_t probe)
{
	uint64_t ts;

	if (n > d->batch_max) {
		snprintf(d->err, sizeof(d->err), "dgram: batch of %u targets, at most %u",
			 n, d->batch_max);
		return -1;
	}
	ts = clock_realtime_ns();
	for (unsigned i = 0; i < n; i++)
		stamp(d, i, daddr[i], probe, ts);
	d->next = (d->next + 1) % d->nsock;
	return send_on(d, d->fd[d->next], n);
}

void dgram_send_stats(const struct dgram *d, uint64_t *sent, uint64_t *errors)
{
	*sent = d->sent;
	*errors = d->send_errors;
}

const char *dgram_last_error(const struct dgram *d)
{
	return d->err;
}

/* ---- receiving ------------------------------------------------------- */

static void handle(struct dgram *d, unsigned i, bool is_error,
		   dgram_handler fn, void *user)
{
	struct msghdr *h = &d->rmsg[i].msg_hdr;
	struct icmpsock_meta meta;
	struct parsed_icmp p;
	struct dgram_msg m = {
		.icmp = d->riov[i].iov_base, .len = d->rmsg[i].msg_len,
		.is_error = is_error,
		.name = h->msg_namelen >= sizeof(struct sockaddr_in) &&
			d->rname[i].sin_family == AF_INET ? ntohl(d->rname[i].sin_addr.s_addr) : 0,
	};
	enum parse_status st;

	icmpsock_read_meta(h, &meta);
	m.local = meta.local;
	m.ttl = meta.ttl;
	if (is_error) {
		if (!meta.has_ee)
			return;
		m.icmp_origin = meta.ee_origin == SO_EE_ORIGIN_ICMP;
		m.type = meta.ee_type;
		m.code = meta.ee_code;
		m.info = meta.ee_info;
		m.offender = meta.ee_offender;
	}
	st = dgram_map(&m, &p);
	if (st != PARSE_NOT_ICMP)
		fn(user, meta.ts_ns, st, &p);
}

/* Reads one batch from socket `sock` (its error queue with MSG_ERRQUEUE).
 * Returns the number of messages, 0 when none is queued, -1 on error. */
static int read_batch(struct dgram *d, unsigned sock, int flags, dgram_handler fn,
		      void *user, char *err, size_t errlen)
{
	int k;

	for (unsigned i = 0; i < RECV_VLEN; i++) {
		struct msghdr *h = &d->rmsg[i].msg_hdr;

		h->msg_name = &d->rname[i];
		h->msg_namelen = sizeof(d->rname[i]);
		h->msg_iov = &d->riov[i];
		h->msg_iovlen = 1;
		h->msg_control = d->rctl[i].buf;
		h->msg_controllen = sizeof(d->rctl[i].buf);
		h->msg_flags = 0;
	}
	k = recvmmsg(d->fd[sock], d->rmsg, RECV_VLEN, flags | MSG_DONTWAIT, NULL);
	/* a pending error (see the top): it is cleared now, read again */
	if (k < 0 && !(flags & MSG_ERRQUEUE) && !fatal_errno(errno) &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		k = recvmmsg(d->fd[sock], d->rmsg, RECV_VLEN, flags | MSG_DONTWAIT, NULL);
	if (k < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    !fatal_errno(errno))
			return 0;
		snprintf(err, errlen, "recvmmsg on an ICMP datagram socket: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < k; i++)
		handle(d, (unsigned)i, flags & MSG_ERRQUEUE, fn, user);
	d->received += (unsigned)k;
	return k;
}

/* Drains socket `sock`: errors first, then replies, a bounded number of
 * batches so one busy socket does not starve the others. */
static int drain_socket(struct dgram *d, unsigned sock, dgram_handler fn, void *user,
			char *err, size_t errlen)
{
	int total = 0;

	for (int round = 0; round < 16; round++) {
		int e = read_batch(d, sock, MSG_ERRQUEUE, fn, user, err, errlen);
		int r = e < 0 ? -1 : read_batch(d, sock, 0, fn, user, err, errlen);

		if (e < 0 || r < 0)
			return -1;
		total += e + r;
		if (e < RECV_VLEN && r < RECV_VLEN)
			break;
	}
	return total;
}

int dgram_recv(struct dgram *d, dgram_handler fn, void *user, int timeout_ms,
	       char *err, size_t errlen)
{
	int total = 0, rc = poll(d->pfd, d->nsock + 1, timeout_ms);

	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		snprintf(err, errlen, "poll: %s", strerror(errno));
		return -1;
	}
	if (d->pfd[d->nsock].revents) {
		uint64_t v;

		(void)!read(d->wake_fd, &v, sizeof(v));
	}
	for (unsigned i = 0; i < d->nsock; i++) {
		int n;

		if (!d->pfd[i].revents)
			continue;
		n = drain_socket(d, i, fn, user, err, errlen);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

void dgram_wake(struct dgram *d)
{
	uint64_t one = 1;

	(void)!write(d->wake_fd, &one, sizeof(one));
}

void dgram_recv_stats(const struct dgram *d, uint64_t *received, uint64_t *dropped)
{
	uint64_t drops = 0;

	/* ping sockets do not report SO_RXQ_OVFL; SO_MEMINFO has the count */
	for (unsigned i = 0; i < d->nsock; i++) {
		uint32_t mi[SK_MEMINFO_VARS];
		socklen_t len = sizeof(mi);

		if (getsockopt(d->fd[i], SOL_SOCKET, SO_MEMINFO, mi, &len) == 0 &&
		    len > SK_MEMINFO_DROPS * sizeof(uint32_t))
			drops += mi[SK_MEMINFO_DROPS];
	}
	*received = d->received;
	*dropped = drops;
}
