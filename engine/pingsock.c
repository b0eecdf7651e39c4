/*
 * pingsock.c — echo requests through the kernel's IP layer (see pingsock.h).
 * The request is built once at open (header and iputils' fill); each send
 * stamps the sequence number and, when the payload has room, the send time,
 * MAC and probe number; on the raw IPv4 socket the checksum is the
 * precomputed sum of the constant bytes plus the stamped ones (the kernel
 * fills ICMPv6 checksums itself, raw or not). Replies and errors are read
 * with recvmsg and their control messages into buffers allocated at open.
 * IPv6 differs in the socket (AF_INET6, IPPROTO_ICMPV6), its options
 * (IPV6_*), the types (128/129) and the stamp's MAC (over the 16-byte
 * address); raw ICMPv6 sockets get no IP header, so both kinds read alike.
 */
#include "engine/pingsock.h"

#include <errno.h>
#include <time.h>            /* before errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/csum.h"
#include "engine/errcode.h"
#include "engine/icmpsock.h"
#include "engine/probe.h"
#include "engine/probe6.h"
#include "engine/validate.h"

#define HDR          8                       /* ICMP echo header */
#define IPHDR_MAX    60
#define RECV_TRIES   64
#define SEQ_SLOTS    65536u

enum { T_ECHOREPLY = 0, T_QUENCH = 4, T_REDIRECT = 5, T_ECHO = 8 };
enum { T6_UNREACH = 1, T6_TIMXCEED = 3, T6_ECHO = 128, T6_ECHOREPLY = 129 };

