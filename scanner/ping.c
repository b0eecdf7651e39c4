/*
 * ping.c — `echoscan ping [options] HOST` (see ping.h): iputils ping's
 * behaviour and output over the public API's kernel echo socket (level 3,
 * es_socket_* in echoscan.h; this file includes nothing from engine/).
 *
 * One path for everyone, IPv4 and IPv6, chosen as iputils chooses: the ICMP
 * (or ICMPv6) datagram socket where net.ipv4.ping_group_range allows it and
 * the identifier is not 0, else the raw socket (CAP_NET_RAW); privileges
 * are dropped once it is open. The socket's stamp (send time, keyed MAC,
 * probe number) validates replies; this thread drives it with poll() and
 * iputils' send schedule (ping_sched.c). For one host at ping's rates the
 * scan engine's packet rings gain nothing and cost ~40 ms at close (RCU
 * grace periods of packet sockets), so ping does not use them.
 * The end rules are iputils': with -c, stop when replies + errors reach the
 * count, or after the last probe wait max(2 x slowest RTT, interval) when
 * something answered, else -W; -w stops at the deadline (and at the first
 * ICMP error); SIGINT (and TERM, HUP) stops at once. Everything printed goes through
 * ping_fmt.c, so the text is iputils' text.
 */
#include "scanner/ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <echoscan.h>

#include "scanner/ping_fmt.h"
#include "scanner/ping_opts.h"
#include "scanner/ping_sched.h"
#include "scanner/privs.h"
#include "scanner/targets.h"
#include "scanner/version.h"

#define MS                 1000000ull
#define LINE_MAX_LEN       512
#define SOCK_PROBES        65536u      /* probe = n mod 65536 */
#define NAME_SLOTS         8
#define ADDR_TEXT_MAX      (NI_MAXHOST + INET6_ADDRSTRLEN + 4)

#define NO_PRIV_MSG "needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep echoscan) " \
	"or an ICMP datagram socket (allow your group: " \
	"sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The schedule's clock, and the receive stamps' (ns since the epoch). */
static uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* The only state signal handlers touch. */
static volatile sig_atomic_t ping_interrupted;
static volatile sig_atomic_t ping_status_wanted;

static void on_sigint(int sig)
{
	(void)sig;
	ping_interrupted = 1;
}

static void on_sigquit(int sig)
{
	(void)sig;
	ping_status_wanted = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };   /* no SA_RESTART: wake poll */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	/* TERM and a hang-up (closed terminal, ssh drop) end like INT: the
	 * statistics are printed, not lost */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_sigquit;
	sigaction(SIGQUIT, &sa, NULL);
}

/* Reply names: a few recent lookups (a flood or a broadcast answers from
 * few addresses; iputils looks every reply up). */
struct name_cache {
	struct es_addr addr[NAME_SLOTS];
	bool used[NAME_SLOTS];
	char text[NAME_SLOTS][ADDR_TEXT_MAX];
	unsigned next;
};

struct ping {
	struct ping_opts o;
	uint32_t daddr;                    /* host order */
	bool v6;                           /* ICMPv6 to daddr6 */
	uint8_t daddr6[16];
	uint8_t saddr6[16];                /* IPv6: -I ADDR, else the route probe's source */
	char host[NI_MAXHOST];             /* as shown in PING and --- lines */
	char addr[INET6_ADDRSTRLEN];
	bool root;                         /* real uid 0 at start (privileges drop later) */
	struct ping_stats st;
	uint64_t start_ns, last_send_ns;   /* monotonic */
	uint64_t linger_end_ns;            /* 0: not armed */
	uint64_t cutoff_rt_ns;             /* ended by a timer: later replies do not count */
	uint8_t rcvd[65536 / 8];           /* probes answered by a reply (DUP!, -O) */
	es_socket *sock;
	struct es_reply reply;             /* the last result taken */
	struct es_socket_extra ex;         /* what it carried beyond es_reply */
	unsigned nprobes;                  /* probe numbers wrap at this */
	struct ping_sched sched;
	bool numeric;                      /* no reply names (-n, -f, numeric HOST) */
	bool multicast;                    /* broadcast or multicast HOST: no (DUP!) */
	bool timing;                       /* payload of 16 bytes or more: times shown */
	bool exiting;                      /* no more name lookups */
	int screen_width;                  /* columns of a terminal on stdout, else INT_MAX */
	uint8_t *fill;                     /* the payload as iputils fills it */
	uint8_t ipopts[40];
	size_t ipopts_len;
	struct ping_rr_memo rr_memo;
	struct name_cache names;
};

/* ---- output ------------------------------------------------------------ */

static void ip_str(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static void print_stamp(const struct ping *p)
{
	if (p->o.timestamps) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		printf("[%lu.%06lu] ", (unsigned long)tv.tv_sec, (unsigned long)tv.tv_usec);
	}
}

