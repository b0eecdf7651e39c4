/*
 * icmpsock.c — echo requests over the kernel's ICMP datagram socket (see
 * icmpsock.h). The request is built once at open (header and fill); each send
 * stamps only the send time, the MAC, the probe number and the sequence
 * number (the kernel sets the identifier and the checksum). Replies and
 * errors are read with recvmsg and their control messages; nothing is
 * allocated after open.
 */
#include "engine/icmpsock.h"

#include <errno.h>
#include <time.h>            /* before errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/be.h"
#include "engine/clock.h"
#include "engine/errcode.h"
#include "engine/probe.h"
#include "engine/validate.h"

#define ICMP_HDR_LEN   8
#define RECV_MAX       (ICMP_HDR_LEN + PROBE_PAYLOAD_MAX + 128)
#define RECV_TRIES     64      /* messages looked at per icmpsock_recv call */

enum { ICMP_ECHOREPLY = 0, ICMP_UNREACH = 3, ICMP_ECHO = 8, ICMP_TIMXCEED = 11 };

struct icmpsock {
	int fd;
	uint32_t daddr;
	uint16_t payload_len;
	bool any_reply;
	uint64_t invalid;
	struct vkey key;
	uint8_t req[ICMP_HDR_LEN + PROBE_PAYLOAD_MAX];
	uint8_t rbuf[RECV_MAX];
	union {                          /* control messages, aligned */
		char buf[512];
		struct cmsghdr align;
	} cbuf;
};


static struct sockaddr_in sin_of(uint32_t addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_addr.s_addr = htonl(addr);
	return sa;
}

/* The constant part of the request: echo header and the fill after the stamp. */
static void build_request(struct icmpsock *s, const struct icmpsock_config *cfg)
{
	uint8_t *pl = s->req + ICMP_HDR_LEN;

	memset(s->req, 0, sizeof(s->req));
	s->req[0] = ICMP_ECHO;
	probe_payload_fill(pl, cfg->payload_len, cfg->pattern, cfg->pattern_len);
}

static int sockopt(int fd, int level, int name, const void *v, socklen_t len,
		   const char *what, int *errnum, char *err, size_t errlen)
{
	if (setsockopt(fd, level, name, v, len) == 0)
		return 0;
	*errnum = errno;
	snprintf(err, errlen, "ICMP datagram socket: %s: %s", what, strerror(errno));
	return -1;
}

