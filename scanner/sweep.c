/*
 * sweep.c — the main thread of a sweep (see sweep.h): it owns the output
 * writer, the status line and the signals, while the engine's sender and
 * receiver threads do the packet work. Results are written as they arrive and
 * flushed at least every 500 ms, so a pipe reader sees them promptly.
 */
#include "scanner/sweep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <Judy.h>

#include "engine/clock.h"
#include "engine/dgram.h"
#include "engine/es_api.h"
#include "engine/hosts.h"
#include "engine/rate.h"
#include "engine/scan.h"
#include "output/writer.h"
#include "scanner/metadata.h"
#include "engine/cooldown.h"
#include "engine/permute.h"
#include "scanner/privs.h"
#include "scanner/progress.h"
#include "scanner/resume.h"

#define MS              1000000ull
#define FLUSH_EVERY_NS  (500 * MS)
#define STATUS_EVERY_NS (1000 * MS)
#define DRAIN_BATCH     4096
#define SAVE_EVERY_NS   (500 * MS)  /* --resume checkpoints */

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
	struct scan *scan;
	uint64_t seed;
	uint64_t report_passes;      /* passes_started at the last --loop report */
	struct writer w;
	FILE *out;
	uint64_t start_ns, targets;
	uint64_t start_rt_ns;        /* wall clock at the start, for -m */
	struct route_info route;
	bool dgram;                  /* ICMP datagram sockets: no route of ours */     /* for -m */
	FILE *meta;                  /* -m FILE, opened while privileged */
	bool tty_status, pipe_closed;
	bool cool_cut;               /* a SIGINT ended the cooldown */
	int handled_interrupts;
	struct resume_run *rr;       /* --resume, or NULL */
	uint64_t next_save;
	int resume_done_rc;          /* the saved scan was complete: exit status */
	uint64_t resumed_at;         /* probes done before this run (--resume) */
	uint64_t resumed_hosts;      /* hosts reported before this run */
	struct es_result buf[DRAIN_BATCH];
};

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
	struct permute pm;
	uint64_t idx, per_pass, count;
	int rc = 0;

	install_signals();
	if (open_output(&sw, o->output) < 0)
		return 2;
	if (permute_init(&pm, ipset_count(&o->targets) + ip6set_count(&o->targets6),
			 seed_or_random(o), o->shards, o->shard) < 0) {
		fprintf(stderr, "echoscan: cannot order the targets\n");
		return 2;
	}
	per_pass = o->max_targets ? o->max_targets : UINT64_MAX;
	/* through the writer: whole lines only, even on a full disk */
	writer_init(&sw.w, sw.out, o->format, REC_RESULT, NULL);
	if (o->format == OUT_CSV)
		rc = writer_line(&sw.w, "daddr,probe");
	for (unsigned p = 0; p < o->probes && rc == 0 && !interrupts; p++) {
		permute_rewind(&pm);
		for (count = 0; count < per_pass && permute_next(&pm, &idx) && rc == 0; count++) {
			uint64_t n4 = ipset_count(&o->targets);
			struct es_addr a = idx < n4 ? es_addr_v4(ipset_at(&o->targets, idx)) :
					   ip6set_at(&o->targets6, idx - n4);
			char ip[ES_ADDR_STRLEN], line[96];

			es_addr_text(&a, ip, sizeof(ip));
			if (o->format == OUT_JSON)
				snprintf(line, sizeof(line), "{\"daddr\":\"%s\",\"probe\":%u}", ip, p);
			else if (o->format == OUT_TEXT)
				snprintf(line, sizeof(line), "%s", ip);
			else
				snprintf(line, sizeof(line), "%s,%u", ip, p);
			rc = writer_line(&sw.w, line);
		}
	}
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
static int dgram_route(const struct options *o, struct route_info *rt)
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
		rt->saddr = ntohl(a.s_addr);
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