static void print_line(const struct ping *p, const char *line)
{
	print_stamp(p);
	printf("%s\n", line);
	fflush(stdout);
}

/* iputils' pr_addr(): "name (addr)" from a reverse lookup (the address
 * itself when there is no name), or "addr" with numeric output. */
static const char *addr_text_any(struct ping *p, const struct es_addr *a)
{
	struct name_cache *c = &p->names;
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;
	char ip[INET6_ADDRSTRLEN], name[NI_MAXHOST];
	unsigned slot;

	for (unsigned i = 0; i < NAME_SLOTS; i++)
		if (c->used[i] && memcmp(&c->addr[i], a, sizeof(*a)) == 0)
			return c->text[i];
	slot = c->next++ % NAME_SLOTS;
	if (a->family == 6) {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;

		sa->sin6_family = AF_INET6;
		memcpy(&sa->sin6_addr, a->bytes, 16);
		sslen = sizeof(*sa);
		inet_ntop(AF_INET6, a->bytes, ip, sizeof(ip));   /* iputils: the same text */
	} else {
		struct sockaddr_in *sa = (struct sockaddr_in *)&ss;

		sa->sin_family = AF_INET;
		memcpy(&sa->sin_addr, a->bytes, 4);
		sslen = sizeof(*sa);
		inet_ntop(AF_INET, a->bytes, ip, sizeof(ip));
	}
	if (p->numeric || p->exiting ||
	    getnameinfo((struct sockaddr *)&ss, sslen, name, sizeof(name), NULL, 0, 0) != 0)
		snprintf(c->text[slot], sizeof(c->text[slot]), "%s", ip);
	else
		snprintf(c->text[slot], sizeof(c->text[slot]), "%s (%s)", name, ip);
	/* numeric text is not cached: -n may not be known yet, and it is cheap */
	c->used[slot] = !p->numeric && !p->exiting;
	c->addr[slot] = *a;
	return c->text[slot];
}

static const char *addr_text(struct ping *p, uint32_t a)
{
	struct es_addr e = { .family = 4 };
	uint32_t n = htonl(a);

	memcpy(e.bytes, &n, 4);
	return addr_text_any(p, &e);
}

/* Who sent a result. */
static const char *responder_text(struct ping *p, const struct es_reply *r)
{
	return addr_text_any(p, &r->responder);
}

static const char *addr_cb(void *ctx, uint32_t a)
{
	return addr_text(ctx, a);
}

static void print_flood(const char *s)
{
	fputs(s, stdout);
	fflush(stdout);
}

static void print_status(const struct ping *p)
{
	char line[LINE_MAX_LEN];

	ping_status_wanted = 0;
	ping_fmt_status(line, sizeof(line), &p->st);
	fprintf(stderr, "\r%s\n", line);
}

/* ---- events ------------------------------------------------------------ */

static uint16_t probe_of(const struct ping *p, long nth)
{
	return (uint16_t)((unsigned long)nth % p->nprobes);
}

static bool rcvd_test(const struct ping *p, uint16_t probe)
{
	return p->rcvd[probe >> 3] >> (probe & 7) & 1;
}

static void rcvd_set(struct ping *p, uint16_t probe, bool on)
{
	if (on)
		p->rcvd[probe >> 3] |= (uint8_t)(1u << (probe & 7));
	else
		p->rcvd[probe >> 3] &= (uint8_t)~(1u << (probe & 7));
}

/* The icmp_seq iputils would show for a reply to this probe number. */
static unsigned seq_of(const struct ping *p, uint16_t probe)
{
	return ping_seq_of(p->st.ntransmitted, probe, p->nprobes);   /* see probe_of */
}

/* A probe went out (the nth, counted from 0). */
static void on_send(struct ping *p, uint64_t now)
{
	if (p->o.outstanding && p->st.ntransmitted > 0 &&
	    !rcvd_test(p, probe_of(p, p->st.ntransmitted - 1))) {
		char line[64];

		snprintf(line, sizeof(line), "no answer yet for icmp_seq=%ld",
			 p->st.ntransmitted % 65536);
		print_line(p, line);
	}
	rcvd_set(p, probe_of(p, p->st.ntransmitted), false);
	p->st.ntransmitted++;
	ping_sched_sent(&p->sched);
	p->last_send_ns = now;
	/* iputils: no more dots once more probes are in flight than the
	 * terminal is wide (the backspaces could not reach them) */
	if (p->o.flood && !p->o.quiet &&
	    ((p->o.preload < p->screen_width && p->sched.pipesize < p->screen_width) ||
	     ping_sched_in_flight(&p->sched, p->st.nreceived, p->st.nerrors) < p->screen_width))
		print_flood(".");
}

/* The RTT in microseconds: the kernel's receive stamp minus the send time,
 * or with -U ping's own clock now instead of the receive stamp (iputils'
 * user-to-user latency). */
