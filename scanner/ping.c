/*
 * ping.c — `echoscan ping [options] HOST` (see ping.h): iputils ping's
 * behaviour and output on echoscan's engine.
 *
 * Two paths feed the same handlers (on_send, on_result) and end rules:
 *  - engine (CAP_NET_RAW, iputils' default options): the scan engine with
 *    one target, one pass per probe, every validated reply reported
 *    (report_all), duplicates found with ping's own table of answered
 *    probes; the main thread watches the send counter and drains the result
 *    queue;
 *  - kernel socket (engine/pingsock.c): a raw ICMP socket as root when an
 *    option needs the kernel's IP layer or a reply-driven schedule (flood,
 *    -i 0, -l, -A, -b, -R, -T, -e, -m, -S, -d, -L, -r, -C, -v, sizes outside
 *    18..1472, -c above 65535), and the ICMP datagram socket without
 *    privileges; driven from this thread with poll() and iputils' send
 *    schedule (ping_sched.c).
 * IPv6 (-6, an IPv6 HOST, or a name whose first address of the family
 * asked for is IPv6) always takes the kernel socket path: the ICMPv6
 * datagram socket where ping_group_range allows it, else a raw ICMPv6
 * socket, as iputils chooses. One validation path (pingsock's stamp and
 * MAC) serves both, and it reaches every host the kernel routes to
 * (::1 on lo included), which the engine's IPv6 frames do not (one next
 * hop, no lo/tun); for one host at ping's rates the engine gains nothing.
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

#include "engine/clock.h"
#include "engine/icmpsock.h"
#include "engine/pingsock.h"
#include "engine/probe.h"
#include "engine/rate.h"
#include "engine/route.h"
#include "engine/scan.h"
#include "engine/ipset.h"
#include "scanner/ping_fmt.h"
#include "scanner/ping_opts.h"
#include "scanner/ping_sched.h"
#include "scanner/privs.h"
#include "scanner/targets.h"
#include "scanner/version.h"

#define MS                 1000000ull
#define FLOOD_INTERVAL_NS  (10 * MS)   /* engine: never given interval 0 (kernel path) */
#define DRAIN_BATCH        64
#define LOOP_PROBES        65535u      /* engine probe numbers when looping */
#define LINE_MAX_LEN       512
#define SOCK_PROBES        65536u      /* kernel socket path: probe = n mod 65536 */
#define NAME_SLOTS         8
#define ADDR_TEXT_MAX      (NI_MAXHOST + INET6_ADDRSTRLEN + 4)

#define NO_PRIV_MSG ICMPSOCK_NO_PRIV_MSG

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
	bool v6;                           /* ICMPv6 to daddr6 (the kernel socket path) */
	uint8_t daddr6[16];
	uint8_t saddr6[16];                /* IPv6: -I ADDR, else the route probe's source */
	char host[NI_MAXHOST];             /* as shown in PING and --- lines */
	char addr[INET6_ADDRSTRLEN];
	uint8_t wire_pattern[PING_PATTERN_MAX];
	uint64_t send_interval_ns;
	bool root;                         /* real uid 0 at start (privileges drop later) */
	struct ping_stats st;
	uint64_t start_ns, last_send_ns;   /* monotonic */
	uint64_t linger_end_ns;            /* 0: not armed */
	uint64_t cutoff_rt_ns;             /* ended by a timer: later replies do not count */
	uint8_t rcvd[65536 / 8];           /* probes answered by a reply (DUP!, -O) */
	struct ipset set;
	struct scan *scan;
	struct pingsock *sock;
	struct es_result buf[DRAIN_BATCH];
	/* the kernel socket path */
	unsigned nprobes;                  /* probe numbers wrap at this */
	struct ping_sched sched;
	struct pingsock_info info;         /* what the last socket result carried */
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