static double send_seconds(const struct scan_counters *c, uint64_t now)
{
	uint64_t end = c->send_end_ns ? c->send_end_ns : now;

	return c->send_start_ns && end > c->send_start_ns ? (double)(end - c->send_start_ns) / 1e9 : 0;
}

static void print_status(struct sweep *sw, uint64_t now, uint64_t cooldown_end)
{
	struct scan_counters c;
	char el[32], prog[96], rate[32];
	double secs, hitrate;
	struct progress_in p;

	scan_counters(sw->scan, &c);
	secs = send_seconds(&c, now);
	/* hits count the hosts a resumed scan found before; its rate does not */
	hitrate = c.sent && c.up >= sw->resumed_hosts
		? 100.0 * (double)(c.up - sw->resumed_hosts) / (double)c.sent : 0.0;
	p = (struct progress_in){
		.sent = c.sent, .total = c.total, .passes = c.passes_started,
		.done_before = sw->resumed_at,
		.loop = sw->o->loop, .cooling = c.send_end_ns != 0, .send_secs = secs,
		.cooldown_left_s = cooldown_end > now ? (cooldown_end - now) / 1000000000ull : 0,
		.cooldown_s = sw->o->cooldown_ns / 1000000000ull,
	};
	progress_fmt(prog, sizeof(prog), &p);
	progress_clock(el, sizeof(el), (now - sw->start_ns) / 1000000000ull);
	fmt_rate(rate, sizeof(rate), secs > 0 ? (double)c.sent / secs : 0);
	fprintf(stderr, "%s %s; sent: %llu %s; hits: %llu (%.2f%%); pcap drops: %llu\n",
		el, prog, (unsigned long long)c.sent, rate, (unsigned long long)c.up, hitrate,
		(unsigned long long)c.pcap_drop);
}

/* "12 (checksum 3, mac 9)": the reasons that occurred, in enum order. */
static void fmt_invalid(char *buf, size_t len, const struct scan_counters *c)
{
	size_t o = (size_t)snprintf(buf, len, "%llu", (unsigned long long)c->invalid);
	const char *sep = " (";

	for (unsigned i = 0; i < INVALID_COUNT && o < len; i++) {
		if (!c->invalid_why[i])
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s %llu", sep, invalid_reason_name(i),
				      (unsigned long long)c->invalid_why[i]);
		sep = ", ";
	}
	if (c->invalid && o < len)
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
	struct scan_counters c;
	char rate[32], shard[96] = "", invalid[256], last[INET_ADDRSTRLEN], tx[64];
	double secs;

	scan_counters(sw->scan, &c);
	fmt_invalid(invalid, sizeof(invalid), &c);
	secs = send_seconds(&c, now);
	fmt_rate(rate, sizeof(rate), secs > 0 ? (double)c.sent / secs : 0);
	snprintf(tx, sizeof(tx), "%s", scan_tx_name(sw->scan));
	if (scan_sender_threads(sw->scan) > 1)
		snprintf(tx, sizeof(tx), "%s, %u sender threads", scan_tx_name(sw->scan),
			 scan_sender_threads(sw->scan));
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
		(unsigned long long)c.per_pass, shard, (unsigned long long)c.sent,
		c.send_errors ? " (some refused by the kernel)" : "",
		(unsigned long long)c.valid, (unsigned long long)c.up,
		(unsigned long long)c.unreach, (unsigned long long)c.errors_other,
		invalid, (unsigned long long)c.pcap_drop,
		(double)(now - sw->start_ns) / 1e9, rate, tx);
	if (sw->o->rx_xdp)
		fprintf(stderr, "receiver: %s\n",
			scan_rx_name(sw->scan));
	if (sw->o->pcap)
		fprintf(stderr, "pcap file: %llu frames (%s)\n",
			(unsigned long long)c.pcap_written, sw->o->pcap);
	if (sw->o->sources.n > 1)
		fprintf(stderr, "source addresses: %zu (%s to %s, spread by target)\n",
			sw->o->sources.n, sw->o->sources.first, last_source(sw->o, last));
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
	size_t n;

	while ((n = scan_results(sw->scan, sw->buf, DRAIN_BATCH)) > 0) {
		for (size_t i = 0; i < n; i++) {
			const struct es_result *r = &sw->buf[i];
			struct es_reply rep;

			es_reply_from_result(r, &rep);
			if (check_write(sw, writer_result(&sw->w, &rep)) < 0)
				return -1;
			if (sw->rr && r->success && !r->repeat && resume_note(sw->rr, r->saddr) < 0) {
				fprintf(stderr, "echoscan: writing %s: %s\n", sw->rr->hosts_path,
					strerror(errno));
				return -1;
			}
		}
		total += (long)n;
	}
	return total;
}