static long reply_us(const struct ping *p, const struct es_reply *r)
{
	if (r->rtt_ns < 0)
		return 0;
	if (p->o.latency) {
		int64_t sent = (int64_t)r->ts_ns - r->rtt_ns;
		int64_t now = (int64_t)realtime_ns();

		return now > sent ? (long)((now - sent) / 1000) : 0;
	}
	return (long)(r->rtt_ns / 1000);
}

/* iputils' "wrong data byte" report and the dump of the data from byte 16. */
static void print_bad_data(const struct ping *p, const struct es_socket_extra *in)
{
	size_t end = p->o.size < in->data_len ? p->o.size : in->data_len;

	printf("\nwrong data byte #%d should be 0x%x but was 0x%x", in->bad_byte,
	       in->bad_want, in->bad_got);
	for (size_t i = 16; i < end; i++) {
		if (i % 32 == 16)
			printf("\n#%zu\t", i);
		printf("%x ", in->data[i]);
	}
}

/* Notes an answer to icmp_seq `seq` (iputils' acknowledge: pipe size, in flight). */
static void ack(struct ping *p, unsigned seq)
{
	ping_sched_ack(&p->sched, (uint16_t)seq);
	p->st.pipesize = p->sched.pipesize;
}

static void on_reply(struct ping *p, const struct es_reply *r, const struct es_socket_extra *in)
{
	long us = reply_us(p, r);
	bool timed = p->timing && in->timed;
	/* iputils' table: a probe's bit is cleared when it is sent and set by
	 * its first reply, so it stays right when probe numbers wrap */
	bool dup = rcvd_test(p, r->probe);
	unsigned seq = seq_of(p, r->probe);
	char line[LINE_MAX_LEN], opts[4096];
	struct ping_reply_line rl = {
		.bytes = (unsigned)in->icmp_len,
		.seq = seq, .ident = p->o.verbose ? es_socket_ident(p->sock) : -1,
		.ttl = r->ttl, .timed = timed, .us = us,
		.dup = dup && (!p->multicast || p->o.verbose), .truncated = in->truncated,
	};

	ack(p, seq);
	if (timed) {
		ping_stats_add_rtt(&p->st, us);
		if (p->o.adaptive)
			ping_sched_adapt(&p->sched, p->st.ewma8);
	}
	if (dup) {
		p->st.nrepeats++;
	} else {
		p->st.nreceived++;
		rcvd_set(p, r->probe, true);
	}
	if (p->o.quiet)
		return;
	if (p->o.flood) {
		print_flood(p->o.audible ? "\b \b\a" : "\b \b");
		return;
	}
	rl.from = responder_text(p, r);
	ping_fmt_reply_line(line, sizeof(line), &rl);
	print_stamp(p);
	fputs(line, stdout);
	if (!rl.truncated) {
		if (in->bad_byte >= 0)
			print_bad_data(p, in);
		if (p->o.audible)          /* iputils: the bell ends the line, before '\n' */
			putchar('\a');
		opts[0] = '\0';
		if (in->ip_options_len)
			ping_fmt_ipopts(opts, sizeof(opts), in->ip_options, in->ip_options_len,
					&p->rr_memo, p->o.flood, addr_cb, p);
		fputs(opts, stdout);
	}
	putchar('\n');
	fflush(stdout);
}

static void on_error(struct ping *p, const struct es_reply *r)
{
	char from[ADDR_TEXT_MAX], line[LINE_MAX_LEN + ADDR_TEXT_MAX];
	/* IPv4 quench, redirect: notes only (ICMPv6 4 is a parameter problem) */
	bool counted = p->v6 || (r->type != 4 && r->type != 5);

	if (!counted) {
		char what[128];

		if (p->o.quiet || p->o.flood)
			return;
		ping_fmt_icmp(what, sizeof(what), r->type, r->code, r->info);
		snprintf(line, sizeof(line), "From %s: icmp_seq=%u %s", responder_text(p, r),
			 seq_of(p, r->probe), what);
		print_line(p, line);
		return;
	}
	ack(p, seq_of(p, r->probe));
	p->st.nerrors++;
	if (p->o.quiet)
		return;
	if (p->o.flood) {
		print_flood("\bE");
		return;
	}
	snprintf(from, sizeof(from), "%s", responder_text(p, r));
	if (p->v6)
		ping_fmt_error6(line, sizeof(line), from, seq_of(p, r->probe), r->type, r->code,
				r->info);
	else
		ping_fmt_error(line, sizeof(line), from, seq_of(p, r->probe), r->type, r->code,
			       r->info);
	print_line(p, line);
}

static void on_result(struct ping *p, const struct es_reply *r, const struct es_socket_extra *in)
{
	if (p->cutoff_rt_ns && r->ts_ns > p->cutoff_rt_ns)
		return;
	if (r->classification == ES_CLASS_ECHOREPLY)
		on_reply(p, r, in);
	else
		on_error(p, r);
}

/* ---- when to end --------------------------------------------------------- */

