/*
 * trace.c — `echoscan trace` (see trace.h): the command line, and many
 * targets as a public trace scan (es_scan_config_set_trace): the library
 * sends every (target, TTL) pair (q passes for q queries), in its
 * pseudo-random order, and hands back one validated result per reply with
 * the probe's TTL in es_reply.probe_ttl. Every result is a record
 * (CSV/JSON/text), or with --paths the results are kept per target in a
 * JudyL (main thread only) and each target's path is printed at the end.
 * One host goes to trace_host.c (es_traceroute). Only the public header.
 */
#include "scanner/trace.h"

#include <Judy.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <echoscan.h>
#include "output/fields.h"
#include "output/writer.h"
#include "scanner/privs.h"
#include "scanner/targets.h"
#include "scanner/trace_host.h"
#include "scanner/trace_opts.h"

#define NS_PER_S        1000000000ull
#define DRAIN_BATCH     256
#define RECORDS_RATE    10000
#define LINE_MAX_LEN    4096
#define POLL_MS         100

static volatile sig_atomic_t trace_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	trace_interrupted = 1;
}

/* A target's path (--paths): the first reply per TTL. */
struct path_hop {
	uint32_t from;        /* 0: none */
	int64_t rtt_ns;       /* -1: unknown */
	uint8_t cls, code;
};

struct tracer {
	struct trace_opts o;
	es_targets *set;
	es_scan *scan;
	FILE *out;
	struct writer w;
	Pvoid_t paths;        /* JudyL: target -> struct path_hop[nttl] */
	uint64_t replies;
	uint64_t seed;        /* of the (target, TTL) order */
	uint64_t start_ns;    /* monotonic, for the summary */
	int werr;
	struct es_reply buf[DRAIN_BATCH];
};

/* The host-order IPv4 address of a (0 for another family). */
static uint32_t v4(const struct es_addr *a)
{
	uint32_t n;

	if (a->family != 4)
		return 0;
	memcpy(&n, a->bytes, 4);
	return ntohl(n);
}

static void ip_str(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static unsigned nttl(const struct tracer *t)
{
	return t->o.max_ttl - t->o.first_ttl + 1;
}

/* ---- the scan ------------------------------------------------------------ */

static uint64_t random_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) ^ (uint64_t)clock();
	return s;
}

/* The trace scan of the targets, opened (the privileged step), then
 * privileges dropped. Returns 0, or -1 with err set. */
static int scan_open_trace(struct tracer *t, char *err, size_t errlen)
{
	const struct trace_opts *o = &t->o;
	es_scan_config *c = NULL;
	uint64_t rate = o->rate_given ? o->rate : RECORDS_RATE;
	int rc;

	t->seed = o->seed_given ? o->seed : random_seed();
	if (o->sendwait_ns)
		rate = NS_PER_S / o->sendwait_ns ? NS_PER_S / o->sendwait_ns : 1;
	rc = es_scan_config_new(&c);
	/* each setter's value was checked by trace_opts (and the source below) */
	if (rc == ES_OK)
		rc = es_scan_config_set_targets(c, t->set);
	if (rc == ES_OK)
		rc = es_scan_config_set_trace(c, o->first_ttl, o->max_ttl);
	if (rc == ES_OK)
		rc = es_scan_config_set_probes(c, o->nqueries);
	if (rc == ES_OK)
		rc = es_scan_config_set_size(c, o->packetlen - 28);   /* IP + ICMP headers */
	if (rc == ES_OK)
		rc = es_scan_config_set_tos(c, (int)o->tos);
	if (rc == ES_OK)
		rc = es_scan_config_set_dont_fragment(c, o->dont_fragment);
	if (rc == ES_OK)
		rc = es_scan_config_set_rate(c, rate);
	if (rc == ES_OK)
		rc = es_scan_config_set_seed(c, t->seed);
	/* listen -w MAX after the last probe */
	if (rc == ES_OK)
		rc = es_scan_config_set_cooldown(c, o->wait_ns);
	if (rc == ES_OK)
		rc = es_scan_config_set_interface(c, o->ifname);
	if (rc != ES_OK) {
		snprintf(err, errlen, "%s", rc == ES_ENOMEM ? "out of memory" :
			 "-i: not an interface name");
		goto out;
	}
	if (es_scan_config_set_source(c, o->source) != ES_OK) {
		snprintf(err, errlen, "-s %s: not an IPv4 address", o->source);
		rc = ES_EINVAL;
		goto out;
	}
	rc = es_scan_open(&t->scan, c, err, errlen);
out:
	es_scan_config_free(&c);
	if (rc != ES_OK)
		return -1;
	return privs_drop(err, errlen);
}