/* Who sent a result: its IPv6 responder, or the IPv4 one. */
static const char *responder_text(struct ping *p, const struct es_result *r)
{
	if (p->v6)
		return addr_text_any(p, &r->responder6);
	return addr_text(p, r->responder);
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

/* The RTT in microseconds: the receive stamp (kernel or capture) minus the
 * send time in the payload, or with -U ping's own clock now instead of the
 * receive stamp (iputils' user-to-user latency). */
static long reply_us(const struct ping *p, const struct es_result *r)
{
	if (r->rtt_ns < 0)
		return 0;
	if (p->o.latency) {
		int64_t sent = (int64_t)r->ts_ns - r->rtt_ns;
		int64_t now = (int64_t)clock_realtime_ns();

		return now > sent ? (long)((now - sent) / 1000) : 0;
	}
	return (long)(r->rtt_ns / 1000);
}

/* iputils' "wrong data byte" report and the dump of the data from byte 16. */
static void print_bad_data(const struct ping *p, const struct pingsock_info *in)
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

static void on_reply(struct ping *p, const struct es_result *r, const struct pingsock_info *in)
{
	long us = reply_us(p, r);
	bool timed = p->timing && (!in || in->timed);
	/* iputils' table: a probe's bit is cleared when it is sent and set by
	 * its first reply, so it stays right when probe numbers wrap */
	bool dup = rcvd_test(p, r->probe);
	unsigned seq = seq_of(p, r->probe);
	char line[LINE_MAX_LEN], opts[4096];
	struct ping_reply_line rl = {
		.bytes = in ? (unsigned)in->icmp_len : (r->size > 20 ? r->size - 20u : 0),
		.seq = seq, .ident = p->o.verbose && p->sock ? pingsock_ident(p->sock) : -1,
		.ttl = r->ttl, .timed = timed, .us = us,
		.dup = dup && (!p->multicast || p->o.verbose), .truncated = in && in->truncated,
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
		if (in && in->bad_byte >= 0)
			print_bad_data(p, in);
		if (p->o.audible)          /* iputils: the bell ends the line, before '\n' */
			putchar('\a');
		opts[0] = '\0';
		if (in && in->ip_opts_len)
			ping_fmt_ipopts(opts, sizeof(opts), in->ip_opts, in->ip_opts_len,
					&p->rr_memo, p->o.flood, addr_cb, p);
		fputs(opts, stdout);
	}
	putchar('\n');
	fflush(stdout);
}

static void on_error(struct ping *p, const struct es_result *r)
{
	char from[ADDR_TEXT_MAX], line[LINE_MAX_LEN + ADDR_TEXT_MAX];
	/* IPv4 quench, redirect: notes only (ICMPv6 4 is a parameter problem) */
	bool counted = p->v6 || (r->type != 4 && r->type != 5);

	if (!counted) {
		char what[128];

		if (p->o.quiet || p->o.flood)
			return;
		ping_fmt_icmp(what, sizeof(what), r->type, r->code, r->info);
		snprintf(line, sizeof(line), "From %s: icmp_seq=%u %s", addr_text(p, r->responder),
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

static void on_result(struct ping *p, const struct es_result *r, const struct pingsock_info *in)
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
		uint64_t interval = p->sock ? (uint64_t)p->sched.interval_ms * MS : p->o.interval_ns;

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
		p->cutoff_rt_ns = clock_realtime_ns();
		return true;
	}
	return false;
}

/* ---- raw path: the scan engine ------------------------------------------ */

/* Returns ES_OK, or a negative enum es_error with err set. */
static int engine_open(struct ping *p, char *err, size_t errlen)
{
	bool loop = p->o.count == 0 || p->o.deadline_ns;
	struct scan_config cfg = {
		.targets = &p->set, .seed = 1, .shards = 1, .shard = 0, .rate = 0,
		.probes = loop ? 1 : (uint16_t)p->o.count, .loop = loop,
		.interval_ns = p->send_interval_ns,
		.max_runtime_ns = p->o.deadline_ns,   /* no probe at the deadline itself */
		.ttl = (uint8_t)(p->o.ttl ? p->o.ttl : PING_DEFAULT_TTL),
		.tos = (uint8_t)p->o.tos,
		/* -M want: the kernel sets DF on what fits the path MTU; our probes fit */
		.df = p->o.pmtudisc == IP_PMTUDISC_DO || p->o.pmtudisc == IP_PMTUDISC_WANT,
		.payload_len = (uint16_t)p->o.size, .tx = TX_AUTO,
		.report_all = true, .keep_stats = false,   /* duplicates: see on_reply */
		.pattern = p->o.pattern_len > 0 ? p->wire_pattern : NULL,
		.pattern_len = p->o.pattern_len > 0 ? (size_t)p->o.pattern_len : 0,
		.rx_buffer_bytes = 2u << 20,   /* one host: a small ring opens faster */
		.ov = { p->o.ifname, p->o.source, NULL },
	};
	int rc;

	ipset_init(&p->set);
	if (ipset_add(&p->set, p->daddr, p->daddr) < 0 || ipset_finalize(&p->set) < 0) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	rc = scan_open(&cfg, &p->scan, err, errlen);
	return rc == ES_OK ? scan_want_sent(p->scan, err, errlen) : rc;
}

/* Turns the engine's sent events (scan_want_sent) into on_send calls, at
 * the time each probe went out. */
static void engine_sends(struct ping *p)
{
	struct scan_sent ev[16];
	size_t n;

	while ((n = scan_sent_events(p->scan, ev, 16)) > 0)
		for (size_t i = 0; i < n; i++) {
			if (p->st.ntransmitted == 0 && p->start_ns < ev[i].mono_ns)
				p->start_ns = ev[i].mono_ns;
			on_send(p, ev[i].mono_ns);
		}
}

static void engine_results(struct ping *p)
{
	size_t n;

	while (!done_now(p) && (n = scan_results(p->scan, p->buf, DRAIN_BATCH)) > 0) {
		/* every probe these answer had its sent event queued first */
		engine_sends(p);
		for (size_t i = 0; i < n && !done_now(p); i++)
			on_result(p, &p->buf[i], NULL);
	}
}

/* How long to sleep: sends, replies, the end of sending and the
 * receiver's end wake us (scan_wait); the clock decides the rest. */
static uint64_t engine_wait_ns(const struct ping *p, uint64_t now)
{
	uint64_t until = timer_end(p);

	if (until > now + 1000 * MS)
		until = now + 1000 * MS;
	return until > now ? until - now : 0;
}

static void engine_loop(struct ping *p)
{
	for (;;) {
		uint64_t now = rate_now_ns();

		engine_sends(p);
		engine_results(p);
		if (!scan_sending(p->scan))
			arm_linger(p, now);     /* the engine ends after its frames left */
		if (ping_status_wanted)
			print_status(p);
		if (should_end(p, rate_now_ns()))
			return;
		scan_wait(p->scan, engine_wait_ns(p, rate_now_ns()));
	}
}

/* Stops the engine and takes what it still holds when a timer ended the run. */
static int engine_stop(struct ping *p)
{
	struct scan_counters c;
	char err[256];
	int rc;

	/* the receiver's last drain waits for the capture block still being
	 * filled, so replies captured before a timer's cutoff are kept */
	scan_stop_sending(p->scan);
	scan_stop_receiving(p->scan);
	while (scan_receiving(p->scan)) {
		if (p->cutoff_rt_ns)
			engine_results(p);
		scan_wait(p->scan, 100 * MS);
	}
	rc = scan_finish(p->scan, err, sizeof(err));
	if (p->cutoff_rt_ns)
		engine_results(p);
	scan_counters(p->scan, &c);
	if (c.sent > (uint64_t)p->st.ntransmitted)
		p->st.ntransmitted = (long)c.sent;   /* raced with the end decision */
	if (rc < 0)
		fprintf(stderr, "echoscan ping: %s\n", err);
	return rc;
}

/* ---- kernel socket path: raw ICMP or datagram socket ------------------ */

/* iputils' words for a local error (EMSGSIZE: -M do over the MTU). */
static void on_local_error(struct ping *p, const struct pingsock_info *in)
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
	int rc = pingsock_recv(p->sock, &p->buf[0], &p->info, err, sizeof(err));

	if (rc < 0)
		fprintf(stderr, "echoscan ping: %s\n", err);
	if (rc <= 0)
		return false;
	if (p->info.local)
		on_local_error(p, &p->info);
	else
		on_result(p, &p->buf[0], &p->info);
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
	int e = pingsock_send(p->sock, probe_of(p, p->st.ntransmitted));

	if (e == 0) {
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
		if (p->info.local)
			break;
		if (p->buf[0].classification != ES_CLASS_ECHOREPLY) {
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
		uint64_t now = rate_now_ns();
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
	struct pollfd pf = { pingsock_fd(p->sock), POLLIN, 0 };
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
		if (should_end(p, rate_now_ns()))
			return;
		sock_wait(p, rate_now_ns(), wait);
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

/* The options that only the kernel socket path has (see the top). */
static bool needs_kernel_path(const struct ping *p)
{
	const struct ping_opts *o = &p->o;

	return p->v6 || o->flood || o->interval_ns == 0 || o->preload > 1 || o->adaptive ||
	       o->size < PROBE_PAYLOAD_MIN || o->size > PROBE_PAYLOAD_MAX || o->ident >= 0 ||
	       o->mark_set || o->sndbuf || o->so_debug || o->dontroute || o->noloop ||
	       o->broadcast || p->multicast || o->rroute || o->ts_type >= 0 || o->connect ||
	       o->verbose || o->count > PING_ENGINE_COUNT_MAX;
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

static int sock_open(struct ping *p, bool raw, uint32_t *saddr, uint32_t route_src,
		     char *err, size_t errlen)
{
	struct pingsock_config cfg = {
		.family = p->v6 ? 6 : 4, .daddr = p->daddr, .ifname = p->o.ifname,
		.raw = raw, .ident = p->o.ident,
		.ttl = p->o.ttl, .tos = p->o.tos, .pmtudisc = p->o.pmtudisc,
		.payload_len = p->o.size, .ip_options = p->ipopts_len ? p->ipopts : NULL,
		.ip_options_len = p->ipopts_len, .sndbuf = p->o.sndbuf, .preload = p->o.preload,
		.broadcast = p->o.broadcast && !p->v6, .debug = p->o.so_debug,
		.dontroute = p->o.dontroute,
		.noloop = p->o.noloop, .connect = p->o.connect,
		.interval_ms = p->o.interval_ns / MS,
		.flowinfo = p->o.flowinfo && p->v6, .flowlabel = p->o.flowlabel,
	};
	struct in_addr a;
	int rc, e;

	if (!p->fill && make_fill(p) < 0) {
		snprintf(err, errlen, "out of memory");
		return ES_ENOMEM;
	}
	cfg.fill = p->fill;
	memcpy(cfg.daddr6, p->daddr6, 16);
	if (p->v6) {
		/* -I ADDR or -B: bound to that source (the route's, for -B) */
		cfg.has_saddr6 = p->o.source || p->o.strict_source;
		memcpy(cfg.saddr6, p->saddr6, 16);
	} else if (p->o.source && inet_pton(AF_INET, p->o.source, &a) == 1) {
		cfg.saddr = ntohl(a.s_addr);
	} else if (p->o.strict_source) {
		cfg.saddr = route_src;     /* -B: bind to the source the kernel picks now */
	}
	rc = pingsock_open(&cfg, &p->sock, err, errlen);
	if (rc != ES_OK) {
		if (!raw && rc == ES_EPERM)
			snprintf(err, errlen, NO_PRIV_MSG);
		return rc;
	}
	if (p->o.mark_set && (e = pingsock_set_mark(p->sock, p->o.mark)) != 0)
		fprintf(stderr, "echoscan ping: WARNING: failed to set mark: %u: %s\n",
			(unsigned)p->o.mark, strerror(e));
	p->nprobes = SOCK_PROBES;
	p->timing = p->o.size >= 16;          /* iputils: room for its timeval */
	*saddr = cfg.saddr ? cfg.saddr : route_src;
	return ES_OK;
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

/* IPv6: the datagram socket where ping_group_range allows it (not for
 * identifier 0), else the raw ICMPv6 socket, as iputils tries them. */
static int open_path6(struct ping *p, char *err, size_t errlen)
{
	struct in6_addr a6;
	uint32_t unused;
	int rc = ES_EPERM;

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
	if (p->o.ident != 0)
		rc = sock_open(p, false, &unused, 0, err, errlen);
	if (rc == ES_EPERM || rc == ES_EUNSUPPORTED)
		rc = sock_open(p, true, &unused, 0, err, errlen);
	if (rc == ES_EPERM)
		snprintf(err, errlen, NO_PRIV_MSG);
	return rc == ES_OK ? 0 : -1;
}

/* A raw IP socket needs the same CAP_NET_RAW as the engine's packet
 * sockets, and closing it is free, while closing a packet socket waits for
 * an RCU grace period in the kernel (~10-30 ms). */
static bool raw_permitted(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (fd < 0)
		return errno != EPERM && errno != EACCES;
	close(fd);
	return true;
}

/* Opens the engine, or the kernel socket path when an option needs it or
 * raw sockets are not permitted. */
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
	p->nprobes = LOOP_PROBES;
	p->timing = true;
	if (raw_permitted()) {
		/* iputils takes the datagram socket when it may (not for
		 * identifier 0, which the kernel does not give it) */
		if (needs_kernel_path(p)) {
			if (p->o.ident != 0 && sock_open(p, false, saddr, route_src, err, errlen) == ES_OK)
				return 0;
			return sock_open(p, true, saddr, route_src, err, errlen) == ES_OK ? 0 : -1;
		}
		rc = engine_open(p, err, errlen);
		if (rc == ES_OK) {
			*saddr = scan_source(p->scan, p->daddr);
			return privs_drop(err, errlen);
		}
		if (rc != ES_EPERM)
			return -1;
	}
	return sock_open(p, false, saddr, route_src, err, errlen) == ES_OK ? 0 : -1;
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
				 pingsock_flowlabel(p->sock),
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

/* iputils: payload byte i is pattern[i % n]; the probe fills from byte 18. */
static void rotate_pattern(struct ping *p)
{
	int n = p->o.pattern_len;

	for (int j = 0; j < n; j++)
		p->wire_pattern[j] = p->o.pattern[(j + 18) % n];
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
	int rc;

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
	p->start_ns = rate_now_ns();
	if (p->scan) {
		if (scan_start(p->scan, err, sizeof(err)) < 0) {
			fprintf(stderr, "echoscan ping: %s\n", err);
			return 2;
		}
		engine_loop(p);
		if (engine_stop(p) < 0)
			return 2;
	} else {
		sock_loop(p);
	}
	rc = print_finish(p);
	return rc;
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
	if (rc == 0) {
		rotate_pattern(p);
		p->send_interval_ns = p->o.interval_ns ? p->o.interval_ns : FLOOD_INTERVAL_NS;
		rc = run(p);
	} else {
		rc = rc > 0 ? 0 : 2;
	}
	scan_close(p->scan);
	pingsock_close(p->sock);
	ipset_free(&p->set);
	free(p->fill);
	free(p);
	return rc;
}