/* Ends that do not wait for anything more. */
static bool done_now(const struct ping *p)
{
	const struct ping_stats *st = &p->st;

	return ping_interrupted ||
	       (p->o.count && (uint64_t)(st->nreceived + st->nerrors) >= p->o.count) ||
	       (p->o.deadline_ns && st->nerrors);
}

/* After the last probe (iputils' linger): twice the slowest reply or one
 * interval once something answered, else -W; from `base`, a time when the
 * last probe had certainly left. */
static void arm_linger(struct ping *p, uint64_t base)
{
	uint64_t wait = p->o.linger_ns;

	if (p->linger_end_ns || p->o.deadline_ns)
		return;
	if (p->st.nreceived) {
		/* the interval now: -A changes it */
		uint64_t interval = (uint64_t)p->sched.interval_ms * MS;

		wait = 2 * (uint64_t)p->st.tmax * 1000;
		if (wait < interval)
			wait = interval;
	}
	p->linger_end_ns = base + wait;
}


/* The earliest timer end (linger or deadline), or UINT64_MAX. */
static uint64_t timer_end(const struct ping *p)
{
	uint64_t end = p->linger_end_ns ? p->linger_end_ns : UINT64_MAX;

	if (p->o.deadline_ns && p->start_ns + p->o.deadline_ns < end)
		end = p->start_ns + p->o.deadline_ns;
	return end;
}

static bool should_end(struct ping *p, uint64_t now)
{
	if (done_now(p))
		return true;
	if (now >= timer_end(p)) {
		p->cutoff_rt_ns = realtime_ns();
		return true;
	}
	return false;
}

/* ---- the socket: raw ICMP or datagram ---------------------------------- */

/* iputils' words for a local error (EMSGSIZE: -M do over the MTU). */
static void on_local_error(struct ping *p, const struct es_socket_extra *in)
{
	p->st.nerrors++;
	if (p->o.quiet)
		return;
	if (p->o.flood)
		print_flood("E");
	else if (in->local_errno == EMSGSIZE)
		fprintf(stderr, p->v6 ? "echoscan ping: local error: message too long, mtu: %u\n"
			: "echoscan ping: local error: message too long, mtu=%u\n",
			(unsigned)in->local_mtu);
	else
		fprintf(stderr, "echoscan ping: local error: %s\n", strerror(in->local_errno));
}

/* Takes one pending result; false when none (or on a socket error). */
static bool sock_take(struct ping *p)
{
	char err[256];
	int rc = es_socket_recv(p->sock, &p->reply, &p->ex, sizeof(p->ex), err, sizeof(err));

	if (rc < 0)
		fprintf(stderr, "echoscan ping: %s\n", err);
	if (rc <= 0)
		return false;
	if (p->ex.local)
		on_local_error(p, &p->ex);
	else
		on_result(p, &p->reply, &p->ex);
	return true;
}

static void sock_drain(struct ping *p)
{
	while (!done_now(p) && sock_take(p))
		;
}

static bool sock_more_to_send(const struct ping *p)
{
	return !p->o.count || p->o.deadline_ns || (uint64_t)p->st.ntransmitted < p->o.count;
}

/* Sends one probe; returns 0 when the schedule may go on, else the ms to
 * wait (iputils' pinger after a failed send). */
static long sock_send(struct ping *p, uint64_t now)
{
	int e = 0;

	if (es_socket_send(p->sock, probe_of(p, p->st.ntransmitted), &e) == ES_OK) {
		on_send(p, now);
		return 0;
	}
	if (e == ENOBUFS || e == ENOMEM || e == EAGAIN) {
		/* not sent: the device queue or socket buffer is full; try again */
		p->sched.tokens = e == EAGAIN ? p->sched.tokens + p->sched.interval_ms : 0;
		if (e != EAGAIN) {
			long rtt = p->st.ewma8;

			p->sched.rtt_addend += rtt < 8 * 50000 ? rtt / 8 : 50000;
			if (p->o.adaptive)
				ping_sched_adapt(&p->sched, p->st.ewma8);
		}
		return PING_SCHED_MIN_MS;
	}
	/* a hard error: the error queue says why (a local error, or the ICMP
	 * error that set the socket's error); as in iputils, the probe counts
	 * as sent and "sendmsg" is reported only after an ICMP error */
	bool net = false;

	while (sock_take(p)) {
		if (p->ex.local)
			break;
		if (p->reply.classification != ES_CLASS_ECHOREPLY) {
			net = true;
			break;
		}
	}
	on_send(p, now);
	if (net && !p->o.quiet) {
		if (p->o.flood)
			print_flood("E");
		else
			fprintf(stderr, "echoscan ping: sendmsg: %s\n", strerror(e));
	}
	return ping_sched_failed(&p->sched);
}