static int write_row(struct sweep *sw, const struct hosts *h, uint32_t addr,
		     uint64_t sent, uint64_t ts)
{
	struct host_stats_row row;
	struct es_host_stats hs;

	hosts_stats_row(h, addr, sent, &row);
	row.ts_ns = ts;
	es_host_stats_from_row(&row, &hs);
	return check_write(sw, writer_stats(&sw->w, &hs));
}

/* An IPv6 target's row: its statistics are under HOSTS_KEY6(rank). */
static int write_row6(struct sweep *sw, const struct hosts *h, uint64_t rank,
		      uint64_t sent, uint64_t ts)
{
	struct host_stats_row row;
	struct es_host_stats hs;

	hosts_stats_row_key(h, HOSTS_KEY6(rank), sent, &row);
	row.family = ES_AF6;
	row.saddr6 = ip6set_at(&sw->o->targets6, rank);
	row.ts_ns = ts;
	es_host_stats_from_row(&row, &hs);
	return check_write(sw, writer_stats(&sw->w, &hs));
}

/* The text width of IPv6 rank's address. */
static unsigned addr6_len(const struct sweep *sw, uint64_t rank)
{
	struct es_addr a = ip6set_at(&sw->o->targets6, rank);
	char buf[ES_ADDR_STRLEN];

	return (unsigned)es_addr_text(&a, buf, sizeof(buf));
}

#define ADDR_LEN_MAX 15   /* 255.255.255.255 */

/* Text rows: the colons line up over the whole report, as fping's do. */
static unsigned widest_target(const struct ipset *t)
{
	unsigned w = 0;

	for (size_t i = 0; i < t->n && w < ADDR_LEN_MAX; i++)
		for (uint64_t a = t->r[i].lo; a <= t->r[i].hi && w < ADDR_LEN_MAX; a++)
			if (writer_addr_len((uint32_t)a) > w)
				w = writer_addr_len((uint32_t)a);
	return w;
}

/* Every target once per pass: rows in address order, no replay needed. */
static int rows_all_targets(struct sweep *sw, const struct hosts *h, uint64_t sent, uint64_t ts)
{
	const struct ipset *t = &sw->o->targets;
	uint64_t n6 = ip6set_count(&sw->o->targets6);

	if (sw->o->format == OUT_TEXT) {
		unsigned w = widest_target(t);

		for (uint64_t k = 0; k < n6 && w < ES_ADDR_STRLEN - 1; k++)
			if (addr6_len(sw, k) > w)
				w = addr6_len(sw, k);
		writer_set_addr_width(&sw->w, w);
	}
	for (size_t i = 0; i < t->n; i++)
		for (uint64_t a = t->r[i].lo; a <= t->r[i].hi; a++)
			if (write_row(sw, h, (uint32_t)a, sent, ts) < 0)
				return -1;
	for (uint64_t k = 0; k < n6; k++)
		if (write_row6(sw, h, k, sent, ts) < 0)
			return -1;
	return 0;
}

/* Not every target got the same number of probes (-n, shards, an
 * interrupted pass): replay the permutation to learn who got how many. */
