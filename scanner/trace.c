/*
 * trace.c — `echoscan trace` (see trace.h): the command line, and many
 * targets on the scan engine's trace mode: the engine sends every (target,
 * TTL) pair (q passes for q queries), in its pseudo-random order, and hands
 * back one validated result per reply with the probe's TTL in probe_ttl.
 * Every result is a record (CSV/JSON/text), or with --paths the results are
 * kept per target in a JudyL (main thread only) and each target's path is
 * printed at the end. One host goes to trace_host.c (es_traceroute).
 */
#include "scanner/trace.h"

#include <Judy.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/es_api.h"
#include "engine/rate.h"
#include "engine/scan.h"
#include "engine/trace_probe.h"
#include "engine/validate.h"
#include "output/fields.h"
#include "output/writer.h"
#include "engine/ipset.h"
#include "scanner/privs.h"
#include "scanner/targets.h"
#include "scanner/trace_host.h"
#include "scanner/trace_opts.h"

#define MS              1000000ull
#define NS_PER_S        1000000000ull
#define DRAIN_BATCH     64
#define RECORDS_RATE    10000
#define LINE_MAX_LEN    4096

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
	struct ipset set;
	struct scan *scan;
	FILE *out;
	struct writer w;
	Pvoid_t paths;        /* JudyL: target -> struct path_hop[nttl] */
	uint64_t replies;
	uint64_t seed;        /* of the (target, TTL) order */
	uint64_t start_ns;    /* monotonic, for the summary */
	int werr;
	struct es_result buf[DRAIN_BATCH];
};