/* Sends what the schedule allows now; returns the ms until the next send. */
static long sock_pinger(struct ping *p)
{
	for (;;) {
		uint64_t now = mono_ns();
		long wait;

		if (!sock_more_to_send(p) || now >= timer_end(p) || done_now(p))
			return 1000;
		wait = ping_sched_check(&p->sched, now, p->st.nreceived, p->st.nerrors);
		if (wait > 0)
			return wait;
		wait = sock_send(p, now);
		if (wait > 0)
			return wait;
	}
}

static void sock_wait(struct ping *p, uint64_t now, long wait_ms)
{
	uint64_t until = timer_end(p);
	struct pollfd pf = { es_socket_fd(p->sock), POLLIN, 0 };
	struct timespec ts;

	if (sock_more_to_send(p) && now + (uint64_t)wait_ms * MS < until)
		until = now + (uint64_t)wait_ms * MS;
	if (until <= now)
		return;
	ts.tv_sec = (time_t)((until - now) / 1000000000ull);
	ts.tv_nsec = (long)((until - now) % 1000000000ull);
	ppoll(&pf, 1, &ts, NULL);
}

static void sock_loop(struct ping *p)
{
	for (;;) {
		long wait;

		if (ping_status_wanted)
			print_status(p);
		if (done_now(p))
			return;
		wait = sock_pinger(p);
		if (!sock_more_to_send(p))
			arm_linger(p, p->last_send_ns);
		if (should_end(p, mono_ns()))
			return;
		sock_wait(p, mono_ns(), wait);
		sock_drain(p);
	}
}

/* ---- setup ------------------------------------------------------------ */

/* The address family a -4/-6 run refuses: iputils' getaddrinfo words. */
static int wrong_family(const struct ping *p, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", p->o.host, gai_strerror(EAI_ADDRFAMILY));
	return -1;
}

static void take_v6(struct ping *p, const uint8_t a[16])
{
	p->v6 = true;
	memcpy(p->daddr6, a, 16);
	inet_ntop(AF_INET6, a, p->addr, sizeof(p->addr));
	/* iputils' ping6 names the host as typed (not the canonical name) */
	snprintf(p->host, sizeof(p->host), "%s", p->o.host);
}

/* A name: getaddrinfo's first address of the family asked for (iputils
 * resolves both families and walks the answers in their order). */
static int resolve_name(struct ping *p, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP, .ai_flags = AI_CANONNAME };
	struct addrinfo *res, *ai;
	int rc = getaddrinfo(p->o.host, NULL, &hints, &res);

	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", p->o.host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (p->o.verbose)
			printf("ai->ai_family: %s, ai->ai_canonname: '%s'\n",
			       ai->ai_family == AF_INET6 ? "AF_INET6" : "AF_INET",
			       ai->ai_canonname ? ai->ai_canonname : "");
		if (ai->ai_family == AF_INET6 && p->o.family != 4)
			break;
		if (ai->ai_family == AF_INET && p->o.family != 6)
			break;
	}
	if (!ai) {
		freeaddrinfo(res);
		return wrong_family(p, err, errlen);
	}
	if (ai->ai_family == AF_INET6) {
		take_v6(p, ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr.s6_addr);
	} else {
		p->daddr = ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr);
		/* iputils' ping4 shows this answer's canonical name, which only the
		 * first answer carries (a name whose first answer is IPv6 shows "") */
		snprintf(p->host, sizeof(p->host), "%s", ai->ai_canonname ? ai->ai_canonname : "");
		ip_str(p->daddr, p->addr, sizeof(p->addr));
	}
	freeaddrinfo(res);
	return 0;
}

static int resolve(struct ping *p, char *err, size_t errlen)
{
	struct in6_addr a6;
	uint32_t lo, hi;
	bool is_name;

	snprintf(p->host, sizeof(p->host), "%s", p->o.host);
	if (inet_pton(AF_INET6, p->o.host, &a6) == 1) {
		if (p->o.family == 4)
			return wrong_family(p, err, errlen);
		take_v6(p, a6.s6_addr);
		p->numeric = true;        /* iputils: a HOST with ':' is numeric */
		if (p->o.verbose)
			printf("ai->ai_family: AF_INET6, ai->ai_canonname: '%s'\n", p->o.host);
		return 0;
	}
	if (targets_parse_spec(p->o.host, &lo, &hi, &is_name, err, errlen) < 0)
		return -1;
	/* iputils looks reply names up only when HOST was given as a name */
	p->numeric = p->o.numeric || !is_name;
	if (!is_name) {
		if (p->o.family == 6)
			return wrong_family(p, err, errlen);
		if (lo != hi) {
			snprintf(err, errlen, "%s: give one host, not a range", p->o.host);
			return -1;
		}
		p->daddr = lo;
		ip_str(lo, p->addr, sizeof(p->addr));
		if (p->o.verbose)
			printf("ai->ai_family: AF_INET, ai->ai_canonname: '%s'\n", p->o.host);
		return 0;
	}
	return resolve_name(p, err, errlen);
}