/* Waits for news from the scan (its descriptor) at most POLL_MS, less when
 * its cooldown ends sooner. A signal ends the wait early. */
static void scan_sleep(es_scan *s)
{
	struct pollfd pfd = { .fd = es_scan_fd(s), .events = POLLIN };
	int ms = es_scan_timeout_ms(s);

	poll(&pfd, 1, ms >= 0 && ms < POLL_MS ? ms : POLL_MS);
}

/* ---- many targets ------------------------------------------------------------ */

/* traceroute's mark of an unreachable ("!H", "!<code>"); "" for others. */
static void unreach_mark(uint8_t code, char *buf, size_t len)
{
	int m = es_trace_mark_of(3, code)   /* destination unreachable */;

	if (m == ES_TRACE_MARK_OTHER)
		snprintf(buf, len, "!<%u>", code);
	else
		snprintf(buf, len, "%s", es_trace_mark_name(m));
}

static void record_text(struct tracer *t, const struct es_reply *r)
{
	char line[256], a[ES_ADDRSTRLEN], b[ES_ADDRSTRLEN], mark[16] = "";

	es_addr_format(&r->target, a, sizeof(a));
	es_addr_format(&r->responder, b, sizeof(b));
	if (r->classification == ES_CLASS_UNREACH)
		unreach_mark(r->code, mark, sizeof(mark));
	snprintf(line, sizeof(line), "%s %2u %s  %.3f ms%s%s", a, r->probe_ttl, b,
		 (double)(r->rtt_ns < 0 ? 0 : r->rtt_ns) / 1e6, mark[0] ? " " : "", mark);
	if (writer_line(&t->w, line) < 0 && !t->werr)
		t->werr = errno ? errno : EIO;
}

static void path_keep(struct tracer *t, const struct es_reply *r)
{
	PWord_t pv;
	struct path_hop *p;
	unsigned i = r->probe_ttl - t->o.first_ttl;

	if (r->probe_ttl < t->o.first_ttl || r->probe_ttl > t->o.max_ttl)
		return;
	JLI(pv, t->paths, v4(&r->target));
	if (pv == PJERR) {
		t->werr = ENOMEM;
		return;
	}
	if (!*pv) {
		p = calloc(nttl(t), sizeof(*p));
		if (!p) {
			t->werr = ENOMEM;
			return;
		}
		*pv = (Word_t)p;
	}
	p = (struct path_hop *)*pv;
	if (p[i].from)
		return;        /* the first reply of each TTL */
	p[i].from = v4(&r->responder);
	p[i].rtt_ns = r->rtt_ns;
	p[i].cls = r->classification;
	p[i].code = r->code;
}

static void records_take(struct tracer *t, const struct es_reply *r)
{
	t->replies++;
	if (t->o.paths)
		path_keep(t, r);
	else if (t->o.format == OUT_TEXT)
		record_text(t, r);
	else if (writer_result(&t->w, r) < 0 && !t->werr)
		t->werr = errno ? errno : EIO;
}

/* Everything queued now; returns how many. */
static int drain(struct tracer *t)
{
	int n, total = 0;

	while ((n = es_scan_next_results(t->scan, t->buf, DRAIN_BATCH)) > 0) {
		for (int i = 0; i < n; i++)
			records_take(t, &t->buf[i]);
		total += n;
	}
	return total;
}

/* The TTL where the path ends: the target's first answer, else the last
 * TTL that answered at all. */
static unsigned path_end(const struct tracer *t, uint32_t target, const struct path_hop *p,
			 bool *reached)
{
	unsigned end = 0;

	*reached = false;
	for (unsigned i = 0; i < nttl(t); i++) {
		if (!p[i].from)
			continue;
		end = i + 1;
		if (p[i].from == target || p[i].cls == ES_CLASS_UNREACH) {
			*reached = p[i].from == target;
			break;
		}
	}
	return end;
}