static int rows_replayed(struct sweep *sw, const struct hosts *h, uint64_t full,
			 uint64_t partial, uint64_t per_pass, uint64_t ts)
{
	const struct options *o = sw->o;
	uint64_t steps = full ? per_pass : partial, idx, k = 0;
	struct permute pm;
	Pvoid_t sent = NULL;
	Word_t addr = 0;
	PWord_t pv;
	unsigned width = 0;
	int rc = 0;

	uint64_t n4 = ipset_count(&o->targets);

	if (permute_init(&pm, n4 + ip6set_count(&o->targets6), sw->seed, o->shards, o->shard) < 0) {
		fprintf(stderr, "echoscan: cannot replay the probe order for the statistics\n");
		return -1;
	}
	for (; k < steps && permute_next(&pm, &idx); k++) {
		/* IPv6 targets under HOSTS_KEY6(rank): after every IPv4 address */
		pv = (PWord_t)JudyLIns(&sent, idx < n4 ? ipset_at(&o->targets, idx) :
				       HOSTS_KEY6(idx - n4), PJE0);
		if (pv == (PWord_t)PPJERR) {
			JudyLFreeArray(&sent, PJE0);
			fprintf(stderr, "echoscan: out of memory for the statistics records\n");
			return -1;
		}
		*pv = full + (k < partial);
	}
	/* text rows: the colons line up over the hosts of this report */
	for (pv = (PWord_t)JudyLFirst(sent, &addr, PJE0); pv && sw->o->format == OUT_TEXT;
	     pv = (PWord_t)JudyLNext(sent, &addr, PJE0)) {
		unsigned len = addr >> 32 ? addr6_len(sw, addr - HOSTS_KEY6(0)) :
			       writer_addr_len((uint32_t)addr);

		if (len > width)
			width = len;
	}
	writer_set_addr_width(&sw->w, width);
	addr = 0;
	for (pv = (PWord_t)JudyLFirst(sent, &addr, PJE0); pv && rc == 0;
	     pv = (PWord_t)JudyLNext(sent, &addr, PJE0))
		rc = addr >> 32 ? write_row6(sw, h, addr - HOSTS_KEY6(0), *pv, ts) :
				  write_row(sw, h, (uint32_t)addr, *pv, ts);
	JudyLFreeArray(&sent, PJE0);
	return rc;
}

/* One record per probed host: what --stats prints at the end, and what
 * --loop prints for each period (passes = passes begun in the period). */
