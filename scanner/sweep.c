/*
 * sweep.c — the main thread of a sweep (see sweep.h): it owns the output
 * writer, the status line and the signals, while the engine's sender and
 * receiver threads do the packet work. Results are written as they arrive and
 * flushed at least every 500 ms, so a pipe reader sees them promptly.
 */
#include "scanner/sweep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <Judy.h>
#include <echoscan.h>

#include "output/writer.h"
#include "scanner/metadata.h"
#include "scanner/privs.h"
#include "scanner/progress.h"
#include "scanner/resume.h"

#define MS              1000000ull
#define FLUSH_EVERY_NS  (500 * MS)
#define STATUS_EVERY_NS (1000 * MS)
#define DRAIN_BATCH     4096
#define SAVE_EVERY_NS   (500 * MS)  /* --resume checkpoints */
/* The key of an IPv6 target in the --stats replay: after every IPv4 one. */
#define KEY6(rank)      ((uint64_t)1 << 32 | (uint64_t)(rank))

/* The only state a signal handler touches (OpenBSD ping style). */
static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	(void)sig;
	interrupts++;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);  /* a closed terminal or ssh session: end cleanly */
	signal(SIGPIPE, SIG_IGN);  /* a closed pipe shows up as EPIPE on write */
}

struct sweep {
	struct options *o;
	es_scan *scan;
	uint64_t seed;
	uint64_t report_passes;      /* passes_started at the last --loop report */
	struct writer w;
	FILE *out;
	uint64_t start_ns, targets;
	uint64_t start_rt_ns;        /* wall clock at the start, for -m */
	struct es_route route;       /* for -m */
	bool dgram;                  /* ICMP datagram sockets: no route of ours */
	int end_rc;                  /* what ended the scan (es_scan_process) */
	FILE *meta;                  /* -m FILE, opened while privileged */
	bool tty_status, pipe_closed;
	bool cool_cut;               /* a SIGINT ended the cooldown */
	int handled_interrupts;
	struct resume_run *rr;       /* --resume, or NULL */
	uint64_t next_save;
	int resume_done_rc;          /* the saved scan was complete: exit status */
	uint64_t resumed_at;         /* probes done before this run (--resume) */
	uint64_t resumed_hosts;      /* hosts reported before this run */
	struct es_reply buf[DRAIN_BATCH];
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A host-order IPv4 address as the public type. */
static struct es_addr addr4(uint32_t a)
{
	struct es_addr x = { .family = 4 };
	uint32_t n = htonl(a);

	memcpy(x.bytes, &n, 4);
	return x;
}

/* The host-order number of an IPv4 es_addr. */
static uint32_t num4(const struct es_addr *a)
{
	uint32_t n;

	memcpy(&n, a->bytes, 4);
	return ntohl(n);
}

static struct es_scan_summary summary(const struct sweep *sw)
{
	struct es_scan_summary c;