/* The route probe iputils makes before sending: a UDP socket connected to
 * the host gives the source address the kernel would use (the "from" of -I
 * and -B) and tells a broadcast address (EACCES without SO_BROADCAST). */
static int route_probe(struct ping *p, uint32_t *saddr, char *err, size_t errlen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(1025) };
	struct sockaddr_in src;
	socklen_t len = sizeof(src);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
	int rc = -1;

	dst.sin_addr.s_addr = htonl(p->daddr);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (p->o.mark_set && setsockopt(fd, SOL_SOCKET, SO_MARK, &p->o.mark, sizeof(p->o.mark)) < 0)
		fprintf(stderr, "echoscan ping: WARNING: failed to set mark: %u: %s\n",
			(unsigned)p->o.mark, strerror(errno));
	if (p->o.ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->o.ifname,
				      (socklen_t)strlen(p->o.ifname) + 1) < 0) {
		snprintf(err, errlen, "-I %s: %s", p->o.ifname, strerror(errno));
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno == EACCES) {
		if (!p->o.broadcast) {
			snprintf(err, errlen, "Do you want to ping broadcast? Then -b. If not, "
				 "check your local firewall rules");
			goto out;
		}
		fprintf(stderr, "WARNING: pinging broadcast address\n");
		setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
		connect(fd, (struct sockaddr *)&dst, sizeof(dst));
	}
	if (getsockname(fd, (struct sockaddr *)&src, &len) < 0 || src.sin_addr.s_addr == 0) {
		snprintf(err, errlen, "%s: %s", p->addr, strerror(errno ? errno : ENETUNREACH));
		rc = -2;      /* no route: an error only where the source is needed */
		goto out;
	}
	rc = 0;
	*saddr = ntohl(src.sin_addr.s_addr);
out:
	close(fd);
	return rc;
}

/* iputils' payload: byte i is i, or the -p pattern repeated from byte 0. */
static int make_fill(struct ping *p)
{
	p->fill = malloc(p->o.size ? p->o.size : 1);
	if (!p->fill)
		return -1;
	for (unsigned i = 0; i < p->o.size; i++)
		p->fill[i] = p->o.pattern_len > 0 ? p->o.pattern[i % (unsigned)p->o.pattern_len]
						   : (uint8_t)i;
	return 0;
}

/* -M's IP_PMTUDISC_* value (-1: not given) as the API's enum. */
static enum es_pmtudisc pmtudisc_of(int v)
{
	switch (v) {
	case IP_PMTUDISC_DONT:
		return ES_PMTUDISC_DONT;
	case IP_PMTUDISC_WANT:
		return ES_PMTUDISC_WANT;
	case IP_PMTUDISC_DO:
		return ES_PMTUDISC_DO;
	case IP_PMTUDISC_PROBE:
		return ES_PMTUDISC_PROBE;
	default:
		return ES_PMTUDISC_DEFAULT;
	}
}

/* Opens the socket (iputils' choice: see the top) and drops privileges;
 * *saddr gets the IPv4 source shown by -I and -B. */
static int sock_open(struct ping *p, uint32_t *saddr, uint32_t route_src, char *err, size_t errlen)
{
	struct es_socket_options o;
	struct in_addr a;
	int rc, e;

	if (!p->fill && make_fill(p) < 0) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	es_socket_options_init(&o);
	o.interface = p->o.ifname;
	o.ident = p->o.ident;
	o.ttl = p->o.ttl;
	o.tos = p->o.tos;
	o.pmtudisc = pmtudisc_of(p->o.pmtudisc);
	o.size = p->o.size;
	o.fill = p->fill;
	o.ip_options = p->ipopts_len ? p->ipopts : NULL;
	o.ip_options_len = p->ipopts_len;
	o.sndbuf = p->o.sndbuf;
	o.preload = p->o.preload;
	o.flags = (p->o.broadcast && !p->v6 ? ES_SOCKET_BROADCAST : 0) |
		  (p->o.so_debug ? ES_SOCKET_DEBUG : 0) | (p->o.dontroute ? ES_SOCKET_DONTROUTE : 0) |
		  (p->o.noloop ? ES_SOCKET_NOLOOP : 0) | (p->o.connect ? ES_SOCKET_CONNECT : 0) |
		  (p->o.flowinfo && p->v6 ? ES_SOCKET_FLOWLABEL : 0);
	o.interval_ms = p->o.interval_ns / MS;
	o.flowlabel = p->o.flowlabel;
	if (p->v6) {
		o.dst.family = 6;
		memcpy(o.dst.bytes, p->daddr6, 16);
		/* -I ADDR or -B: bound to that source (the route's, for -B) */
		if (p->o.source || p->o.strict_source) {
			o.source.family = 6;
			memcpy(o.source.bytes, p->saddr6, 16);
		}
	} else {
		uint32_t src = 0, n = htonl(p->daddr);

		o.dst.family = 4;
		memcpy(o.dst.bytes, &n, 4);
		if (p->o.source && inet_pton(AF_INET, p->o.source, &a) == 1)
			src = ntohl(a.s_addr);
		else if (p->o.strict_source)
			src = route_src;   /* -B: bind to the source the kernel picks now */
		if (src) {
			n = htonl(src);
			o.source.family = 4;
			memcpy(o.source.bytes, &n, 4);
		}
		*saddr = src ? src : route_src;
	}
	rc = es_socket_open(&p->sock, &o, err, errlen);
	if (rc != ES_OK) {
		if (rc == ES_EPERM)
			snprintf(err, errlen, NO_PRIV_MSG);
		return rc;
	}
	if (p->o.mark_set && es_socket_set_mark(p->sock, p->o.mark, &e) != ES_OK)
		fprintf(stderr, "echoscan ping: WARNING: failed to set mark: %u: %s\n",
			(unsigned)p->o.mark, strerror(e));
	p->nprobes = SOCK_PROBES;
	p->timing = p->o.size >= 16;          /* iputils: room for its timeval */
	return privs_drop(err, errlen) < 0 ? ES_EPERM : ES_OK;
}