static int write_stats(struct sweep *sw, const struct hosts *h, uint64_t passes,
		       uint64_t pass_sent, bool partial_known)
{
	struct scan_counters c;
	uint64_t ts = clock_realtime_ns(), full = passes, partial = 0;

	scan_counters(sw->scan, &c);
	if (partial_known && passes && pass_sent < c.per_pass) {
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
	if (partial == 0 && c.per_pass == ipset_count(&sw->o->targets) +
			    ip6set_count(&sw->o->targets6))
		return rows_all_targets(sw, h, full, ts);
	return rows_replayed(sw, h, full, partial, c.per_pass, ts);
}

/* --loop: hands the period's statistics over and prints them. */
static int loop_report(struct sweep *sw)
{
	struct scan_counters c;
	struct hosts period;
	int rc = 0;

	hosts_init(&period, true);
	scan_counters(sw->scan, &c);
	if (scan_rotate_stats(sw->scan, &period, 1000) == 0)
		rc = write_stats(sw, &period, c.passes_started - sw->report_passes, 0, false);
	sw->report_passes = c.passes_started;
	hosts_free(&period);
	if (rc == 0)
		rc = check_write(sw, writer_flush(&sw->w));
	return rc;
}

static bool all_answered(struct sweep *sw)
{
	struct scan_counters c;

	scan_counters(sw->scan, &c);
	return !sw->o->report_all && sw->o->probes == 1 && c.up >= c.total;
}

enum phase { SENDING, COOLING, DRAINING };

/* Without -c: the last probe's time plus the wait the slowest reply so far
 * calls for; it moves later while a slower reply turns up. */
static uint64_t auto_cool_end(struct sweep *sw)
{
	struct scan_counters c;
	uint64_t wait;

	scan_counters(sw->scan, &c);
	wait = cooldown_auto_ns(c.rtt_max_ns);
	return c.send_end_ns + (wait < sw->o->cooldown_ns ? wait : sw->o->cooldown_ns);
}

/* Moves the scan on: after sending, cool down; after that, drain. A second
 * SIGINT skips the cooldown, a third stops waiting for the receiver. */
static enum phase advance(struct sweep *sw, enum phase ph, uint64_t now, uint64_t *cool_end)
{
	if (interrupts > sw->handled_interrupts) {
		sw->handled_interrupts = interrupts;
		if (ph == SENDING)
			scan_stop_sending(sw->scan);
		else if (ph == COOLING) {
			*cool_end = now;
			sw->cool_cut = true;
		} else
			scan_abandon(sw->scan);  /* still draining: give up on it */
	}
	if (ph == SENDING && !scan_sending(sw->scan)) {
		*cool_end = now + sw->o->cooldown_ns;
		ph = COOLING;
	}
	if (ph == COOLING && !sw->o->cooldown_given && !sw->cool_cut)
		*cool_end = auto_cool_end(sw);
	if (ph == COOLING && (now >= *cool_end || all_answered(sw))) {
		scan_stop_receiving(sw->scan);
		ph = DRAINING;
	}
	return ph;
}

/* --resume: a checkpoint of what is final. Replies to probes sent a window
 * before `now` have arrived, unless the receiver stopped listening earlier;
 * once it listened a whole window after the last probe, all of them have. */
static int resume_save_now(struct sweep *sw, uint64_t now, bool complete)
{
	const struct resume_window *w = &sw->rr->win;
	struct scan_counters c;
	uint64_t pos;
	char err[1024];

	scan_counters(sw->scan, &c);
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
	struct scan_counters c;

	scan_counters(sw->scan, &c);  /* position first: it was reached by then */
	resume_window_sample(&sw->rr->win, rate_now_ns(), c.position);
	if (now < sw->next_save)
		return 0;
	sw->next_save = now + SAVE_EVERY_NS;
	now = rate_now_ns();
	if (drain(sw) < 0 || check_write(sw, writer_flush(&sw->w)) < 0)
		return -1;
	return resume_save_now(sw, now, false);
}

/* How long the main thread may sleep: until the next thing it must do by
 * the clock; results, the end of sending and the receiver's end wake it
 * (scan_wait), a signal interrupts it. */
static uint64_t wait_ns(const struct sweep *sw, enum phase ph, uint64_t now,
			uint64_t next_flush, uint64_t next_status, uint64_t next_report,
			uint64_t cool_end)
{
	uint64_t until = next_flush;

	if (sw->tty_status && next_status < until)
		until = next_status;
	if (sw->o->loop && ph == SENDING && next_report < until)
		until = next_report;
	if (ph == COOLING && cool_end < until)
		until = cool_end;
	/* --resume: progress samples at the window's spacing, checkpoints */
	if (sw->rr && now + sw->rr->win.spacing_ns < until)
		until = now + sw->rr->win.spacing_ns;
	return until > now ? until - now : 0;
}

static int main_loop(struct sweep *sw)
{
	uint64_t now = rate_now_ns(), next_flush = now + FLUSH_EVERY_NS;
	uint64_t next_status = now + STATUS_EVERY_NS, cool_end = UINT64_MAX;
	/* half an interval late, so a period ends between two passes */
	uint64_t next_report = now + sw->o->report_every_ns + sw->o->interval_ns / 2;
	enum phase ph = SENDING;

	for (;;) {
		long n = drain(sw);

		if (n < 0)
			return -1;
		now = rate_now_ns();
		ph = advance(sw, ph, now, &cool_end);
		if (ph == DRAINING && !scan_receiving(sw->scan))
			return drain(sw) < 0 ? -1 : 0;
		if (now >= next_flush) {
			if (check_write(sw, writer_flush(&sw->w)) < 0)
				return -1;
			next_flush = now + FLUSH_EVERY_NS;
		}
		if (sw->o->loop && ph == SENDING && now >= next_report) {
			if (loop_report(sw) < 0)
				return -1;
			next_report += sw->o->report_every_ns;
		}
		if (sw->rr && resume_tick(sw, now) < 0)
			return -1;
		if (sw->tty_status && now >= next_status) {
			print_status(sw, now, cool_end);
			next_status += STATUS_EVERY_NS;
		}
		if (n == 0)
			scan_wait(sw->scan, wait_ns(sw, ph, now, next_flush, next_status,
						    next_report, cool_end));
	}
}

/* --resume: loads or creates the state (before privileges are dropped: it
 * opens FILE.hosts); a resumed scan takes the saved seed and starts at the
 * saved position. Returns 0, 1 if the saved scan is complete, -1 on error. */
static int resume_open(struct sweep *sw, struct scan_config *cfg)
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
	resume_params_fill(&par, o, cfg->seed);
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
	cfg->seed = sw->seed = sw->rr->st.par.seed;
	cfg->start_position = sw->resumed_at = sw->rr->st.position;
	sw->resumed_hosts = sw->rr->npreload;
	return 0;
}