static int configure(int fd, const struct icmpsock_config *cfg,
		     int *errnum, char *err, size_t errlen)
{
	int one = 1;

	if (sockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one), "IP_RECVERR", errnum, err, errlen) < 0 ||
	    sockopt(fd, SOL_IP, IP_RECVTTL, &one, sizeof(one), "IP_RECVTTL", errnum, err, errlen) < 0 ||
	    sockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one), "SO_TIMESTAMPNS",
		    errnum, err, errlen) < 0)
		return -1;
	if (cfg->ttl > 0 && sockopt(fd, SOL_IP, IP_TTL, &cfg->ttl, sizeof(cfg->ttl),
				    "IP_TTL", errnum, err, errlen) < 0)
		return -1;
	if (cfg->tos > 0 && sockopt(fd, SOL_IP, IP_TOS, &cfg->tos, sizeof(cfg->tos),
				    "IP_TOS", errnum, err, errlen) < 0)
		return -1;
	if (cfg->pmtu_set && sockopt(fd, SOL_IP, IP_MTU_DISCOVER, &cfg->pmtudisc,
					  sizeof(cfg->pmtudisc), "IP_MTU_DISCOVER",
					  errnum, err, errlen) < 0)
		return -1;
	if (cfg->ifname && sockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->ifname,
				   (socklen_t)strlen(cfg->ifname) + 1, cfg->ifname,
				   errnum, err, errlen) < 0)
		return -1;
	if (cfg->saddr) {
		struct sockaddr_in src = sin_of(cfg->saddr);

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
			*errnum = errno;
			snprintf(err, errlen, "cannot use source address %u.%u.%u.%u: %s",
				 cfg->saddr >> 24, cfg->saddr >> 16 & 255, cfg->saddr >> 8 & 255,
				 cfg->saddr & 255, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int icmpsock_socket(const struct icmpsock_config *cfg, int *errnum, char *err,
		    size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);

	*errnum = 0;
	if (fd < 0) {
		*errnum = errno;
		snprintf(err, errlen, "ICMP datagram socket: %s", strerror(errno));
		return -1;
	}
	if (configure(fd, cfg, errnum, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct icmpsock *open_errno(const struct icmpsock_config *cfg, int *errnum,
				   char *err, size_t errlen)
{
	struct icmpsock *s;

	*errnum = 0;
	if (cfg->payload_len < PROBE_PAYLOAD_MIN || cfg->payload_len > PROBE_PAYLOAD_MAX) {
		*errnum = EINVAL;
		snprintf(err, errlen, "payload length %u out of range %d..%d",
			 (unsigned)cfg->payload_len, PROBE_PAYLOAD_MIN, PROBE_PAYLOAD_MAX);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*errnum = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->daddr = cfg->daddr;
	s->payload_len = cfg->payload_len;
	s->fd = icmpsock_socket(cfg, errnum, err, errlen);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	if (vkey_random(&s->key) < 0) {
		*errnum = errno;
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		goto fail;
	}
	build_request(s, cfg);
	return s;
fail:
	icmpsock_close(s);
	return NULL;
}

int icmpsock_open(const struct icmpsock_config *cfg, struct icmpsock **out,
		  char *err, size_t errlen)
{
	int errnum = 0;

	*out = open_errno(cfg, &errnum, err, errlen);
	return *out ? ES_OK : es_errno_code(errnum);
}

int icmpsock_fd(const struct icmpsock *s)
{
	return s->fd;
}

int icmpsock_send(struct icmpsock *s, uint16_t probe, char *err, size_t errlen)
{
	struct sockaddr_in dst = sin_of(s->daddr);
	uint8_t *pl = s->req + ICMP_HDR_LEN;
	size_t len = ICMP_HDR_LEN + s->payload_len;
	uint64_t ts = clock_realtime_ns();

	be_put(s->req + 6, (uint16_t)(probe + 1), 2);
	probe_payload_stamp(pl, &s->key, s->daddr, ts, probe);
	if (sendto(s->fd, s->req, len, 0, (struct sockaddr *)&dst, sizeof(dst)) == (ssize_t)len)
		return 0;
	snprintf(err, errlen, "sendmsg: %s", strerror(errno));
	return -1;
}

/* The extended error's fields, the same for IP_RECVERR and IPV6_RECVERR. */
static void take_ee(struct icmpsock_meta *m, const struct sock_extended_err *ee)
{
	m->has_ee = true;
	m->ee_origin = ee->ee_origin;
	m->ee_type = ee->ee_type;
	m->ee_code = ee->ee_code;
	m->ee_info = ee->ee_info;
	m->ee_errno = ee->ee_errno;
}

void icmpsock_read_meta(struct msghdr *msg, struct icmpsock_meta *m)
{
	memset(m, 0, sizeof(*m));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			m->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_TTL &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&m->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->local = ntohl(pi.ipi_addr.s_addr);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&m->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
			struct sock_extended_err ee;
			struct sockaddr_in6 off;

			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			take_ee(m, &ee);
			if (c->cmsg_len >= CMSG_LEN(sizeof(ee) + sizeof(off))) {
				memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
				if (off.sin6_family == AF_INET6) {
					memcpy(m->ee_offender6, &off.sin6_addr, 16);
					m->has_offender6 = true;
				}
			}
		} else if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct sock_extended_err))) {
			struct sock_extended_err ee;
			struct sockaddr_in off;

			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			take_ee(m, &ee);
			/* the offender follows the error; present when it fits */
			if (c->cmsg_len >= CMSG_LEN(sizeof(ee) + sizeof(off))) {
				memcpy(&off, CMSG_DATA(c) + sizeof(ee), sizeof(off));
				if (off.sin_family == AF_INET)
					m->ee_offender = ntohl(off.sin_addr.s_addr);
			}
		}
	}
	if (m->ts_ns == 0)
		m->ts_ns = clock_realtime_ns();
}

/* RTT from a stamped payload of probe `probe`, or -1 if its MAC fails. */
static void fill_base(struct es_result *res, const struct icmpsock_meta *m, uint32_t daddr)
{
	memset(res, 0, sizeof(*res));
	res->ts_ns = m->ts_ns;
	res->saddr = daddr;
	res->ttl = (uint8_t)m->ttl;
}