struct pingsock {
	int fd;
	bool raw, broadcast, connected;
	bool v6;                     /* ICMPv6 over an AF_INET6 socket */
	uint32_t flowinfo;           /* IPv6: sin6_flowinfo of every send (network order) */
	int ident;
	uint32_t daddr;
	uint8_t daddr6[16];
	size_t payload_len;
	size_t stamp_len;            /* PROBE_STAMP_LEN, or 0 for small payloads */
	uint32_t fill_sum;           /* raw: sum of the bytes after the stamp */
	struct vkey key;
	uint64_t *sent_ns;           /* send time per sequence slot: small payloads'
	                              * replies, and errors whose quote is too short
	                              * for the stamp */
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

static struct sockaddr_in6 sin6_of(const uint8_t addr[16], uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	memcpy(&sa.sin6_addr, addr, 16);
	return sa;
}

/* The destination (port 0) as a socket address for s's family. */
static socklen_t dst_of(const struct pingsock *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (s->v6) {
		struct sockaddr_in6 d = sin6_of(s->daddr6, 0);

		d.sin6_flowinfo = s->flowinfo;
		memcpy(ss, &d, sizeof(d));
		return sizeof(d);
	}
	struct sockaddr_in d = sin_of(s->daddr, 0);

	memcpy(ss, &d, sizeof(d));
	return sizeof(d);
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

/* The socket-level options both families set last, as iputils does: -d,
 * -r and the send timeout. */
static int set_socket_level(int fd, const struct pingsock_config *cfg, int *errnum,
			    char *err, size_t errlen)
{
	if (cfg->debug) {
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_DEBUG, &one, sizeof(one));   /* iputils ignores failure */
	}
	if (cfg->dontroute &&
	    setopt(fd, SOL_SOCKET, SO_DONTROUTE, 1, errnum, err, errlen, "SO_DONTROUTE") < 0)
		return -1;
	set_timeout(fd, cfg->interval_ms);
	return 0;
}

/* The IPv6 socket's options, as iputils' ping6_run sets them. */
/* The flow label manager's request (linux/in6.h's in6_flowlabel_req, whose
 * header clashes with glibc's netinet/in.h). */
struct flowlabel_req {
	struct in6_addr flr_dst;
	uint32_t flr_label;
	uint8_t flr_action, flr_share;
	uint16_t flr_flags, flr_expires, flr_linger;
	uint32_t pad;
};
enum { FLOWLABEL_MGR = 32, FLOWINFO_SEND = 33, FL_A_GET = 0, FL_F_CREATE = 1, FL_S_EXCL = 1 };

/* iputils' -F: an exclusive flow label for the destination, sent with
 * every probe. */
static int set_flowlabel(struct pingsock *s, const struct pingsock_config *cfg,
			 int *errnum, char *err, size_t errlen)
{
	struct flowlabel_req r = {
		.flr_label = htonl(cfg->flowlabel & 0xfffff), .flr_action = FL_A_GET,
		.flr_flags = FL_F_CREATE, .flr_share = FL_S_EXCL,
	};

	memcpy(&r.flr_dst, cfg->daddr6, 16);
	if (setsockopt(s->fd, IPPROTO_IPV6, FLOWLABEL_MGR, &r, sizeof(r)) < 0) {
		fail(errnum, err, errlen, "can't set flowlabel");
		/* EPERM here: the label is another socket's (exclusive, or
		 * lingering a few seconds after it closed), not a privilege */
		*errnum = EINVAL;
		return -1;
	}
	s->flowinfo = r.flr_label;
	return setopt(s->fd, IPPROTO_IPV6, FLOWINFO_SEND, 1, errnum, err, errlen,
		      "can't send flowinfo");
}

static int configure6(struct pingsock *s, const struct pingsock_config *cfg,
		      int *errnum, char *err, size_t errlen)
{
	int fd = s->fd;

	if (setopt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1, errnum, err, errlen, "IPV6_RECVERR") < 0 ||
	    setopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, errnum, err, errlen, "SO_TIMESTAMPNS") < 0 ||
	    setopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, errnum, err, errlen,
		   "can't receive hop limit") < 0)
		return -1;
	if (cfg->raw) {
		/* echo replies only: errors come through IPV6_RECVERR */
		struct icmp6_filter filt;

		ICMP6_FILTER_SETBLOCKALL(&filt);
		ICMP6_FILTER_SETPASS(T6_ECHOREPLY, &filt);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0)
			return fail(errnum, err, errlen, "setsockopt(ICMP6_FILTER)");
	}
	if (cfg->ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->ifname,
				      (socklen_t)strlen(cfg->ifname) + 1) < 0)
		return fail(errnum, err, errlen, cfg->ifname);
	if (cfg->pmtudisc >= 0 && setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, cfg->pmtudisc,
					 errnum, err, errlen, "IPV6_MTU_DISCOVER") < 0)
		return -1;
	if (cfg->has_saddr6 || (!cfg->raw && cfg->ident > 0)) {
		static const uint8_t any[16];
		struct sockaddr_in6 src = sin6_of(cfg->has_saddr6 ? cfg->saddr6 : any,
						  cfg->raw || cfg->ident < 0 ? 0 : (uint16_t)cfg->ident);

		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail(errnum, err, errlen, "bind icmp socket");
	}
	set_buffers(fd, cfg);
	if (cfg->noloop && setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, errnum, err, errlen,
				  "can't disable multicast loopback") < 0)
		return -1;
	if (cfg->ttl > 0 &&
	    (setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, cfg->ttl, errnum, err, errlen,
		    "can't set multicast hop limit") < 0 ||
	     setopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, cfg->ttl, errnum, err, errlen,
		    "can't set unicast hop limit") < 0))
		return -1;
	if (cfg->tos > 0 && setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, cfg->tos, errnum, err, errlen,
				   "setsockopt(IPV6_TCLASS)") < 0)
		return -1;
	if (cfg->flowinfo && set_flowlabel(s, cfg, errnum, err, errlen) < 0)
		return -1;
	if (set_socket_level(fd, cfg, errnum, err, errlen) < 0)
		return -1;
	if (cfg->connect) {
		struct sockaddr_in6 dst = sin6_of(cfg->daddr6, 0);

		dst.sin6_flowinfo = s->flowinfo;
		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			return fail(errnum, err, errlen, "connect failed");
		s->connected = true;
	}
	return 0;
}

static int configure(struct pingsock *s, const struct pingsock_config *cfg,
		     int *errnum, char *err, size_t errlen)
{
	int fd = s->fd;

	if (s->v6)
		return configure6(s, cfg, errnum, err, errlen);

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
	if (set_socket_level(fd, cfg, errnum, err, errlen) < 0)
		return -1;
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
	s->req[0] = s->v6 ? T6_ECHO : T_ECHO;
	if (s->raw)
		put16(s->req + 4, (unsigned)s->ident);
	if (cfg->fill)
		memcpy(s->req + HDR, cfg->fill, cfg->payload_len);
	s->fill_sum = csum_add(0, s->req + HDR + s->stamp_len, cfg->payload_len - s->stamp_len);
}