/* --resume, once the engine is open and the output ready: hosts already
 * reported are marked, and a first checkpoint proves the state can be
 * written (as the user privileges were dropped to) before anything is sent. */
static int resume_started(struct sweep *sw)
{
	struct scan_counters c;
	char err[1024];

	scan_counters(sw->scan, &c);
	if (resume_set_total(sw->rr, c.per_pass * sw->o->probes, err, sizeof(err)) < 0 ||
	    scan_preload_up(sw->scan, sw->rr->preload, sw->rr->npreload, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	}
	if (check_write(sw, writer_flush(&sw->w)) < 0)
		return -1;
	return resume_save_now(sw, rate_now_ns(), false);
}

static int prepare(struct sweep *sw, struct options *o)
{
	struct scan_config cfg = {
		.targets = &o->targets, .targets6 = &o->targets6, .max_targets = o->max_targets,
		.seed = seed_or_random(o), .shards = o->shards, .shard = o->shard,
		.rate = o->rate, .probes = o->probes, .interval_ns = o->interval_ns,
		.max_runtime_ns = o->max_runtime_ns, .ttl = o->ttl,
		.payload_len = o->size, .tx = o->tx, .xdp_mode = o->xdp_mode,
		.rx_xdp = o->rx_xdp,
		.report_all = o->report_all,
		.keep_stats = o->stats, .loop = o->loop,
		.ov = { o->ifname, o->source, o->gw_mac },
		.sources = o->sources.addr, .n_sources = o->sources.n,
		.pcap_path = o->pcap, .pcap_all = o->pcap_all,
		.sender_threads = o->sender_threads ? o->sender_threads : SCAN_SENDERS_AUTO,
	};
	char err[512];
	int rc;

	sw->seed = cfg.seed;
	if (o->resume && (rc = resume_open(sw, &cfg)) != 0)
		return rc;
	cfg.tx = dgram_pick_tx(o->tx);
	sw->dgram = cfg.tx == TX_DGRAM;
	if (sw->dgram && dgram_route(o, &sw->route) < 0)
		return -1;
	if (scan_open(&cfg, &sw->scan, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return -1;
	}
	/* -m names one path: the first target's */
	if (!sw->dgram && ipset_count(&o->targets))
		scan_route_of(sw->scan, ipset_at(&o->targets, 0), &sw->route);
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
	struct scan_counters c = { 0 };
	struct permute pm;
	uint64_t now = rate_now_ns(), end = clock_realtime_ns();
	struct metadata_run m = {
		.o = sw->o, .c = &c, .seed = sw->seed, .route = sw->dgram ? NULL : &sw->route,
		.start_ns = sw->start_rt_ns ? sw->start_rt_ns : end, .end_ns = end,
		.interrupted = interrupts > 0, .exit_status = rc,
	};

	if (!sw->meta)
		return rc;
	if (sw->scan) {
		scan_counters(sw->scan, &c);
		m.tx_backend = scan_tx_name(sw->scan);
		m.send_rate = send_seconds(&c, now) > 0 ? (double)c.sent / send_seconds(&c, now) : 0;
	}
	if (sw->start_ns)
		m.duration_s = (double)(now - sw->start_ns) / 1e9;
	if (permute_init(&pm, sw->targets, sw->seed, sw->o->shards, sw->o->shard) == 0)
		m.targets_shard = permute_shard_size(&pm);
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
	struct scan_counters c;
	char err[512];
	int frc = scan_finish(sw->scan, err, sizeof(err));

	scan_counters(sw->scan, &c);
	if (loop_rc == 0 && drain(sw) < 0)
		loop_rc = -1;
	if (loop_rc == 0 && sw->o->stats)
		/* looping, the last period may end inside a pass (Ctrl-C) */
		loop_rc = write_stats(sw, scan_hosts(sw->scan),
				      c.passes_started - (sw->o->loop ? sw->report_passes : 0),
				      c.pass_sent, true);
	if (loop_rc == 0)
		loop_rc = check_write(sw, writer_flush(&sw->w));
	/* complete: every probe sent and the cooldown waited (or all answered) */
	if (loop_rc == 0 && sw->rr && !sw->pipe_closed)
		loop_rc = resume_save_now(sw, rate_now_ns(),
					  c.position == c.per_pass * sw->o->probes && !interrupts);
	if (sw->pipe_closed)
		return 0;  /* the reader has what it wanted: end quietly */
	if (!sw->o->quiet)
		print_summary(sw, rate_now_ns());
	if (frc < 0) {
		fprintf(stderr, "echoscan: %s\n", err);
		return 2;
	}
	if (c.hosts_oom) {
		fprintf(stderr, "echoscan: out of memory for the host tables: hosts up, unreachable "
			"and --stats records may be short (split the targets with --shards)\n");
		return 2;
	}
	if (loop_rc < 0)
		return 2;
	return c.up > 0 ? 0 : 1;
}

int sweep_run(struct options *o)
{
	struct sweep *sw = calloc(1, sizeof(*sw));
	char err[512];
	int rc = 2;

	if (!sw) {
		fprintf(stderr, "echoscan: out of memory\n");
		return 2;
	}
	sw->o = o;
	sw->targets = ipset_count(&o->targets) + ip6set_count(&o->targets6);
	sw->tty_status = !o->quiet && (o->status || isatty(STDERR_FILENO));
	install_signals();
	if (prepare(sw, o) == 0) {
		sw->start_ns = rate_now_ns();
		sw->start_rt_ns = clock_realtime_ns();
		if (scan_start(sw->scan, err, sizeof(err)) < 0)
			fprintf(stderr, "echoscan: %s\n", err);
		else
			rc = finish(sw, main_loop(sw));
	} else if (sw->pipe_closed) {
		rc = 0;
	} else if (sw->rr && sw->rr->st.done) {
		rc = sw->resume_done_rc;
	}
	rc = write_metadata(sw, rc);
	scan_close(sw->scan);
	close_output(sw);
	if (sw->rr) {
		resume_end(sw->rr);
		free(sw->rr);
	}
	free(sw);
	return rc;
}