/* Returns 1 (valid), 0 (not ours or invalid). */
static int take_reply(struct icmpsock *s, size_t n, const struct sockaddr_in *from,
		      const struct icmpsock_meta *m, struct es_result *res)
{
	const uint8_t *icmp = s->rbuf;
	uint16_t probe;
	int64_t rtt;

	if (n < ICMP_HDR_LEN || icmp[0] != ICMP_ECHOREPLY)
		return 0;
	probe = (uint16_t)(be_get(icmp + 6, 2) - 1);
	if (n < ICMP_HDR_LEN + PROBE_STAMP_LEN || ntohl(from->sin_addr.s_addr) != s->daddr ||
	    (rtt = probe_payload_rtt(icmp + ICMP_HDR_LEN, &s->key, s->daddr, probe, m->ts_ns)) < 0) {
		s->invalid++;
		return 0;
	}
	fill_base(res, m, s->daddr);
	res->rtt_ns = rtt;
	res->responder = s->daddr;
	res->probe = probe;
	res->size = (uint16_t)(n + 20);
	res->classification = ES_CLASS_ECHOREPLY;
	res->success = 1;
	res->repeat = s->any_reply;
	s->any_reply = true;
	return 1;
}

static uint8_t error_class(uint8_t type)
{
	if (type == ICMP_UNREACH)
		return ES_CLASS_UNREACH;
	return type == ICMP_TIMXCEED ? ES_CLASS_TIMXCEED : ES_CLASS_OTHER;
}

/* An error queue entry: the quoted request, the error in ee. */
static int take_error(struct icmpsock *s, size_t n, const struct sockaddr_in *target,
		      const struct icmpsock_meta *m, struct es_result *res)
{
	const uint8_t *q = s->rbuf;
	uint16_t probe;
	int64_t rtt = -1;

	if (!m->has_ee || m->ee_origin != SO_EE_ORIGIN_ICMP || n < ICMP_HDR_LEN ||
	    q[0] != ICMP_ECHO || ntohl(target->sin_addr.s_addr) != s->daddr)
		return 0;
	probe = (uint16_t)(be_get(q + 6, 2) - 1);
	if (n >= ICMP_HDR_LEN + PROBE_STAMP_LEN &&
	    (rtt = probe_payload_rtt(q + ICMP_HDR_LEN, &s->key, s->daddr, probe, m->ts_ns)) < 0) {
		s->invalid++;
		return 0;
	}
	fill_base(res, m, s->daddr);
	res->rtt_ns = rtt;
	res->responder = m->ee_offender;
	res->probe = probe;
	res->type = m->ee_type;
	res->code = m->ee_code;
	res->classification = error_class(m->ee_type);
	res->info = m->ee_info;
	return 1;
}

/* Reads one message. Returns 1 (valid result), 0 (skipped), -1 (nothing
 * pending), -2 (socket error, err set). */
static int recv_one(struct icmpsock *s, int flags, struct es_result *res,
		    char *err, size_t errlen)
{
	struct sockaddr_in from;
	struct iovec iov = { s->rbuf, sizeof(s->rbuf) };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = s->cbuf.buf, .msg_controllen = sizeof(s->cbuf.buf),
	};
	struct icmpsock_meta m;
	ssize_t n = recvmsg(s->fd, &msg, flags | MSG_DONTWAIT);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -1;
		snprintf(err, errlen, "recvmsg: %s", strerror(errno));
		return -2;
	}
	icmpsock_read_meta(&msg, &m);
	if (flags & MSG_ERRQUEUE)
		return take_error(s, (size_t)n, &from, &m, res);
	return take_reply(s, (size_t)n, &from, &m, res);
}

int icmpsock_recv(struct icmpsock *s, struct es_result *res, char *err, size_t errlen)
{
	for (int i = 0; i < RECV_TRIES; i++) {
		int rc = recv_one(s, MSG_ERRQUEUE, res, err, errlen);

		if (rc == -1)
			rc = recv_one(s, 0, res, err, errlen);
		if (rc == 1)
			return 1;
		if (rc == -1)
			return 0;
		if (rc == -2)
			return -1;
	}
	return 0;
}

uint64_t icmpsock_invalid(const struct icmpsock *s)
{
	return s->invalid;
}

void icmpsock_close(struct icmpsock *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