/* iputils' IPv6 route probe: a UDP socket connected to the host gives the
 * source the kernel would use (the "from" of -I and the -B binding); a host
 * without a route ends the run ("connect: Network is unreachable"). */
static int route_probe6(struct ping *p, char *err, size_t errlen)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_port = htons(1025) };
	struct sockaddr_in6 src;
	socklen_t len = sizeof(src);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	memcpy(&dst.sin6_addr, p->daddr6, 16);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (p->o.mark_set && setsockopt(fd, SOL_SOCKET, SO_MARK, &p->o.mark, sizeof(p->o.mark)) < 0)
		fprintf(stderr, "echoscan ping: WARNING: failed to set mark: %u: %s\n",
			(unsigned)p->o.mark, strerror(errno));
	if (p->o.ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->o.ifname,
				      (socklen_t)strlen(p->o.ifname) + 1) < 0) {
		snprintf(err, errlen, "setsockopt(SO_BINDTODEVICE) %s: %s", p->o.ifname,
			 strerror(errno));
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		goto out;
	}
	if (getsockname(fd, (struct sockaddr *)&src, &len) < 0) {
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
		goto out;
	}
	memcpy(p->saddr6, &src.sin6_addr, 16);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* IPv6: the route probe, multicast's rules, then the socket. */
static int open_path6(struct ping *p, char *err, size_t errlen)
{
	struct in6_addr a6;
	uint32_t unused;

	if (p->o.source && inet_pton(AF_INET6, p->o.source, &a6) == 1)
		memcpy(p->saddr6, a6.s6_addr, 16);
	else if (route_probe6(p, err, errlen) < 0)
		return -1;
	if (p->daddr6[0] == 0xff) {
		p->multicast = true;
		if (!p->root) {
			if (p->o.interval_ns < 1000 * MS) {
				snprintf(err, errlen, "multicast ping with too short interval: %lu",
					 (unsigned long)(p->o.interval_ns / MS));
				return -1;
			}
			if (p->o.pmtudisc >= 0 && p->o.pmtudisc != IP_PMTUDISC_DO) {
				snprintf(err, errlen, "multicast ping does not fragment");
				return -1;
			}
		}
		if (p->o.pmtudisc < 0)
			p->o.pmtudisc = IP_PMTUDISC_DO;
	}
	return sock_open(p, &unused, 0, err, errlen) == ES_OK ? 0 : -1;
}

/* The route probe, broadcast's rules and the IP options, then the socket. */
static int open_path(struct ping *p, uint32_t *saddr, char *err, size_t errlen)
{
	uint32_t route_src = 0;
	int rc;

	if (p->v6)
		return open_path6(p, err, errlen);
	rc = route_probe(p, &route_src, err, errlen);

	if (rc == -1 || (rc == -2 && (p->o.strict_source || p->o.ifname)))
		return -1;
	if (p->o.broadcast || IN_MULTICAST(p->daddr))
		p->multicast = true;
	if (p->multicast && !p->root) {
		if (p->o.interval_ns < 1000 * MS) {
			snprintf(err, errlen, "broadcast ping with too short interval: %lu",
				 (unsigned long)(p->o.interval_ns / MS));
			return -1;
		}
		if (p->o.pmtudisc >= 0 && p->o.pmtudisc != IP_PMTUDISC_DO) {
			snprintf(err, errlen, "broadcast ping does not fragment");
			return -1;
		}
	}
	if (p->multicast && p->o.pmtudisc < 0)
		p->o.pmtudisc = IP_PMTUDISC_DO;
	p->ipopts_len = ping_build_ipopts(p->ipopts, p->o.rroute, p->o.ts_type);
	return sock_open(p, saddr, route_src, err, errlen) == ES_OK ? 0 : -1;
}