static void path_line(struct tracer *t, uint32_t target, const struct path_hop *p)
{
	char line[LINE_MAX_LEN], a[INET_ADDRSTRLEN], mark[16];
	bool reached;
	unsigned end = path_end(t, target, p, &reached);
	size_t n = 0;
	bool json = t->o.format == OUT_JSON;

	ip_str(target, a, sizeof(a));
	if (json)
		n += (size_t)snprintf(line, sizeof(line), "{\"saddr\":\"%s\",\"reached\":%s,\"hops\":[",
				      a, reached ? "true" : "false");
	else
		n += (size_t)snprintf(line, sizeof(line), "%s %s:", a, reached ? "reached" : "not reached");
	for (unsigned i = 0; i < end && n < sizeof(line) - 128; i++) {
		unsigned ttl = t->o.first_ttl + i;

		if (!p[i].from) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, json ?
					      "%s{\"probe_ttl\":%u,\"responder\":null}" : " %s%u *",
					      i ? (json ? "," : " ") : "", ttl);
			continue;
		}
		ip_str(p[i].from, a, sizeof(a));
		mark[0] = '\0';
		if (p[i].cls == ES_CLASS_UNREACH)
			unreach_mark(p[i].code, mark, sizeof(mark));
		if (json) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%s{\"probe_ttl\":%u,\"responder\":\"%s\",\"rtt_us\":",
					      i ? "," : "", ttl, a);
			/* as the records' rtt_us: microseconds, 3 decimals */
			if (p[i].rtt_ns < 0)
				n += (size_t)snprintf(line + n, sizeof(line) - n, "null");
			else
				n += (size_t)snprintf(line + n, sizeof(line) - n, "%.3f",
						      (double)p[i].rtt_ns / 1e3);
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      ",\"classification\":\"%s\",\"code\":%u}",
					      es_class_name(p[i].cls), p[i].code);
		} else {
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s%u %s%s", i ? " " : "",
					      ttl, a, mark);
		}
	}
	if (json && n < sizeof(line) - 3)
		snprintf(line + n, sizeof(line) - n, "]}");
	if (writer_line(&t->w, line) < 0 && !t->werr)
		t->werr = errno ? errno : EIO;
}

static void paths_print_free(struct tracer *t)
{
	Word_t key = 0, freed;
	PWord_t pv;

	JLF(pv, t->paths, key);
	while (pv) {
		if (!t->werr)
			path_line(t, (uint32_t)key, (const struct path_hop *)*pv);
		free((void *)*pv);
		JLN(pv, t->paths, key);
	}
	JLFA(freed, t->paths);
	(void)freed;
}

static int add_targets(struct tracer *t, char *err, size_t errlen)
{
	if (targets_public_v4(t->o.targets, t->o.ntargets, t->o.input_file, &t->set,
			      err, errlen) < 0)
		return -1;
	if (es_targets_count(t->set) == 0) {
		snprintf(err, errlen, "no targets (the list is empty)");
		return -1;
	}
	return 0;
}

/* Many targets: what the run did, on stderr (the records go to stdout). */
static void print_summary(const struct tracer *t)
{
	struct es_scan_summary c;
	char invalid[256];
	size_t o;
	const char *sep = " (", *why;

	memset(&c, 0, sizeof(c));
	es_scan_get_summary(t->scan, &c, sizeof(c));
	o = (size_t)snprintf(invalid, sizeof(invalid), "%llu",
			     (unsigned long long)c.stats.invalid);
	for (unsigned i = 0; i < ES_INVALID_REASONS && (why = es_invalid_reason_name(i)) &&
	     o < sizeof(invalid); i++) {
		if (!c.invalid_by_reason[i])
			continue;
		o += (size_t)snprintf(invalid + o, sizeof(invalid) - o, "%s%s %llu", sep, why,
				      (unsigned long long)c.invalid_by_reason[i]);
		sep = ", ";
	}
	if (c.stats.invalid && o < sizeof(invalid))
		snprintf(invalid + o, sizeof(invalid) - o, ")");
	fprintf(stderr,
		"--- echoscan trace summary ---\n"
		"targets: %llu (TTLs %u..%u, %u per hop)\n"
		"probes sent: %llu (of %llu; the rest were beyond a target that had answered)\n"
		"valid replies: %llu (time exceeded %llu, unreachable %llu, echo replies %llu)\n"
		"targets answering: %llu\n"
		"invalid: %s\n"
		"pcap drops: %llu\n"
		"duration: %.2f s\n"
		"seed: %llu\n",
		(unsigned long long)es_targets_count(t->set), t->o.first_ttl, t->o.max_ttl,
		t->o.nqueries, (unsigned long long)c.stats.sent, (unsigned long long)c.stats.total,
		(unsigned long long)c.stats.valid,
		(unsigned long long)c.by_class[ES_CLASS_TIMXCEED],
		(unsigned long long)c.by_class[ES_CLASS_UNREACH],
		(unsigned long long)c.by_class[ES_CLASS_ECHOREPLY], (unsigned long long)c.stats.up,
		invalid, (unsigned long long)c.stats.dropped,
		(double)(es_now_ns() - t->start_ns) / 1e9, (unsigned long long)t->seed);
}