	memset(&c, 0, sizeof(c));
	if (sw->scan)
		es_scan_get_summary(sw->scan, &c, sizeof(c));
	return c;
}

static int open_output(struct sweep *sw, const char *path)
{
	static char iobuf[1 << 16];

	sw->out = stdout;
	if (path && strcmp(path, "-") != 0 && sw->rr && sw->rr->resumed && sw->rr->st.out_offset >= 0) {
		char err[1024];

		/* --resume: cut what was written after the last checkpoint */
		sw->out = resume_open_output(sw->rr, path, err, sizeof(err));
		if (!sw->out) {
			fprintf(stderr, "echoscan: %s\n", err);
			return -1;
		}
	} else if (path && strcmp(path, "-") != 0) {
		sw->out = fopen(path, "w");
		if (!sw->out) {
			fprintf(stderr, "echoscan: cannot open output %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	setvbuf(sw->out, iobuf, _IOFBF, sizeof(iobuf));
	return 0;
}

static void close_output(struct sweep *sw)
{
	if (sw->out && sw->out != stdout)
		fclose(sw->out);
	else if (sw->out)
		fflush(sw->out);
}

/* -m: opened before privileges are dropped, like -o. */
static int open_metadata(struct sweep *sw)
{
	const char *path = sw->o->record.metadata;

	if (!path)
		return 0;
	sw->meta = fopen(path, "w");
	if (!sw->meta) {
		fprintf(stderr, "echoscan: cannot open the metadata file %s: %s (-m needs a writable path)\n",
			path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns -1 when the output is gone or failing (the caller stops). */
static int check_write(struct sweep *sw, int rc)
{
	if (rc == 0)
		return 0;
	if (sw->w.err == EPIPE) {
		sw->pipe_closed = true;
		return -1;
	}
	fprintf(stderr, "echoscan: writing results to %s: %s\n",
		sw->o->output ? sw->o->output : "stdout", strerror(sw->w.err ? sw->w.err : EIO));
	return -1;
}

static uint64_t seed_or_random(const struct options *o)
{
	uint64_t seed = o->seed;

	if (!o->seed_given && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return seed;
}

int sweep_dry_run(struct options *o)
{
	struct sweep sw = { .o = o };
	es_order *pm = NULL;
	uint64_t idx, per_pass, count;
	int rc = 0;

	install_signals();
	if (open_output(&sw, o->output) < 0)
		return 2;
	if (es_order_new(&pm, es_targets_count(o->set), seed_or_random(o), o->shards,
			 o->shard) != ES_OK) {
		fprintf(stderr, "echoscan: cannot order the targets\n");
		return 2;
	}
	per_pass = o->max_targets ? o->max_targets : UINT64_MAX;
	/* through the writer: whole lines only, even on a full disk */
	writer_init(&sw.w, sw.out, o->format, REC_RESULT, NULL);
	if (o->format == OUT_CSV)
		rc = writer_line(&sw.w, "daddr,probe");
	for (unsigned p = 0; p < o->probes && rc == 0 && !interrupts; p++) {
		es_order_rewind(pm);
		for (count = 0; count < per_pass && es_order_next(pm, &idx) && rc == 0; count++) {
			struct es_addr a;
			char ip[ES_ADDRSTRLEN], line[96];

			es_targets_at(o->set, idx, &a);
			es_addr_format(&a, ip, sizeof(ip));
			if (o->format == OUT_JSON)
				snprintf(line, sizeof(line), "{\"daddr\":\"%s\",\"probe\":%u}", ip, p);
			else if (o->format == OUT_TEXT)
				snprintf(line, sizeof(line), "%s", ip);
			else
				snprintf(line, sizeof(line), "%s,%u", ip, p);
			rc = writer_line(&sw.w, line);
		}
	}
	es_order_free(&pm);
	if (rc == 0)
		rc = writer_flush(&sw.w);
	if (rc < 0 && sw.w.err != EPIPE) {
		fprintf(stderr, "echoscan: writing the probe list to %s: %s\n",
			o->output ? o->output : "stdout", strerror(sw.w.err ? sw.w.err : EIO));
		close_output(&sw);
		return 2;
	}
	close_output(&sw);
	return 0;
}

/* ICMP datagram sockets: the kernel routes every probe; only -i and -S
 * apply (bound to every socket). */
static int dgram_route(const struct options *o, struct es_route *rt)
{
	struct in_addr a;

	memset(rt, 0, sizeof(*rt));
	if (o->gw_mac) {
		fprintf(stderr, "echoscan: -G/--gateway-mac sets the next hop of raw frames: over "
			"ICMP datagram sockets (--tx dgram, or without CAP_NET_RAW) the kernel "
			"routes each probe: drop -G\n");
		return -1;
	}
	if (o->ifname && snprintf(rt->ifname, sizeof(rt->ifname), "%s", o->ifname) >=
			 (int)sizeof(rt->ifname)) {
		fprintf(stderr, "echoscan: -i %s: interface name too long\n", o->ifname);
		return -1;
	}
	if (o->source) {
		if (inet_pton(AF_INET, o->source, &a) != 1) {
			fprintf(stderr, "echoscan: -S %s: not an IPv4 address\n", o->source);
			return -1;
		}
		rt->source = addr4(ntohl(a.s_addr));
	}
	return 0;
}

static void fmt_rate(char *buf, size_t len, double r)
{
	if (r >= 1e6)
		snprintf(buf, len, "%.2f Mp/s", r / 1e6);
	else if (r >= 1e3)
		snprintf(buf, len, "%.1f Kp/s", r / 1e3);
	else
		snprintf(buf, len, "%.0f p/s", r);
}

static double send_seconds(const struct es_scan_summary *c, uint64_t now)
{
	uint64_t end = c->send_end_ns ? c->send_end_ns : now;

	return c->send_start_ns && end > c->send_start_ns ? (double)(end - c->send_start_ns) / 1e9 : 0;
}

static void print_status(struct sweep *sw, uint64_t now, uint64_t cooldown_end)
{
	struct es_scan_summary c = summary(sw);
	char el[32], prog[96], rate[32];
	double secs, hitrate;
	struct progress_in p;

	secs = send_seconds(&c, now);
	/* hits count the hosts a resumed scan found before; its rate does not */
	hitrate = c.stats.sent && c.stats.up >= sw->resumed_hosts
		? 100.0 * (double)(c.stats.up - sw->resumed_hosts) / (double)c.stats.sent : 0.0;
	p = (struct progress_in){
		.sent = c.stats.sent, .total = c.stats.total, .passes = c.passes_started,
		.done_before = sw->resumed_at,
		.loop = sw->o->loop, .cooling = c.send_end_ns != 0, .send_secs = secs,
		.cooldown_left_s = cooldown_end > now ? (cooldown_end - now) / 1000000000ull : 0,
		.cooldown_s = sw->o->cooldown_ns / 1000000000ull,
	};
	progress_fmt(prog, sizeof(prog), &p);
	progress_clock(el, sizeof(el), (now - sw->start_ns) / 1000000000ull);
	fmt_rate(rate, sizeof(rate), secs > 0 ? (double)c.stats.sent / secs : 0);
	fprintf(stderr, "%s %s; sent: %llu %s; hits: %llu (%.2f%%); pcap drops: %llu\n",
		el, prog, (unsigned long long)c.stats.sent, rate, (unsigned long long)c.stats.up,
		hitrate, (unsigned long long)c.stats.dropped);
}

/* "12 (checksum 3, mac 9)": the reasons that occurred, in enum order. */
static void fmt_invalid(char *buf, size_t len, const struct es_scan_summary *c)
{
	size_t o = (size_t)snprintf(buf, len, "%llu", (unsigned long long)c->stats.invalid);
	const char *sep = " (";

	for (unsigned i = 0; i < ES_INVALID_REASONS && es_invalid_reason_name(i) && o < len; i++) {
		if (!c->invalid_by_reason[i])
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s %llu", sep, es_invalid_reason_name(i),
				      (unsigned long long)c->invalid_by_reason[i]);
		sep = ", ";
	}
	if (c->stats.invalid && o < len)
		snprintf(buf + o, len - o, ")");
}

/* The highest -S address, as text in buf. */
static const char *last_source(const struct options *o, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { htonl(o->sources.addr[o->sources.n - 1]) };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN) ? buf : "?";
}

static void print_summary(struct sweep *sw, uint64_t now)
{
	struct es_scan_summary c = summary(sw);
	char rate[32], shard[96] = "", invalid[256], last[INET_ADDRSTRLEN], tx[64];
	double secs;

	fmt_invalid(invalid, sizeof(invalid), &c);
	secs = send_seconds(&c, now);
	fmt_rate(rate, sizeof(rate), secs > 0 ? (double)c.stats.sent / secs : 0);
	snprintf(tx, sizeof(tx), "%s", es_scan_backend_name(sw->scan));
	if (es_scan_sender_threads(sw->scan) > 1)
		snprintf(tx, sizeof(tx), "%s, %u sender threads", es_scan_backend_name(sw->scan),
			 es_scan_sender_threads(sw->scan));
	if (sw->o->shards > 1)
		snprintf(shard, sizeof(shard), " (shard %u of %u; %llu in all)", sw->o->shard,
			 sw->o->shards, (unsigned long long)sw->targets);
	fprintf(stderr,
		"--- echoscan summary ---\n"
		"targets: %llu%s\n"
		"probes sent: %llu%s\n"
		"valid replies: %llu\n"
		"hosts up: %llu\n"
		"unreachable: %llu\n"
		"other icmp errors: %llu\n"
		"invalid: %s\n"
		"pcap drops: %llu\n"
		"duration: %.2f s\n"
		"send rate: %s (%s)\n",
		(unsigned long long)c.stats.targets, shard, (unsigned long long)c.stats.sent,
		c.stats.send_errors ? " (some refused by the kernel)" : "",
		(unsigned long long)c.stats.valid, (unsigned long long)c.stats.up,
		(unsigned long long)c.stats.unreach, (unsigned long long)c.errors_other,
		invalid, (unsigned long long)c.stats.dropped,
		(double)(now - sw->start_ns) / 1e9, rate, tx);
	if (sw->o->rx_xdp)
		fprintf(stderr, "receiver: %s\n",
			es_scan_receiver_name(sw->scan));
	if (es_scan_backend_auto(sw->scan))
		fprintf(stderr, "tx auto: %s\n", es_scan_backend_auto(sw->scan));
	if (sw->o->pcap)
		fprintf(stderr, "pcap file: %llu frames (%s)\n",
			(unsigned long long)c.pcap_written, sw->o->pcap);
	if (sw->o->sources.n > 1)
		fprintf(stderr, "source addresses: %zu (%s to %s, spread by target)\n",
			sw->o->sources.n, sw->o->sources.first, last_source(sw->o, last));
	/* the rate is a ceiling: a sender held up caught up at 17/16 of it */
	if (sw->o->rate && c.behind_max_ns >= 1000000)
		fprintf(stderr, "behind schedule: %.1f ms at most (caught up at 17/16 of the rate)\n",
			(double)c.behind_max_ns / 1e6);
	if (c.arp_sent)
		fprintf(stderr, "arp requests: %llu (on-link hosts resolved: %llu)\n",
			(unsigned long long)c.arp_sent, (unsigned long long)c.arp_resolved);
	/* what reproduces the run (or shards it afterwards): the order's seed */
	fprintf(stderr, "skipped (reserved): %llu\nseed: %llu\n",
		(unsigned long long)sw->o->skipped_reserved, (unsigned long long)sw->seed);
}

/* Writes every queued result. Returns the number written, -1 on failure. */
static long drain(struct sweep *sw)
{
	long total = 0;
	int n;

	while ((n = es_scan_next_results(sw->scan, sw->buf, DRAIN_BATCH)) > 0) {
		for (int i = 0; i < n; i++) {
			const struct es_reply *r = &sw->buf[i];

			if (check_write(sw, writer_result(&sw->w, r)) < 0)
				return -1;
			if (sw->rr && r->success && !r->repeat && r->target.family == 4 &&
			    resume_note(sw->rr, num4(&r->target)) < 0) {
				fprintf(stderr, "echoscan: writing %s: %s\n", sw->rr->hosts_path,
					strerror(errno));
				return -1;
			}
		}
		total += (long)n;
	}
	return total;
}

static int write_addr_row(struct sweep *sw, const es_host_table *h, const struct es_addr *a,
			  uint64_t sent, uint64_t ts)
{
	struct es_host_stats hs;

	memset(&hs, 0, sizeof(hs));
	if (es_host_table_get(h, a, sent, &hs, sizeof(hs)) != ES_OK)
		hs = (struct es_host_stats){ .address = *a, .transmitted = (unsigned long)sent,
			.rtt_min_ns = -1, .rtt_avg_ns = -1, .rtt_max_ns = -1, .rtt_mdev_ns = -1,
			.jitter_ns = -1 };
	hs.ts_ns = ts;
	return check_write(sw, writer_stats(&sw->w, &hs));
}

static int write_row(struct sweep *sw, const es_host_table *h, uint32_t addr,
		     uint64_t sent, uint64_t ts)
{
	struct es_addr a = addr4(addr);

	return write_addr_row(sw, h, &a, sent, ts);
}

/* The IPv6 target of rank (after every IPv4 one in the index space). */
static struct es_addr target6(const struct sweep *sw, uint64_t rank)
{
	struct es_addr a;

	memset(&a, 0, sizeof(a));
	es_targets_at(sw->o->set, es_targets_count4(sw->o->set) + rank, &a);
	return a;
}

/* An IPv6 target's row. */
static int write_row6(struct sweep *sw, const es_host_table *h, uint64_t rank,
		      uint64_t sent, uint64_t ts)
{
	struct es_addr a = target6(sw, rank);

	return write_addr_row(sw, h, &a, sent, ts);
}

/* The text width of IPv6 rank's address. */
static unsigned addr6_len(const struct sweep *sw, uint64_t rank)
{
	struct es_addr a = target6(sw, rank);
	char buf[ES_ADDRSTRLEN];

	return (unsigned)strlen(es_addr_format(&a, buf, sizeof(buf)));
}

#define ADDR_LEN_MAX 15   /* 255.255.255.255 */

/* Text rows: the colons line up over the whole report, as fping's do. */
static unsigned widest_target(const es_targets *t)
{
	struct es_addr lo, hi;
	unsigned w = 0;

	for (size_t i = 0; i < es_targets_nranges(t) && w < ADDR_LEN_MAX; i++) {
		if (es_targets_range(t, i, &lo, &hi) != ES_OK || lo.family != 4)
			break;
		for (uint64_t a = num4(&lo); a <= num4(&hi) && w < ADDR_LEN_MAX; a++)
			if (writer_addr_len((uint32_t)a) > w)
				w = writer_addr_len((uint32_t)a);
	}
	return w;
}

/* Every target once per pass: rows in address order, no replay needed. */
static int rows_all_targets(struct sweep *sw, const es_host_table *h, uint64_t sent, uint64_t ts)
{
	const es_targets *t = sw->o->set;
	uint64_t n6 = es_targets_count6(t);
	struct es_addr lo, hi;

	if (sw->o->format == OUT_TEXT) {
		unsigned w = widest_target(t);

		for (uint64_t k = 0; k < n6 && w < ES_ADDRSTRLEN - 1; k++)
			if (addr6_len(sw, k) > w)
				w = addr6_len(sw, k);
		writer_set_addr_width(&sw->w, w);
	}
	for (size_t i = 0; i < es_targets_nranges(t); i++) {
		if (es_targets_range(t, i, &lo, &hi) != ES_OK || lo.family != 4)
			break;
		for (uint64_t a = num4(&lo); a <= num4(&hi); a++)
			if (write_row(sw, h, (uint32_t)a, sent, ts) < 0)
				return -1;
	}
	for (uint64_t k = 0; k < n6; k++)
		if (write_row6(sw, h, k, sent, ts) < 0)
			return -1;
	return 0;
}

/* Not every target got the same number of probes (-n, shards, an
 * interrupted pass): replay the permutation to learn who got how many. */
static int rows_replayed(struct sweep *sw, const es_host_table *h, uint64_t full,
			 uint64_t partial, uint64_t per_pass, uint64_t ts)
{
	const struct options *o = sw->o;
	uint64_t steps = full ? per_pass : partial, idx, k = 0;
	es_order *pm = NULL;
	Pvoid_t sent = NULL;
	Word_t addr = 0;
	PWord_t pv;
	unsigned width = 0;
	int rc = 0;

	uint64_t n4 = es_targets_count4(o->set);

	if (es_order_new(&pm, es_targets_count(o->set), sw->seed, o->shards, o->shard) != ES_OK) {
		fprintf(stderr, "echoscan: cannot replay the probe order for the statistics\n");
		return -1;
	}
	for (; k < steps && es_order_next(pm, &idx); k++) {
		struct es_addr a;

		/* IPv6 targets under KEY6(rank): after every IPv4 address */
		if (idx < n4)
			es_targets_at(o->set, idx, &a);
		pv = (PWord_t)JudyLIns(&sent, idx < n4 ? num4(&a) : KEY6(idx - n4), PJE0);
		if (pv == (PWord_t)PPJERR) {
			JudyLFreeArray(&sent, PJE0);
			es_order_free(&pm);
			fprintf(stderr, "echoscan: out of memory for the statistics records\n");
			return -1;
		}
		*pv = full + (k < partial);
	}
	es_order_free(&pm);
	/* text rows: the colons line up over the hosts of this report */
	for (pv = (PWord_t)JudyLFirst(sent, &addr, PJE0); pv && sw->o->format == OUT_TEXT;
	     pv = (PWord_t)JudyLNext(sent, &addr, PJE0)) {
		unsigned len = addr >> 32 ? addr6_len(sw, addr - KEY6(0)) :
			       writer_addr_len((uint32_t)addr);

		if (len > width)
			width = len;
	}
	writer_set_addr_width(&sw->w, width);
	addr = 0;
	for (pv = (PWord_t)JudyLFirst(sent, &addr, PJE0); pv && rc == 0;
	     pv = (PWord_t)JudyLNext(sent, &addr, PJE0))
		rc = addr >> 32 ? write_row6(sw, h, addr - KEY6(0), *pv, ts) :
				  write_row(sw, h, (uint32_t)addr, *pv, ts);
	JudyLFreeArray(&sent, PJE0);
	return rc;
}

/* One record per probed host: what --stats prints at the end, and what
 * --loop prints for each period (passes = passes begun in the period). */
static int write_stats(struct sweep *sw, const es_host_table *h, uint64_t passes,
		       uint64_t pass_sent, bool partial_known)
{
	struct es_scan_summary c = summary(sw);
	uint64_t ts = realtime_ns(), full = passes, partial = 0;

	if (partial_known && passes && pass_sent < c.stats.targets) {
		full = passes - 1;
		partial = pass_sent;
	}
	if (full == 0 && partial == 0)
		return 0;  /* nothing sent in this period: no rows of 0/0 */
	if (sw->o->format == OUT_TEXT && sw->o->loop) {
		char hdr[32];
		time_t now = (time_t)(ts / 1000000000ull);
		struct tm tm;

		strftime(hdr, sizeof(hdr), "[%H:%M:%S]", localtime_r(&now, &tm));
		if (check_write(sw, writer_line(&sw->w, hdr)) < 0)
			return -1;
	}
	if (partial == 0 && c.stats.targets == es_targets_count(sw->o->set))
		return rows_all_targets(sw, h, full, ts);
	return rows_replayed(sw, h, full, partial, c.stats.targets, ts);
}

/* --loop: hands the period's statistics over and prints them. */
static int loop_report(struct sweep *sw)
{
	struct es_scan_summary c = summary(sw);
	es_host_table *period = NULL;
	int rc = 0;

	if (es_scan_rotate_host_stats(sw->scan, &period, 1000) == ES_OK)
		rc = write_stats(sw, period, c.passes_started - sw->report_passes, 0, false);
	sw->report_passes = c.passes_started;
	es_host_table_free(&period);
	if (rc == 0)
		rc = check_write(sw, writer_flush(&sw->w));
	return rc;
}

/* The signals: the first stops sending (the cooldown follows), the second
 * ends the cooldown, one while the receiver drains stops waiting for it. */
static void handle_interrupts(struct sweep *sw)
{
	struct es_scan_summary c;

	if (interrupts <= sw->handled_interrupts)
		return;
	sw->handled_interrupts = interrupts;
	if (es_scan_state(sw->scan) == ES_SCAN_SENDING) {
		es_scan_stop_sending(sw->scan);
		return;
	}
	c = summary(sw);
	if (c.listen_end_ns == 0)
		es_scan_stop(sw->scan);      /* cooling: end the cooldown */
	else
		es_scan_abandon(sw->scan);   /* still draining: give up on it */
}

/* --resume: a checkpoint of what is final. Replies to probes sent a window
 * before `now` have arrived, unless the receiver stopped listening earlier;
 * once it listened a whole window after the last probe, all of them have. */
static int resume_save_now(struct sweep *sw, uint64_t now, bool complete)
{
	const struct resume_window *w = &sw->rr->win;
	struct es_scan_summary c = summary(sw);
	uint64_t pos;
	char err[1024];

	if (c.listen_end_ns && c.listen_end_ns < now)
		now = c.listen_end_ns;
	pos = resume_window_safe(w, now);
	if (c.send_end_ns && now >= c.send_end_ns + w->window_ns)
		pos = c.position;
	if (resume_checkpoint(sw->rr, sw->out, pos, complete, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	}
	return 0;
}

/* --resume: samples the sender's progress, and every SAVE_EVERY_NS writes
 * out every result queued so far and saves a checkpoint. */
static int resume_tick(struct sweep *sw, uint64_t now)
{
	struct es_scan_summary c = summary(sw);  /* position first: it was reached by then */

	resume_window_sample(&sw->rr->win, es_now_ns(), c.position);
	if (now < sw->next_save)
		return 0;
	sw->next_save = now + SAVE_EVERY_NS;
	now = es_now_ns();
	if (drain(sw) < 0 || check_write(sw, writer_flush(&sw->w)) < 0)
		return -1;
	return resume_save_now(sw, now, false);
}

/* How long the main thread may sleep: until the next thing it must do by
 * the clock; results, the end of sending and the receiver's end wake it
 * (the scan's descriptor), a signal interrupts it. */
static uint64_t wait_ns(const struct sweep *sw, enum es_scan_state st, uint64_t now,
			uint64_t next_flush, uint64_t next_status, uint64_t next_report,
			uint64_t cool_end)
{
	uint64_t until = next_flush;

	if (sw->tty_status && next_status < until)
		until = next_status;
	if (sw->o->loop && st == ES_SCAN_SENDING && next_report < until)
		until = next_report;
	if (cool_end < until)
		until = cool_end;
	/* --resume: progress samples at the window's spacing, checkpoints */
	if (sw->rr && now + sw->rr->win.spacing_ns < until)
		until = now + sw->rr->win.spacing_ns;
	return until > now ? until - now : 0;
}

/* Sleeps until the scan has news (its descriptor polls readable), a signal
 * comes, or ns pass. */
static void wait_news(const struct sweep *sw, uint64_t ns)
{
	struct pollfd pfd = { es_scan_fd(sw->scan), POLLIN, 0 };
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	ppoll(&pfd, 1, &ts, NULL);
}

/* When the cooldown ends (the scan's timer), or UINT64_MAX. */
static uint64_t cool_end_of(const struct sweep *sw, uint64_t now)
{
	int ms = es_scan_timeout_ms(sw->scan);

	return ms < 0 ? UINT64_MAX : now + (uint64_t)ms * MS;
}

static int main_loop(struct sweep *sw)
{
	uint64_t now = es_now_ns(), next_flush = now + FLUSH_EVERY_NS;
	uint64_t next_status = now + STATUS_EVERY_NS, cool_end;
	/* half an interval late, so a period ends between two passes */
	uint64_t next_report = now + sw->o->report_every_ns + sw->o->interval_ns / 2;
	enum es_scan_state st;

	for (;;) {
		long n = drain(sw);
		int rc;

		if (n < 0)
			return -1;
		handle_interrupts(sw);
		/* sending ended: cool down; after that, drain; then the end */
		rc = es_scan_process(sw->scan);
		if (rc <= 0) {
			sw->end_rc = rc;
			return drain(sw) < 0 ? -1 : 0;
		}
		now = es_now_ns();
		st = es_scan_state(sw->scan);
		cool_end = cool_end_of(sw, now);
		if (now >= next_flush) {
			if (check_write(sw, writer_flush(&sw->w)) < 0)
				return -1;
			next_flush = now + FLUSH_EVERY_NS;
		}
		if (sw->o->loop && st == ES_SCAN_SENDING && now >= next_report) {
			if (loop_report(sw) < 0)
				return -1;
			next_report += sw->o->report_every_ns;
		}
		if (sw->rr && resume_tick(sw, now) < 0)
			return -1;
		if (sw->tty_status && now >= next_status) {
			print_status(sw, now, st == ES_SCAN_COOLING ? cool_end :
				     now + sw->o->cooldown_ns);
			next_status += STATUS_EVERY_NS;
		}
		if (n == 0)
			wait_news(sw, wait_ns(sw, st, now, next_flush, next_status,
					      next_report, cool_end));
	}
}

/* --resume: loads or creates the state (before privileges are dropped: it
 * opens FILE.hosts); a resumed scan takes the saved seed and starts at the
 * saved position. Returns 0, 1 if the saved scan is complete, -1 on error. */
static int resume_open(struct sweep *sw, uint64_t *seed, uint64_t *start_position)
{
	const struct options *o = sw->o;
	uint64_t window = o->cooldown_ns > 1000 * MS ? o->cooldown_ns : 1000 * MS;
	struct resume_params par;
	char err[1024];

	sw->rr = calloc(1, sizeof(*sw->rr));
	if (!sw->rr) {
		fprintf(stderr, "echoscan: out of memory\n");
		return -1;
	}
	resume_params_fill(&par, o, *seed);
	switch (resume_begin(sw->rr, o->resume, &par, o->seed_given, window, err, sizeof(err))) {
	case RESUME_ERROR:
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	case RESUME_DONE:
		if (!o->quiet)
			fprintf(stderr, "echoscan: %s: this scan is complete (%llu hosts reported); "
				"delete it and %s to scan again\n", sw->rr->path,
				(unsigned long long)sw->rr->st.hosts, sw->rr->hosts_path);
		sw->resume_done_rc = sw->rr->st.hosts ? 0 : 1;
		return 1;
	case RESUME_CONTINUE:
		if (!o->quiet)
			fprintf(stderr, "echoscan: resuming %s at probe %llu of %llu (%zu hosts reported before)\n",
				sw->rr->path, (unsigned long long)sw->rr->st.position,
				(unsigned long long)sw->rr->st.total, sw->rr->npreload);
		break;
	case RESUME_FRESH:
		break;
	}
	*seed = sw->seed = sw->rr->st.par.seed;
	*start_position = sw->resumed_at = sw->rr->st.position;
	sw->resumed_hosts = sw->rr->npreload;
	return 0;
}

/* --resume, once the engine is open and the output ready: hosts already
 * reported are marked, and a first checkpoint proves the state can be
 * written (as the user privileges were dropped to) before anything is sent. */
static int resume_started(struct sweep *sw)
{
	struct es_scan_summary c = summary(sw);
	struct es_addr *pre;
	char err[1024];
	int rc;

	if (resume_set_total(sw->rr, c.stats.targets * sw->o->probes, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	}
	pre = calloc(sw->rr->npreload ? sw->rr->npreload : 1, sizeof(*pre));
	for (size_t i = 0; pre && i < sw->rr->npreload; i++)
		pre[i] = addr4(sw->rr->preload[i]);
	rc = pre ? es_scan_preload_hosts(sw->scan, pre, sw->rr->npreload) : ES_ENOMEM;
	free(pre);
	if (rc != ES_OK) {
		fprintf(stderr, "echoscan: out of memory loading %zu hosts already reported\n",
			sw->rr->npreload);
		return -1;
	}
	if (check_write(sw, writer_flush(&sw->w)) < 0)
		return -1;
	return resume_save_now(sw, es_now_ns(), false);
}

/* The -S addresses as ranges of consecutive ones, for the configuration. */
static int add_sources(es_scan_config *c, const struct options *o)
{
	for (size_t i = 0, j; i < o->sources.n; i = j) {
		struct es_addr lo = addr4(o->sources.addr[i]), hi;
		char a[ES_ADDRSTRLEN], b[ES_ADDRSTRLEN], spec[2 * ES_ADDRSTRLEN];

		for (j = i + 1; j < o->sources.n && o->sources.addr[j] == o->sources.addr[j - 1] + 1; j++)
			;
		hi = addr4(o->sources.addr[j - 1]);
		snprintf(spec, sizeof(spec), "%s-%s", es_addr_format(&lo, a, sizeof(a)),
			 es_addr_format(&hi, b, sizeof(b)));
		if (es_scan_config_add_source(c, spec) != ES_OK)
			return -1;
	}
	return 0;
}

/* The configuration from the options. Returns 0, or -1 having printed why. */
static int configure(es_scan_config *c, const struct options *o, uint64_t seed,
		     uint64_t start_position)
{
	int bad = 0;

	bad |= es_scan_config_set_targets(c, o->set);
	bad |= es_scan_config_set_max_targets(c, o->max_targets);
	bad |= es_scan_config_set_seed(c, seed);
	bad |= es_scan_config_set_shard(c, o->shards, o->shard);
	bad |= es_scan_config_set_rate(c, o->rate);
	bad |= es_scan_config_set_probes(c, o->probes);
	bad |= es_scan_config_set_interval(c, o->interval_ns);
	bad |= es_scan_config_set_max_runtime(c, o->max_runtime_ns);
	bad |= es_scan_config_set_cooldown(c, o->cooldown_ns);
	/* without -c: at most cooldown_ns, 4x the slowest reply */
	bad |= es_scan_config_set_cooldown_mode(c, o->cooldown_given ? ES_COOLDOWN_FIXED :
						ES_COOLDOWN_AUTO);
	bad |= es_scan_config_set_ttl(c, o->ttl);
	bad |= es_scan_config_set_size(c, o->size);
	bad |= es_scan_config_set_mode(c, o->tx_dgram ? ES_MODE_DGRAM : ES_MODE_AUTO);
	if (o->backend)
		bad |= es_scan_config_set_backend(c, o->backend);
	if (o->rx_xdp)
		bad |= es_scan_config_set_receiver(c, "xdp");
	bad |= es_scan_config_set_report_all(c, o->report_all);
	bad |= es_scan_config_set_host_stats(c, o->stats);
	bad |= es_scan_config_set_loop(c, o->loop);
	bad |= es_scan_config_set_pcap(c, o->pcap, o->pcap_all);
	bad |= es_scan_config_set_sender_threads(c, o->sender_threads);
	bad |= es_scan_config_set_start_position(c, start_position);
	if (bad) {
		fprintf(stderr, "echoscan: cannot configure the scan (an option out of the "
			"library's range)\n");
		return -1;
	}
	if (o->ifname && es_scan_config_set_interface(c, o->ifname) != ES_OK) {
		fprintf(stderr, "echoscan: interface %s does not exist: see 'ip link' for the "
			"names\n", o->ifname);
		return -1;
	}
	if ((o->sources.n > 1 ? add_sources(c, o) : es_scan_config_set_source(c, o->source)) < 0) {
		fprintf(stderr, "echoscan: -S %s: not an IPv4 address (use a.b.c.d)\n", o->source);
		return -1;
	}
	if (es_scan_config_set_gateway_mac(c, o->gw_mac) != ES_OK) {
		fprintf(stderr, "echoscan: -G %s: not a MAC address (use aa:bb:cc:dd:ee:ff)\n",
			o->gw_mac);
		return -1;
	}
	return 0;
}

static int prepare(struct sweep *sw, struct options *o)
{
	es_scan_config *c = NULL;
	uint64_t seed = seed_or_random(o), start_position = 0;
	struct es_addr first;
	char err[512];
	int rc;

	sw->seed = seed;
	if (o->resume && (rc = resume_open(sw, &seed, &start_position)) != 0)
		return rc;
	/* ICMP datagram sockets (asked, or no CAP_NET_RAW): the kernel routes */
	sw->dgram = o->tx_dgram || (!o->backend && es_mode_auto() == ES_MODE_DGRAM);
	if (sw->dgram && dgram_route(o, &sw->route) < 0)
		return -1;
	if (es_scan_config_new(&c) != ES_OK) {
		fprintf(stderr, "echoscan: out of memory\n");
		return -1;
	}
	rc = configure(c, o, seed, start_position);
	if (rc == 0 && es_scan_open(&sw->scan, c, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "echoscan: %s\n", err);
		rc = -1;
	}
	es_scan_config_free(&c);
	if (rc < 0)
		return -1;
	/* -m names one path: the first target's */
	if (!sw->dgram && es_targets_count4(o->set) && es_targets_at(o->set, 0, &first) == ES_OK)
		es_scan_route_of(sw->scan, &first, &sw->route, sizeof(sw->route));
	if (open_output(sw, o->output) < 0 || open_metadata(sw) < 0)
		return -1;
	if (privs_drop(err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	}
	writer_init(&sw->w, sw->out, o->format, o->stats ? REC_STATS : REC_RESULT, &o->fields);
	/* a resumed file has its header already */
	if (sw->rr && sw->rr->resumed && sw->rr->st.out_offset >= 0)
		sw->w.header_done = true;
	else if (check_write(sw, writer_header(&sw->w)) < 0)
		return -1;
	return sw->rr ? resume_started(sw) : 0;
}

/* -m: the run's record, from the same counters as the summary. Returns the
 * exit status (2 if the record cannot be written). */
static int write_metadata(struct sweep *sw, int rc)
{
	struct es_scan_summary c = summary(sw);
	es_order *pm = NULL;
	uint64_t now = es_now_ns(), end = realtime_ns();
	struct metadata_run m = {
		.o = sw->o, .c = &c, .seed = sw->seed, .route = sw->dgram ? NULL : &sw->route,
		.targets_total = sw->targets,
		.start_ns = sw->start_rt_ns ? sw->start_rt_ns : end, .end_ns = end,
		.interrupted = interrupts > 0, .exit_status = rc,
	};

	if (!sw->meta)
		return rc;
	if (sw->scan) {
		m.tx_backend = es_scan_backend_name(sw->scan);
		m.tx_auto = es_scan_backend_auto(sw->scan);
		m.send_rate = send_seconds(&c, now) > 0 ? (double)c.stats.sent /
			      send_seconds(&c, now) : 0;
	}
	if (sw->start_ns)
		m.duration_s = (double)(now - sw->start_ns) / 1e9;
	if (es_order_new(&pm, sw->targets, sw->seed, sw->o->shards, sw->o->shard) == ES_OK)
		m.targets_shard = es_order_size(pm);
	es_order_free(&pm);
	if (metadata_write(sw->meta, &m) < 0 || fclose(sw->meta) != 0) {
		fprintf(stderr, "echoscan: writing the metadata to %s: %s\n",
			sw->o->record.metadata, strerror(errno ? errno : EIO));
		rc = 2;
	}
	sw->meta = NULL;
	return rc;
}

static int finish(struct sweep *sw, int loop_rc)
{
	struct es_scan_summary c;
	const es_host_table *table = NULL;
	int frc;

	/* the output failed or went away: stop everything now */
	if (loop_rc < 0)
		es_scan_abandon(sw->scan);
	frc = es_scan_wait(sw->scan, -1);
	c = summary(sw);
	if (loop_rc == 0 && drain(sw) < 0)
		loop_rc = -1;
	if (loop_rc == 0 && sw->o->stats && es_scan_host_table(sw->scan, &table) == ES_OK)
		/* looping, the last period may end inside a pass (Ctrl-C) */
		loop_rc = write_stats(sw, table,
				      c.passes_started - (sw->o->loop ? sw->report_passes : 0),
				      c.pass_sent, true);
	if (loop_rc == 0)
		loop_rc = check_write(sw, writer_flush(&sw->w));
	/* complete: every probe sent and the cooldown waited (or all answered) */
	if (loop_rc == 0 && sw->rr && !sw->pipe_closed)
		loop_rc = resume_save_now(sw, es_now_ns(),
					  c.position == c.stats.targets * sw->o->probes && !interrupts);
	if (sw->pipe_closed)
		return 0;  /* the reader has what it wanted: end quietly */
	if (!sw->o->quiet)
		print_summary(sw, es_now_ns());
	if (frc != ES_OK) {
		fprintf(stderr, "echoscan: %s\n", es_scan_error(sw->scan));
		return 2;
	}
	if (c.hosts_oom) {
		fprintf(stderr, "echoscan: out of memory for the host tables: hosts up, unreachable "
			"and --stats records may be short (split the targets with --shards)\n");
		return 2;
	}
	if (loop_rc < 0)
		return 2;
	return c.stats.up > 0 ? 0 : 1;
}

int sweep_run(struct options *o)
{
	struct sweep *sw = calloc(1, sizeof(*sw));
	int rc = 2;

	if (!sw) {
		fprintf(stderr, "echoscan: out of memory\n");
		return 2;
	}
	sw->o = o;
	sw->targets = es_targets_count(o->set);
	sw->tty_status = !o->quiet && (o->status || isatty(STDERR_FILENO));
	install_signals();
	if (prepare(sw, o) == 0) {
		sw->start_ns = es_now_ns();
		sw->start_rt_ns = realtime_ns();
		if (es_scan_start(sw->scan, NULL, NULL, NULL) != ES_OK)
			fprintf(stderr, "echoscan: %s\n", es_scan_error(sw->scan));
		else
			rc = finish(sw, main_loop(sw));
	} else if (sw->pipe_closed) {
		rc = 0;
	} else if (sw->rr && sw->rr->st.done) {
		rc = sw->resume_done_rc;
	}
	rc = write_metadata(sw, rc);
	es_scan_close(&sw->scan);
	close_output(sw);
	if (sw->rr) {
		resume_end(sw->rr);
		free(sw->rr);
	}
	free(sw);
	return rc;
}
