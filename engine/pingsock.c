/*
 * pingsock.c — echo requests through the kernel's IP layer (see pingsock.h).
 * The request is built once at open (header and iputils' fill); each send
 * stamps the sequence number and, when the payload has room, the send time,
 * MAC and probe number; on the raw socket the checksum is the precomputed sum
 * of the constant bytes plus the stamped ones. Replies and errors are read
 * with recvmsg and their control messages into buffers allocated at open.
 */
#include "engine/pingsock.h"

#include <errno.h>
#include <time.h>            /* before errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/csum.h"
#include "engine/icmpsock.h"
#include "engine/probe.h"
#include "engine/validate.h"

#define HDR          8                       /* ICMP echo header */
#define IPHDR_MAX    60
#define RECV_TRIES   64
#define SEQ_SLOTS    65536u

enum { T_ECHOREPLY = 0, T_QUENCH = 4, T_REDIRECT = 5, T_ECHO = 8 };

struct pingsock {
	int fd;
	bool raw, broadcast, connected;
	int ident;
	uint32_t daddr;
	size_t payload_len;
	size_t stamp_len;            /* PROBE_STAMP_LEN, or 0 for small payloads */
	uint32_t fill_sum;           /* raw: sum of the bytes after the stamp */
	struct vkey key;
	uint64_t *sent_ns;           /* small payloads: send time per sequence slot */
	uint8_t *req;                /* HDR + payload_len */
	uint8_t *rbuf;               /* a whole reply: IP header + ICMP + data */
	size_t rlen;
	uint8_t opts[PINGSOCK_IPOPT_MAX];
	union {
		char buf[1024];
		struct cmsghdr align;
	} cbuf;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = htonl(addr);
	return sa;
}

static int fail(int *errnum, char *err, size_t errlen, const char *what)
{
	*errnum = errno;
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static int setopt(int fd, int level, int name, int v, int *errnum, char *err, size_t errlen,
		  const char *what)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)) == 0)
		return 0;
	return fail(errnum, err, errlen, what);
}

/* iputils' estimate of the memory one probe takes (for SO_SNDBUF/SO_RCVBUF). */
static int probe_alloc(const struct pingsock_config *cfg)
{
	int hold = (int)cfg->payload_len + HDR;

	return hold + (hold + 511) / 512 * ((int)cfg->ip_options_len + 20 + 16 + 64 + 160);
}

static int set_buffers(int fd, const struct pingsock_config *cfg)
{
	int alloc = probe_alloc(cfg);
	int snd = cfg->sndbuf ? cfg->sndbuf : alloc;
	int rcv = alloc * (cfg->preload > 0 ? cfg->preload : 1);

	if (rcv < 65536)
		rcv = 65536;
	/* like iputils, a buffer the kernel caps is not an error */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return 0;
}

static int set_timeout(int fd, uint64_t interval_ms)
{
	struct timeval tv = { 1, 0 };
	uint64_t ms = interval_ms < 10 ? 10 : interval_ms;

	if (interval_ms < 1000) {
		tv.tv_sec = 0;
		tv.tv_usec = (suseconds_t)(ms * 1000);
	}
	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int configure(struct pingsock *s, const struct pingsock_config *cfg,
		     int *errnum, char *err, size_t errlen)
{
	int fd = s->fd;

	if (setopt(fd, SOL_IP, IP_RECVERR, 1, errnum, err, errlen, "IP_RECVERR") < 0 ||
	    setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, errnum, err, errlen, "SO_TIMESTAMPNS") < 0)
		return -1;
	if (!cfg->raw &&
	    (setopt(fd, SOL_IP, IP_RECVTTL, 1, errnum, err, errlen, "IP_RECVTTL") < 0 ||
	     setopt(fd, SOL_IP, IP_RETOPTS, 1, errnum, err, errlen, "IP_RETOPTS") < 0))
		return -1;
	if (cfg->raw) {
		struct icmp_filter filt = {
			~(1u << T_ECHOREPLY | 1u << T_QUENCH | 1u << T_REDIRECT)
		};

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));   /* an optimisation */
	}
	if (cfg->ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->ifname,
				      (socklen_t)strlen(cfg->ifname) + 1) < 0)
		return fail(errnum, err, errlen, cfg->ifname);
	if (cfg->tos > 0 && setopt(fd, SOL_IP, IP_TOS, cfg->tos, errnum, err, errlen, "IP_TOS") < 0)
		return -1;
	if (cfg->pmtudisc >= 0 && setopt(fd, SOL_IP, IP_MTU_DISCOVER, cfg->pmtudisc,
					 errnum, err, errlen, "IP_MTU_DISCOVER") < 0)
		return -1;
	if (cfg->saddr || (!cfg->raw && cfg->ident > 0)) {
		struct sockaddr_in src = sin_of(cfg->saddr, cfg->raw || cfg->ident < 0 ?
						0 : (uint16_t)cfg->ident);

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail(errnum, err, errlen, "bind");
	}
	if (cfg->ip_options_len &&
	    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, cfg->ip_options,
		       (socklen_t)cfg->ip_options_len) < 0)
		return fail(errnum, err, errlen, "IP_OPTIONS");
	set_buffers(fd, cfg);
	if (cfg->broadcast &&
	    setopt(fd, SOL_SOCKET, SO_BROADCAST, 1, errnum, err, errlen, "cannot set broadcasting") < 0)
		return -1;
	if (cfg->noloop && setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, errnum, err, errlen,
				  "cannot disable multicast loopback") < 0)
		return -1;
	if (cfg->ttl > 0 &&
	    (setopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, cfg->ttl, errnum, err, errlen,
		    "cannot set multicast time-to-live") < 0 ||
	     setopt(fd, IPPROTO_IP, IP_TTL, cfg->ttl, errnum, err, errlen,
		    "cannot set unicast time-to-live") < 0))
		return -1;
	if (cfg->debug) {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_DEBUG, &one, sizeof(one));   /* iputils ignores failure */
	}
	if (cfg->dontroute &&
	    setopt(fd, SOL_SOCKET, SO_DONTROUTE, 1, errnum, err, errlen, "SO_DONTROUTE") < 0)
		return -1;
	set_timeout(fd, cfg->interval_ms);
	if (cfg->connect) {
		struct sockaddr_in dst = sin_of(cfg->daddr, 0);

		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			return fail(errnum, err, errlen, "connect failed");
		s->connected = true;
	}
	return 0;
}