static int run_records(struct tracer *t)
{
	static char iobuf[1 << 16];
	char err[512];
	int rc;

	if (!t->o.nqueries)
		t->o.nqueries = 1;
	if (add_targets(t, err, sizeof(err)) < 0 || scan_open_trace(t, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan trace: %s\n", err);
		return 2;
	}
	t->out = stdout;
	if (t->o.output && strcmp(t->o.output, "-") != 0) {
		t->out = fopen(t->o.output, "w");
		if (!t->out) {
			fprintf(stderr, "echoscan trace: cannot open output %s: %s\n", t->o.output,
				strerror(errno));
			t->out = NULL;
			return 2;
		}
	}
	setvbuf(t->out, iobuf, _IOFBF, sizeof(iobuf));
	writer_init(&t->w, t->out, t->o.paths ? OUT_TEXT : t->o.format, REC_RESULT, &t->o.fields);
	if (!t->o.paths && t->o.format == OUT_CSV)
		writer_header(&t->w);
	t->start_ns = es_now_ns();
	if ((rc = es_scan_start(t->scan, NULL, NULL, NULL)) != ES_OK) {
		fprintf(stderr, "echoscan trace: starting the scan: %s\n", es_strerror(rc));
		return 2;
	}
	/* the scan ends by itself -w MAX after the last probe; Ctrl-C stops
	 * it at once (replies already received still come), an output error
	 * drops what is left */
	for (;;) {
		drain(t);
		if (t->werr)
			es_scan_abandon(t->scan);
		else if (trace_interrupted)
			es_scan_stop(t->scan);
		rc = es_scan_process(t->scan);
		if (rc <= 0)
			break;
		scan_sleep(t->scan);
	}
	drain(t);
	if (rc < 0)
		fprintf(stderr, "echoscan trace: %s\n", es_scan_error(t->scan));
	if (t->o.paths)
		paths_print_free(t);
	if (writer_flush(&t->w) < 0 && !t->werr)
		t->werr = errno ? errno : EIO;
	print_summary(t);
	if (t->werr) {
		if (t->werr != EPIPE)
			fprintf(stderr, "echoscan trace: writing the output: %s\n", strerror(t->werr));
		return t->werr == EPIPE ? (t->replies ? 0 : 1) : 2;
	}
	return t->replies ? 0 : 1;
}

int trace_main(int argc, char **argv)
{
	struct tracer *t = calloc(1, sizeof(*t));
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512];
	int rc;

	if (!t) {
		fprintf(stderr, "echoscan trace: out of memory\n");
		return 2;
	}
	if (trace_opts_parse(argc, argv, &t->o, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan trace: %s\n", err);
		rc = 2;
	} else if (t->o.help) {
		fputs(trace_usage(), stdout);
		rc = 0;
	} else if (t->o.list_fields) {
		fields_print_help(stdout, REC_RESULT);
		rc = 0;
	} else {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
		rc = t->o.records ? run_records(t) : trace_host_run(&t->o, &trace_interrupted);
	}
	es_scan_close(&t->scan);
	if (t->out && t->out != stdout)
		fclose(t->out);
	es_targets_free(&t->set);
	free(t);
	return rc;
}