/* PATTERN and PING lines. */
static void print_header(struct ping *p, uint32_t saddr)
{
	char line[LINE_MAX_LEN], src[INET_ADDRSTRLEN];

	if (p->o.pattern_len >= 0 && !p->o.quiet) {
		ping_fmt_pattern(line, sizeof(line), p->o.pattern, (size_t)p->o.pattern_len);
		printf("%s\n", line);
	}
	if (p->v6) {
		char src6[INET6_ADDRSTRLEN];
		struct es_addr dst = { .family = 6 };

		memcpy(dst.bytes, p->daddr6, 16);
		inet_ntop(AF_INET6, p->saddr6, src6, sizeof(src6));
		/* iputils prints the address through pr_addr: "name (addr)" for a
		 * name it can look up, as on reply lines */
		ping_fmt_header6(line, sizeof(line), p->host, addr_text_any(p, &dst),
				 es_socket_flowlabel(p->sock),
				 p->o.ifname || p->o.source || p->o.strict_source ? src6 : NULL,
				 p->o.ifname ? p->o.ifname : "", p->o.size);
		printf("%s\n", line);
		fflush(stdout);
		return;
	}
	ip_str(saddr, src, sizeof(src));
	ping_fmt_header_opt(line, sizeof(line), p->host, p->addr,
			    p->o.ifname || p->o.source || p->o.strict_source ? src : NULL,
			    p->o.ifname ? p->o.ifname : "", p->o.size, p->ipopts_len ? 40 : 0);
	printf("%s\n", line);
	fflush(stdout);
}

/* The statistics; returns the exit status. */
static int print_finish(struct ping *p)
{
	uint64_t elapsed = p->last_send_ns > p->start_ns ? p->last_send_ns - p->start_ns : 0;
	char line[LINE_MAX_LEN];

	p->exiting = true;
	printf("\n--- %s ping statistics ---\n", p->host);
	ping_fmt_summary(line, sizeof(line), &p->st, elapsed);
	printf("%s\n", line);
	ping_fmt_rtt(line, sizeof(line), &p->st, elapsed,
		     p->o.flood || p->o.interval_ns == 0 || p->o.adaptive);
	printf("%s\n", line);
	fflush(stdout);
	if (!p->st.nreceived ||
	    (p->o.deadline_ns && (uint64_t)p->st.nreceived < p->o.count))
		return 1;
	return 0;
}

static int check_interval(const struct ping *p)
{
	if (!p->root && p->o.interval_ns < PING_MIN_USER_INTERVAL_MS * MS) {
		fprintf(stderr, "echoscan ping: cannot flood; minimal interval allowed for "
			"user is %dms\n", PING_MIN_USER_INTERVAL_MS);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct ping *p)
{
	char err[512];

	switch (ping_opts_parse(argc, argv, &p->o, err, sizeof(err))) {
	case PING_OPTS_OK:
		return 0;
	case PING_OPTS_HELP:
		fputs(ping_usage(), stdout);
		return 1;
	case PING_OPTS_USAGE:
		fprintf(stderr, "echoscan ping: %s\n\n%s", err, ping_usage());
		return -1;
	default:
		fprintf(stderr, "echoscan ping: %s\n", err);
		return -1;
	}
}

static int screen_width(void)
{
	struct winsize w;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0)
		return w.ws_col;
	return INT_MAX;
}

static int run(struct ping *p)
{
	char err[512];
	uint32_t saddr = 0;

	if (resolve(p, err, sizeof(err)) < 0 || open_path(p, &saddr, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan ping: %s\n", err);
		return 2;
	}
	print_header(p, saddr);
	if (check_interval(p) < 0)
		return 2;
	if (p->o.flood)
		setvbuf(stdout, NULL, _IONBF, 0);
	p->screen_width = screen_width();
	p->st.untimed = !p->timing;
	ping_sched_init(&p->sched, (long)(p->o.interval_ns / MS), p->o.preload, !p->root);
	install_signals();
	p->start_ns = mono_ns();
	sock_loop(p);
	return print_finish(p);
}

int ping_main(int argc, char **argv)
{
	struct ping *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		fprintf(stderr, "echoscan ping: out of memory\n");
		return 2;
	}
	ping_stats_init(&p->st);
	p->root = getuid() == 0;
	rc = parse_args(argc, argv, p);
	if (rc == 0 && p->o.version) {
		printf("echoscan ping from echoscan %s\n", ECHOSCAN_VERSION);
		rc = 1;
	} else if (rc == 0 && !p->root && p->o.preload > PING_USER_PRELOAD_MAX) {
		fprintf(stderr, "echoscan ping: cannot set preload to value greater than %d: %d\n",
			PING_USER_PRELOAD_MAX, p->o.preload);
		rc = -1;
	}
	if (rc == 0)
		rc = run(p);
	else
		rc = rc > 0 ? 0 : 2;
	es_socket_close(&p->sock);
	free(p->fill);
	free(p);
	return rc;
}