static int pick_ident(const struct pingsock_config *cfg, int fd)
{
	uint16_t r;

	if (cfg->ident >= 0)
		return cfg->ident;
	(void)fd;
	if (!cfg->raw)
		return -1;      /* the kernel's port; iputils does not show it */
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint16_t)getpid();
	return r;
}

/* The constant request; on the raw socket also the sum of its fill. */
static void build_request(struct pingsock *s, const struct pingsock_config *cfg)
{
	s->req[0] = T_ECHO;
	if (s->raw)
		put16(s->req + 4, (unsigned)s->ident);
	if (cfg->fill)
		memcpy(s->req + HDR, cfg->fill, cfg->payload_len);
	s->fill_sum = csum_add(0, s->req + HDR + s->stamp_len, cfg->payload_len - s->stamp_len);
}

struct pingsock *pingsock_open(const struct pingsock_config *cfg, int *errnum,
			       char *err, size_t errlen)
{
	struct pingsock *s;

	*errnum = 0;
	if (cfg->payload_len > PINGSOCK_PAYLOAD_MAX || cfg->ip_options_len > PINGSOCK_IPOPT_MAX) {
		*errnum = EINVAL;
		snprintf(err, errlen, "payload length %zu out of range 0..%d", cfg->payload_len,
			 PINGSOCK_PAYLOAD_MAX);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*errnum = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->raw = cfg->raw;
	s->broadcast = cfg->broadcast;
	s->daddr = cfg->daddr;
	s->payload_len = cfg->payload_len;
	s->stamp_len = cfg->payload_len >= PROBE_STAMP_LEN ? PROBE_STAMP_LEN : 0;
	s->rlen = IPHDR_MAX + HDR + cfg->payload_len + 576;   /* room for an error's quote */
	s->req = calloc(1, HDR + cfg->payload_len);
	s->rbuf = malloc(s->rlen);
	s->sent_ns = s->stamp_len ? NULL : calloc(SEQ_SLOTS, sizeof(uint64_t));
	s->fd = socket(AF_INET, (cfg->raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (!s->req || !s->rbuf || (!s->stamp_len && !s->sent_ns)) {
		*errnum = ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (s->fd < 0) {
		fail(errnum, err, errlen, cfg->raw ? "raw ICMP socket" : "ICMP datagram socket");
		goto out;
	}
	s->ident = pick_ident(cfg, s->fd);
	if (configure(s, cfg, errnum, err, errlen) < 0)
		goto out;
	if (vkey_random(&s->key) < 0) {
		fail(errnum, err, errlen, "getrandom");
		goto out;
	}
	build_request(s, cfg);
	return s;
out:
	pingsock_close(s);
	return NULL;
}

int pingsock_set_mark(struct pingsock *s, uint32_t mark)
{
	return setsockopt(s->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) == 0 ? 0 : errno;
}

int pingsock_fd(const struct pingsock *s)
{
	return s->fd;
}

int pingsock_ident(const struct pingsock *s)
{
	return s->ident;
}

int pingsock_send(struct pingsock *s, uint16_t probe)
{
	struct sockaddr_in dst = sin_of(s->daddr, 0);
	size_t len = HDR + s->payload_len;
	uint64_t ts = clock_realtime_ns();
	ssize_t n;

	put16(s->req + 6, (uint16_t)(probe + 1u));
	if (s->stamp_len)
		probe_payload_stamp(s->req + HDR, &s->key, s->daddr, ts, probe);
	else
		s->sent_ns[probe] = ts;
	if (s->raw) {
		uint32_t sum = s->fill_sum;

		put16(s->req + 2, 0);
		sum = csum_add(sum, s->req, HDR + s->stamp_len);
		put16(s->req + 2, csum_fold(sum));
	}
	if (s->connected)
		n = send(s->fd, s->req, len, 0);
	else
		n = sendto(s->fd, s->req, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	return n == (ssize_t)len ? 0 : (n < 0 ? errno : EMSGSIZE);
}

static void info_clear(struct pingsock_info *info)
{
	memset(info, 0, sizeof(*info));
	info->bad_byte = -1;
}

static void fill_base(struct es_result *res, const struct icmpsock_meta *m, uint32_t daddr)
{
	memset(res, 0, sizeof(*res));
	res->ts_ns = m->ts_ns;
	res->saddr = daddr;
	res->ttl = (uint8_t)m->ttl;
	res->rtt_ns = -1;
}

/* An error queue entry: a local error, or an ICMP error quoting our request. */
static int take_error(struct pingsock *s, size_t n, const struct sockaddr_in *target,
		      const struct icmpsock_meta *m, struct es_result *res,
		      struct pingsock_info *info)
{
	const uint8_t *q = s->rbuf;
	uint16_t probe;

	if (m->has_ee && m->ee_origin == SO_EE_ORIGIN_LOCAL) {
		info->local = true;
		info->local_errno = (int)m->ee_errno;
		info->local_mtu = m->ee_info;
		return 1;
	}
	if (!m->has_ee || m->ee_origin != SO_EE_ORIGIN_ICMP || n < HDR || q[0] != T_ECHO ||
	    ntohl(target->sin_addr.s_addr) != s->daddr ||
	    (s->raw && get16(q + 4) != (unsigned)s->ident))
		return 0;
	probe = (uint16_t)(get16(q + 6) - 1u);
	fill_base(res, m, s->daddr);
	if (s->stamp_len && n >= HDR + PROBE_STAMP_LEN) {
		res->rtt_ns = probe_payload_rtt(q + HDR, &s->key, s->daddr, probe, m->ts_ns);
		if (res->rtt_ns < 0)
			return 0;
	}
	res->responder = m->ee_offender;
	res->probe = probe;
	res->type = m->ee_type;
	res->code = m->ee_code;
	res->classification = m->ee_type == 3 ? ES_CLASS_UNREACH :
			      m->ee_type == 11 ? ES_CLASS_TIMXCEED : ES_CLASS_OTHER;
	res->info = m->ee_info;
	return 1;
}

/* A redirect or source quench on the raw socket quoting our request. */
static int take_notice(struct pingsock *s, const uint8_t *icmp, size_t n, uint32_t from,
		       const struct icmpsock_meta *m, struct es_result *res)
{
	const uint8_t *iph = icmp + HDR, *q;
	size_t ihl;

	if (n < HDR + 20 + HDR)
		return 0;
	ihl = (size_t)(iph[0] & 15) * 4;
	q = iph + ihl;
	if (ihl < 20 || n < HDR + ihl + HDR || q[0] != T_ECHO || get16(q + 4) != (unsigned)s->ident ||
	    ((uint32_t)iph[16] << 24 | (uint32_t)iph[17] << 16 | (uint32_t)iph[18] << 8 | iph[19]) != s->daddr)
		return 0;
	fill_base(res, m, s->daddr);
	res->responder = from;
	res->probe = (uint16_t)(get16(q + 6) - 1u);
	res->type = icmp[0];
	res->code = icmp[1];
	res->classification = ES_CLASS_OTHER;
	res->info = (uint32_t)icmp[4] << 24 | (uint32_t)icmp[5] << 16 | (uint32_t)icmp[6] << 8 | icmp[7];
	return 1;
}

/* The data bytes past the stamp against what was sent (iputils checks from
 * byte 16, after its timeval; ours carries the probe number up to 18). */
static void check_data(const struct pingsock *s, struct pingsock_info *info)
{
	size_t from = s->stamp_len ? PROBE_STAMP_LEN : 16;
	size_t end = info->data_len < s->payload_len ? info->data_len : s->payload_len;

	for (size_t i = from; i < end; i++) {
		if (info->data[i] != s->req[HDR + i]) {
			info->bad_byte = (int)i;
			info->bad_want = s->req[HDR + i];
			info->bad_got = info->data[i];
			return;
		}
	}
}

static int take_reply(struct pingsock *s, const uint8_t *icmp, size_t n, uint32_t from,
		      const struct icmpsock_meta *m, struct es_result *res,
		      struct pingsock_info *info)
{
	uint16_t probe;
	int64_t rtt = -1;

	if (n < HDR || (s->raw && get16(icmp + 4) != (unsigned)s->ident))
		return 0;
	if (icmp[0] != T_ECHOREPLY)
		return s->raw && (icmp[0] == T_QUENCH || icmp[0] == T_REDIRECT) ?
		       take_notice(s, icmp, n, from, m, res) : 0;
	if (from != s->daddr && !s->broadcast)
		return 0;
	probe = (uint16_t)(get16(icmp + 6) - 1u);
	info->data = icmp + HDR;
	info->data_len = n - HDR;
	info->icmp_len = n;
	info->truncated = n < HDR + s->payload_len;
	if (s->stamp_len && info->data_len >= PROBE_STAMP_LEN) {
		rtt = probe_payload_rtt(info->data, &s->key, s->daddr, probe, m->ts_ns);
		if (rtt < 0)
			return 0;       /* not our stamp: forged or another run's */
		info->timed = true;
	} else if (!s->stamp_len && s->sent_ns[probe]) {
		rtt = m->ts_ns > s->sent_ns[probe] ? (int64_t)(m->ts_ns - s->sent_ns[probe]) : 0;
		info->timed = true;
	} else if (!s->stamp_len) {
		return 0;               /* never sent */
	}
	check_data(s, info);
	fill_base(res, m, s->daddr);
	res->rtt_ns = rtt;
	res->responder = from;
	res->probe = probe;
	res->size = (uint16_t)(n + 20 > 65535 ? 65535 : n + 20);
	res->classification = ES_CLASS_ECHOREPLY;
	res->success = 1;
	return 1;
}

/* IP_RETOPTS on the datagram socket: the reply's options. */
static void read_retopts(struct pingsock *s, struct msghdr *msg, struct pingsock_info *info)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_RETOPTS) {
			size_t len = c->cmsg_len - CMSG_LEN(0);

			if (len > sizeof(s->opts))
				len = sizeof(s->opts);
			memcpy(s->opts, CMSG_DATA(c), len);
			info->ip_opts = s->opts;
			info->ip_opts_len = len;
		}
	}
}

/* Reads one message. Returns 1 (result), 0 (skipped), -1 (nothing), -2 (error). */
static int recv_one(struct pingsock *s, int flags, struct es_result *res,
		    struct pingsock_info *info, char *err, size_t errlen)
{
	struct sockaddr_in from;
	struct iovec iov = { s->rbuf, s->rlen };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = s->cbuf.buf, .msg_controllen = sizeof(s->cbuf.buf),
	};
	struct icmpsock_meta m;
	ssize_t n = recvmsg(s->fd, &msg, flags | MSG_DONTWAIT);
	uint32_t src;

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -1;
		snprintf(err, errlen, "recvmsg: %s", strerror(errno));
		return -2;
	}
	icmpsock_read_meta(&msg, &m);
	info_clear(info);
	if (flags & MSG_ERRQUEUE)
		return take_error(s, (size_t)n, &from, &m, res, info);
	src = ntohl(from.sin_addr.s_addr);
	if (s->raw) {
		size_t ihl = (size_t)(s->rbuf[0] & 15) * 4;

		if (ihl < 20 || (size_t)n < ihl + HDR)
			return 0;
		m.ttl = s->rbuf[8];
		memcpy(s->opts, s->rbuf + 20, ihl - 20);
		info->ip_opts = s->opts;
		info->ip_opts_len = ihl - 20;
		return take_reply(s, s->rbuf + ihl, (size_t)n - ihl, src, &m, res, info);
	}
	read_retopts(s, &msg, info);
	return take_reply(s, s->rbuf, (size_t)n, src, &m, res, info);
}

int pingsock_recv(struct pingsock *s, struct es_result *res, struct pingsock_info *info,
		  char *err, size_t errlen)
{
	for (int i = 0; i < RECV_TRIES; i++) {
		int rc = recv_one(s, MSG_ERRQUEUE, res, info, err, errlen);

		if (rc == -1)
			rc = recv_one(s, 0, res, info, err, errlen);
		if (rc == 1)
			return 1;
		if (rc == -1)
			return 0;
		if (rc == -2)
			return -1;
	}
	return 0;
}

void pingsock_close(struct pingsock *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->req);
	free(s->rbuf);
	free(s->sent_ns);
	free(s);
}