static void ip_str(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { htonl(a) };

	inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static unsigned nttl(const struct tracer *t)
{
	return t->o.max_ttl - t->o.first_ttl + 1;
}

/* ---- the engine ---------------------------------------------------------- */

static uint64_t random_seed(void)
{
	struct vkey k;
	uint64_t s = 0;

	if (vkey_random(&k) == 0)
		memcpy(&s, k.k, sizeof(s));
	return s;
}

static int engine_open(struct tracer *t, char *err, size_t errlen)
{
	const struct trace_opts *o = &t->o;
	struct scan_config cfg = {
		.targets = &t->set, .shards = 1, .shard = 0,
		.seed = o->seed_given ? o->seed : random_seed(),
		.probes = (uint16_t)o->nqueries,
		.ttl = 64, .tos = (uint8_t)o->tos, .df = o->dont_fragment,
		.payload_len = (uint16_t)(o->packetlen - 28), .tx = TX_AUTO,
		.report_all = true,
		.trace_first = (uint8_t)o->first_ttl, .trace_last = (uint8_t)o->max_ttl,
		.ov = { o->ifname, o->source, NULL },
	};

	t->seed = cfg.seed;
	if (o->sendwait_ns)
		cfg.rate = NS_PER_S / o->sendwait_ns ? NS_PER_S / o->sendwait_ns : 1;
	else
		cfg.rate = o->rate_given ? o->rate : RECORDS_RATE;
	if (scan_open(&cfg, &t->scan, err, errlen) < 0)
		return -1;
	return privs_drop(err, errlen);
}

/* Sending done and every probe waited for: the end of sending (monotonic),
 * or UINT64_MAX while sending. */
static uint64_t send_end(const struct tracer *t)
{
	struct scan_counters c;

	if (scan_sending(t->scan))
		return UINT64_MAX;
	scan_counters(t->scan, &c);
	return c.send_end_ns;
}

static void engine_stop(struct tracer *t, void (*take)(struct tracer *, const struct es_result *))
{
	char err[256];
	size_t n;

	scan_stop_receiving(t->scan);
	while (scan_receiving(t->scan)) {
		while ((n = scan_results(t->scan, t->buf, DRAIN_BATCH)) > 0)
			for (size_t i = 0; i < n; i++)
				take(t, &t->buf[i]);
		scan_wait(t->scan, 100 * MS);
	}
	if (scan_finish(t->scan, err, sizeof(err)) < 0)
		fprintf(stderr, "echoscan trace: %s\n", err);
	while ((n = scan_results(t->scan, t->buf, DRAIN_BATCH)) > 0)
		for (size_t i = 0; i < n; i++)
			take(t, &t->buf[i]);
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

static void record_text(struct tracer *t, const struct es_result *r)
{
	char line[256], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], mark[16] = "";

	ip_str(r->saddr, a, sizeof(a));
	ip_str(r->responder, b, sizeof(b));
	if (r->classification == ES_CLASS_UNREACH)
		unreach_mark(r->code, mark, sizeof(mark));
	snprintf(line, sizeof(line), "%s %2u %s  %.3f ms%s%s", a, r->probe_ttl, b,
		 (double)(r->rtt_ns < 0 ? 0 : r->rtt_ns) / 1e6, mark[0] ? " " : "", mark);
	if (writer_line(&t->w, line) < 0 && !t->werr)
		t->werr = errno ? errno : EIO;
}

static void path_keep(struct tracer *t, const struct es_result *r)
{
	PWord_t pv;
	struct path_hop *p;
	unsigned i = r->probe_ttl - t->o.first_ttl;

	if (r->probe_ttl < t->o.first_ttl || r->probe_ttl > t->o.max_ttl)
		return;
	JLI(pv, t->paths, r->saddr);
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
	p[i].from = r->responder;
	p[i].rtt_ns = r->rtt_ns;
	p[i].cls = r->classification;
	p[i].code = r->code;
}

static void records_take(struct tracer *t, const struct es_result *r)
{
	t->replies++;
	if (t->o.paths)
		path_keep(t, r);
	else if (t->o.format == OUT_TEXT)
		record_text(t, r);
	else {
		struct es_reply rep;

		es_reply_from_result(r, &rep);
		if (writer_result(&t->w, &rep) < 0 && !t->werr)
			t->werr = errno ? errno : EIO;
	}
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
	for (int i = 0; i < t->o.ntargets; i++)
		if (targets_add(&t->set, t->o.targets[i], true, err, errlen) < 0)
			return -1;
	if (t->o.input_file &&
	    targets_add_file(&t->set, t->o.input_file, true, true, err, errlen) < 0)
		return -1;
	if (ipset_finalize(&t->set) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ipset_count(&t->set) == 0) {
		snprintf(err, errlen, "no targets (the list is empty)");
		return -1;
	}
	return 0;
}

/* Many targets: what the run did, on stderr (the records go to stdout). */
static void print_summary(const struct tracer *t)
{
	struct scan_counters c;
	char invalid[256];
	size_t o;
	const char *sep = " (";

	scan_counters(t->scan, &c);
	o = (size_t)snprintf(invalid, sizeof(invalid), "%llu", (unsigned long long)c.invalid);
	for (unsigned i = 0; i < INVALID_COUNT && o < sizeof(invalid); i++) {
		if (!c.invalid_why[i])
			continue;
		o += (size_t)snprintf(invalid + o, sizeof(invalid) - o, "%s%s %llu", sep,
				      invalid_reason_name(i), (unsigned long long)c.invalid_why[i]);
		sep = ", ";
	}
	if (c.invalid && o < sizeof(invalid))
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
		(unsigned long long)ipset_count(&t->set), t->o.first_ttl, t->o.max_ttl,
		t->o.nqueries, (unsigned long long)c.sent, (unsigned long long)c.total,
		(unsigned long long)c.valid, (unsigned long long)c.by_class[ES_CLASS_TIMXCEED],
		(unsigned long long)c.by_class[ES_CLASS_UNREACH],
		(unsigned long long)c.by_class[ES_CLASS_ECHOREPLY], (unsigned long long)c.up,
		invalid, (unsigned long long)c.pcap_drop,
		(double)(rate_now_ns() - t->start_ns) / 1e9, (unsigned long long)t->seed);
}

static int run_records(struct tracer *t)
{
	static char iobuf[1 << 16];
	char err[512];
	uint64_t wait_ns = t->o.wait_ns;

	if (!t->o.nqueries)
		t->o.nqueries = 1;
	if (add_targets(t, err, sizeof(err)) < 0 || engine_open(t, err, sizeof(err)) < 0) {
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
	t->start_ns = rate_now_ns();
	if (scan_start(t->scan, err, sizeof(err)) < 0) {
		fprintf(stderr, "echoscan trace: %s\n", err);
		return 2;
	}
	for (;;) {
		uint64_t end = send_end(t), now = rate_now_ns();
		size_t n;

		while ((n = scan_results(t->scan, t->buf, DRAIN_BATCH)) > 0)
			for (size_t i = 0; i < n; i++)
				records_take(t, &t->buf[i]);
		if (trace_interrupted || t->werr)
			scan_stop_sending(t->scan);
		if (t->werr || (end != UINT64_MAX && (now >= end + wait_ns || trace_interrupted)))
			break;
		scan_wait(t->scan, 100 * MS);
	}
	engine_stop(t, records_take);
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
	ipset_init(&t->set);
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
	scan_close(t->scan);
	if (t->out && t->out != stdout)
		fclose(t->out);
	ipset_free(&t->set);
	free(t);
	return rc;
}