/* The public code for a failed open: the socket call itself refused
 * (EACCES/EPERM: a privilege; EAFNOSUPPORT/EPROTONOSUPPORT: no such socket
 * here), else what the failing option call's errno maps to. */
static int open_code(int errnum, bool at_socket)
{
	if (at_socket && (errnum == EACCES || errnum == EPERM))
		return ES_EPERM;
	if (errnum == ENODEV)
		return ES_ENODEV;
	return es_errno_code(errnum);
}

int pingsock_open(const struct pingsock_config *cfg, struct pingsock **out,
		  char *err, size_t errlen)
{
	struct pingsock *s;
	int errnum = 0, code;
	bool v6 = cfg->family == 6;

	*out = NULL;
	if (cfg->payload_len > PINGSOCK_PAYLOAD_MAX || cfg->ip_options_len > PINGSOCK_IPOPT_MAX ||
	    (v6 && cfg->ip_options_len)) {
		snprintf(err, errlen, "payload length %zu out of range 0..%d", cfg->payload_len,
			 PINGSOCK_PAYLOAD_MAX);
		if (v6 && cfg->ip_options_len)
			snprintf(err, errlen, "IP options (-R, -T) are IPv4 only");
		return ES_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	s->raw = cfg->raw;
	s->v6 = v6;
	s->broadcast = cfg->broadcast;
	s->daddr = cfg->daddr;
	memcpy(s->daddr6, cfg->daddr6, 16);
	s->payload_len = cfg->payload_len;
	s->stamp_len = cfg->payload_len >= PROBE_STAMP_LEN ? PROBE_STAMP_LEN : 0;
	s->rlen = IPHDR_MAX + HDR + cfg->payload_len + 576;   /* room for an error's quote */
	s->req = calloc(1, HDR + cfg->payload_len);
	s->rbuf = malloc(s->rlen);
	s->sent_ns = calloc(SEQ_SLOTS, sizeof(uint64_t));
	s->fd = socket(v6 ? AF_INET6 : AF_INET, (cfg->raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC,
		       v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (!s->req || !s->rbuf || !s->sent_ns) {
		snprintf(err, errlen, "out of memory");
		code = ES_ENOMEM;
		goto out;
	}
	if (s->fd < 0) {
		fail(&errnum, err, errlen, cfg->raw ? (v6 ? "raw ICMPv6 socket" : "raw ICMP socket")
			: (v6 ? "ICMPv6 datagram socket" : "ICMP datagram socket"));
		code = open_code(errnum, true);
		goto out;
	}
	s->ident = pick_ident(cfg, s->fd);
	if (configure(s, cfg, &errnum, err, errlen) < 0) {
		code = open_code(errnum, false);
		goto out;
	}
	if (vkey_random(&s->key) < 0) {
		fail(&errnum, err, errlen, "getrandom");
		code = ES_ESYS;
		goto out;
	}
	build_request(s, cfg);
	*out = s;
	return ES_OK;
out:
	pingsock_close(s);
	return code;
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

int pingsock_set_hoplimit(struct pingsock *s, int ttl)
{
	int rc = s->v6 ? setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) :
			 setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));

	return rc == 0 ? 0 : errno;
}

uint32_t pingsock_flowlabel(const struct pingsock *s)
{
	return ntohl(s->flowinfo) & 0xfffff;
}

int pingsock_send(struct pingsock *s, uint16_t probe)
{
	struct sockaddr_storage dst;
	socklen_t dlen = dst_of(s, &dst);
	size_t len = HDR + s->payload_len;
	uint64_t ts = clock_realtime_ns();
	ssize_t n;

	put16(s->req + 6, (uint16_t)(probe + 1u));
	if (s->stamp_len && s->v6)
		probe6_payload_stamp(s->req + HDR, &s->key, s->daddr6, ts, probe);
	else if (s->stamp_len)
		probe_payload_stamp(s->req + HDR, &s->key, s->daddr, ts, probe);
	s->sent_ns[probe] = ts;
	if (s->raw && !s->v6) {
		uint32_t sum = s->fill_sum;

		put16(s->req + 2, 0);
		sum = csum_add(sum, s->req, HDR + s->stamp_len);
		put16(s->req + 2, csum_fold(sum));
	}
	if (s->connected)
		n = send(s->fd, s->req, len, 0);
	else
		n = sendto(s->fd, s->req, len, 0, (struct sockaddr *)&dst, dlen);
	return n == (ssize_t)len ? 0 : (n < 0 ? errno : EMSGSIZE);
}

static void info_clear(struct pingsock_info *info)
{
	memset(info, 0, sizeof(*info));
	info->bad_byte = -1;
}

static void fill_base(const struct pingsock *s, struct es_result *res,
		      const struct icmpsock_meta *m)
{
	memset(res, 0, sizeof(*res));
	res->ts_ns = m->ts_ns;
	res->ttl = (uint8_t)m->ttl;
	res->rtt_ns = -1;
	if (s->v6) {
		res->family = ES_AF6;
		res->saddr6 = es_addr_v6(s->daddr6);
	} else {
		res->saddr = s->daddr;
	}
}

/* The stamp's check for s's family: the RTT, or -1 when the MAC fails. */
static int64_t stamp_rtt(const struct pingsock *s, const uint8_t *pl, uint16_t probe,
			 uint64_t now_ns)
{
	if (s->v6)
		return probe6_payload_rtt(pl, &s->key, s->daddr6, probe, now_ns);
	return probe_payload_rtt(pl, &s->key, s->daddr, probe, now_ns);
}

/* The RTT of an error quoting request `probe` (q: the quoted ICMP header,
 * n bytes): from the stamp when the quote carries it (-2 when its MAC
 * fails), else from the send time kept by sequence (-1: never sent). */
static int64_t error_rtt(const struct pingsock *s, const uint8_t *q, size_t n, uint16_t probe,
			 uint64_t now_ns)
{
	int64_t rtt;

	if (s->stamp_len && n >= HDR + PROBE_STAMP_LEN) {
		rtt = stamp_rtt(s, q + HDR, probe, now_ns);
		return rtt < 0 ? -2 : rtt;
	}
	if (!s->sent_ns[probe])
		return -1;
	return now_ns > s->sent_ns[probe] ? (int64_t)(now_ns - s->sent_ns[probe]) : 0;
}

/* An ICMPv6 error queue entry quoting our request (the local ones are
 * handled by take_error). */
static int take_error6(struct pingsock *s, size_t n, const struct sockaddr_in6 *target,
		       const struct icmpsock_meta *m, struct es_result *res)
{
	const uint8_t *q = s->rbuf;
	uint16_t probe;

	if (!m->has_ee || m->ee_origin != SO_EE_ORIGIN_ICMP6 || n < HDR || q[0] != T6_ECHO ||
	    target->sin6_family != AF_INET6 || memcmp(&target->sin6_addr, s->daddr6, 16) != 0 ||
	    (s->raw && get16(q + 4) != (unsigned)s->ident))
		return 0;
	probe = (uint16_t)(get16(q + 6) - 1u);
	fill_base(s, res, m);
	if ((res->rtt_ns = error_rtt(s, q, n, probe, m->ts_ns)) == -2)
		return 0;
	if (m->has_offender6)
		res->responder6 = es_addr_v6(m->ee_offender6);
	res->probe = probe;
	res->type = m->ee_type;
	res->code = m->ee_code;
	res->classification = m->ee_type == T6_UNREACH ? ES_CLASS_UNREACH :
			      m->ee_type == T6_TIMXCEED ? ES_CLASS_TIMXCEED : ES_CLASS_OTHER;
	res->info = m->ee_info;
	return 1;
}

/* An error queue entry: a local error, or an ICMP error quoting our request. */
static int take_error(struct pingsock *s, size_t n, const struct sockaddr_storage *from,
		      const struct icmpsock_meta *m, struct es_result *res,
		      struct pingsock_info *info)
{
	const struct sockaddr_in *target = (const struct sockaddr_in *)from;
	const uint8_t *q = s->rbuf;
	uint16_t probe;

	if (m->has_ee && m->ee_origin == SO_EE_ORIGIN_LOCAL) {
		info->local = true;
		info->local_errno = (int)m->ee_errno;
		info->local_mtu = m->ee_info;
		return 1;
	}
	if (s->v6)
		return take_error6(s, n, (const struct sockaddr_in6 *)from, m, res);
	if (!m->has_ee || m->ee_origin != SO_EE_ORIGIN_ICMP || n < HDR || q[0] != T_ECHO ||
	    ntohl(target->sin_addr.s_addr) != s->daddr ||
	    (s->raw && get16(q + 4) != (unsigned)s->ident))
		return 0;
	probe = (uint16_t)(get16(q + 6) - 1u);
	fill_base(s, res, m);
	if ((res->rtt_ns = error_rtt(s, q, n, probe, m->ts_ns)) == -2)
		return 0;
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
	fill_base(s, res, m);
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

/* Whether a reply's source is the host pinged. */
static bool from_target(const struct pingsock *s, const struct sockaddr_storage *from)
{
	if (s->v6)
		return from->ss_family == AF_INET6 &&
		       memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr, s->daddr6, 16) == 0;
	return from->ss_family == AF_INET &&
	       ntohl(((const struct sockaddr_in *)from)->sin_addr.s_addr) == s->daddr;
}

static int take_reply(struct pingsock *s, const uint8_t *icmp, size_t n,
		      const struct sockaddr_storage *fromsa, const struct icmpsock_meta *m,
		      struct es_result *res, struct pingsock_info *info)
{
	uint32_t from = fromsa->ss_family == AF_INET ?
		ntohl(((const struct sockaddr_in *)fromsa)->sin_addr.s_addr) : 0;
	uint16_t probe;
	int64_t rtt = -1;

	if (n < HDR || (s->raw && get16(icmp + 4) != (unsigned)s->ident))
		return 0;
	if (icmp[0] != (s->v6 ? T6_ECHOREPLY : T_ECHOREPLY))
		return s->raw && !s->v6 && (icmp[0] == T_QUENCH || icmp[0] == T_REDIRECT) ?
		       take_notice(s, icmp, n, from, m, res) : 0;
	if (!from_target(s, fromsa) && !s->broadcast)
		return 0;
	probe = (uint16_t)(get16(icmp + 6) - 1u);
	info->data = icmp + HDR;
	info->data_len = n - HDR;
	info->icmp_len = n;
	info->truncated = n < HDR + s->payload_len;
	if (s->stamp_len && info->data_len >= PROBE_STAMP_LEN) {
		rtt = stamp_rtt(s, info->data, probe, m->ts_ns);
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
	fill_base(s, res, m);
	res->rtt_ns = rtt;
	res->responder = from;
	if (s->v6)
		res->responder6 = es_addr_v6(((const struct sockaddr_in6 *)fromsa)->sin6_addr.s6_addr);
	res->probe = probe;
	res->size = (uint16_t)(n + (s->v6 ? 40 : 20) > 65535 ? 65535 : n + (s->v6 ? 40 : 20));
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
	struct sockaddr_storage from;
	struct iovec iov = { s->rbuf, s->rlen };
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
	info_clear(info);
	if (flags & MSG_ERRQUEUE)
		return take_error(s, (size_t)n, &from, &m, res, info);
	if (s->v6)        /* raw or not, ICMPv6 sockets read no IP header */
		return take_reply(s, s->rbuf, (size_t)n, &from, &m, res, info);
	if (s->raw) {
		size_t ihl = (size_t)(s->rbuf[0] & 15) * 4;

		if (ihl < 20 || (size_t)n < ihl + HDR)
			return 0;
		m.ttl = s->rbuf[8];
		memcpy(s->opts, s->rbuf + 20, ihl - 20);
		info->ip_opts = s->opts;
		info->ip_opts_len = ihl - 20;
		return take_reply(s, s->rbuf + ihl, (size_t)n - ihl, &from, &m, res, info);
	}
	read_retopts(s, &msg, info);
	return take_reply(s, s->rbuf, (size_t)n, &from, &m, res, info);
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
