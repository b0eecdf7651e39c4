/*
 * api_check.c — the public API's promises that need sockets, run by
 * tests/lab/test_api.sh inside a lab namespace (built against include/ and
 * build/libechoscan.so only):
 *   api_check threads MODE PREFIX   reply callbacks on one thread that is
 *       neither the caller's nor the sender's, sent events on the sender
 *       thread, one sent event per probe sent; prints each live host once
 *   api_check stop PREFIX           es_scan_stop from the first reply callback
 *       ends a slow scan early; stop again, close twice: no harm
 *   api_check ping MODE HOST        es_ping's reply callbacks run on the
 *       calling thread, one per reply; prints "mode received/transmitted"
 *       (API_IFACE=NAME in the environment: ping through that interface)
 *   api_check close PREFIX          close before start, while sending, after
 *       the end, twice
 *   api_check scan PREFIX           a raw scan read through es_scan_fd, poll
 *       and es_scan_next_results; prints each live host once (IPv4 or IPv6)
 *   api_check multi COUNT PREFIX    es_multiping: one line per target from
 *       on_host, "ADDR transmitted received loss rtt_min_ns", in address
 *       order, then "alive N" from the statistics
 * MODE is auto, raw or dgram. Exit 0 when every check holds, 1 otherwise,
 * 2 on an API error.
 */
#include <echoscan.h>

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failed;

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL: " __VA_ARGS__); \
	fputc('\n', stderr); failed = 1; } } while (0)

struct obs {
	pthread_t caller;
	pthread_t reply_thread, sent_thread;
	atomic_int replies, sents, reply_threads_bad, sent_threads_bad;
	atomic_bool have_reply_thread, have_sent_thread;
	es_scan *scan;
	int stop_on_reply;
	int print;                   /* print each live host once */
};

static enum es_mode mode_of(const char *m)
{
	return !strcmp(m, "raw") ? ES_MODE_RAW : !strcmp(m, "dgram") ? ES_MODE_DGRAM : ES_MODE_AUTO;
}

static const char *mode_name(enum es_mode m)
{
	return m == ES_MODE_RAW ? "raw" : m == ES_MODE_DGRAM ? "dgram" : "auto";
}

static void on_reply(const struct es_reply *r, void *user)
{
	struct obs *o = user;
	char a[ES_ADDRSTRLEN];

	if (!atomic_exchange(&o->have_reply_thread, true))
		o->reply_thread = pthread_self();
	else if (!pthread_equal(o->reply_thread, pthread_self()))
		atomic_fetch_add(&o->reply_threads_bad, 1);
	atomic_fetch_add(&o->replies, 1);
	if (o->print && r->classification == ES_CLASS_ECHOREPLY && !r->repeat)
		printf("%s\n", es_addr_format(&r->target, a, sizeof(a)));
	if (o->stop_on_reply)
		es_scan_stop(o->scan);
}

static void on_sent(const struct es_sent *ev, void *user)
{
	struct obs *o = user;

	(void)ev;
	if (!atomic_exchange(&o->have_sent_thread, true))
		o->sent_thread = pthread_self();
	else if (!pthread_equal(o->sent_thread, pthread_self()))
		atomic_fetch_add(&o->sent_threads_bad, 1);
	atomic_fetch_add(&o->sents, 1);
}

static es_scan *open_scan(const char *prefix, enum es_mode mode, uint64_t rate)
{
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	char err[256];

	if (es_scan_config_new(&c) != ES_OK || es_scan_config_add_target(c, prefix) != ES_OK ||
	    es_scan_config_set_mode(c, mode) != ES_OK || es_scan_config_set_rate(c, rate) != ES_OK ||
	    es_scan_config_set_seed(c, 7) != ES_OK ||
	    es_scan_config_set_cooldown(c, 500000000) != ES_OK) {
		fprintf(stderr, "api_check: configuring %s failed\n", prefix);
		exit(2);
	}
	if (es_scan_open(&s, c, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "api_check: es_scan_open: %s\n", err);
		exit(2);
	}
	es_scan_config_free(&c);
	return s;
}

static int cmd_threads(enum es_mode mode, const char *prefix)
{
	struct obs o = { .caller = pthread_self(), .print = 1 };
	struct es_scan_stats st;
	es_scan *s = open_scan(prefix, mode, 5000);
	int rc;

	o.scan = s;
	CHECK(mode == ES_MODE_AUTO || es_scan_mode(s) == mode, "mode %s, asked %s",
	      mode_name(es_scan_mode(s)), mode_name(mode));
	if (es_scan_start(s, on_reply, on_sent, &o) != ES_OK)
		return 2;
	CHECK(es_scan_start(s, on_reply, on_sent, &o) == ES_ESTATE, "second start not ES_ESTATE");
	rc = es_scan_wait(s, 30000);
	CHECK(rc == ES_OK, "es_scan_wait: %s (%s)", es_err_name(rc), es_scan_error(s));
	es_scan_get_stats(s, &st);
	CHECK(atomic_load(&o.replies) > 0, "no reply callback");
	CHECK(!pthread_equal(o.reply_thread, o.caller), "reply callback on the caller's thread");
	CHECK(atomic_load(&o.reply_threads_bad) == 0, "reply callbacks on several threads");
	CHECK(atomic_load(&o.sent_threads_bad) == 0, "sent events on several threads");
	CHECK(!pthread_equal(o.sent_thread, o.caller), "sent events on the caller's thread");
	CHECK(!pthread_equal(o.sent_thread, o.reply_thread), "sent events on the receiver thread");
	CHECK((uint64_t)atomic_load(&o.sents) == st.sent, "%d sent events, %llu probes sent",
	      atomic_load(&o.sents), (unsigned long long)st.sent);
	CHECK(st.sent == st.total, "sent %llu of %llu", (unsigned long long)st.sent,
	      (unsigned long long)st.total);
	/* results went to the callback: nothing queued */
	struct es_reply r[4];
	CHECK(es_scan_next_results(s, r, 4) == 0, "results queued despite the callback");
	CHECK(es_scan_state(s) == ES_SCAN_DONE, "state %d after the wait", es_scan_state(s));
	fprintf(stderr, "threads: %s, %d replies, %d sent events, all checks %s\n",
		mode_name(es_scan_mode(s)), atomic_load(&o.replies), atomic_load(&o.sents),
		failed ? "NOT passed" : "passed");
	es_scan_close(&s);
	return failed;
}

/* A raw scan with results read from the queue (es_scan_fd + poll): the
 * hosts that sent an echo reply, one per line (IPv4 or IPv6 targets). */
static int cmd_scan(const char *prefix)
{
	es_scan *s = open_scan(prefix, ES_MODE_RAW, 5000);
	struct es_reply r[64];
	char a[ES_ADDRSTRLEN];
	int n;

	if (es_scan_start(s, NULL, NULL, NULL) != ES_OK)
		return 2;
	for (;;) {
		struct pollfd pf = { es_scan_fd(s), POLLIN, 0 };

		while ((n = es_scan_next_results(s, r, 64)) > 0)
			for (int i = 0; i < n; i++)
				if (r[i].classification == ES_CLASS_ECHOREPLY && !r[i].repeat)
					printf("%s\n", es_addr_format(&r[i].target, a, sizeof(a)));
		if (n < 0 || es_scan_state(s) == ES_SCAN_DONE)
			break;
		poll(&pf, 1, es_scan_timeout_ms(s));
	}
	es_scan_close(&s);
	return 0;
}

static int cmd_stop(const char *prefix)
{
	struct obs o = { .caller = pthread_self(), .stop_on_reply = 1 };
	struct es_scan_stats st;
	es_scan *s = open_scan(prefix, ES_MODE_AUTO, 100);   /* 256 probes: 2.5 s */
	int rc;

	o.scan = s;
	if (es_scan_start(s, on_reply, NULL, &o) != ES_OK)
		return 2;
	rc = es_scan_wait(s, 30000);
	CHECK(rc == ES_OK, "es_scan_wait after a stop: %s", es_err_name(rc));
	es_scan_get_stats(s, &st);
	CHECK(atomic_load(&o.replies) >= 1, "no reply before the end");
	CHECK(st.sent < st.total, "stopped from the callback, yet all %llu probes were sent",
	      (unsigned long long)st.total);
	es_scan_stop(s);                       /* again, after the end */
	CHECK(es_scan_process(s) == ES_OK, "process after the end");
	fprintf(stderr, "stop: %llu of %llu sent before the stop took\n",
		(unsigned long long)st.sent, (unsigned long long)st.total);
	es_scan_close(&s);
	CHECK(s == NULL, "es_scan_close left the pointer");
	es_scan_close(&s);
	return failed;
}

static int cmd_ping(enum es_mode mode, const char *host)
{
	struct obs o = { .caller = pthread_self() };
	struct es_ping_options opt;
	struct es_ping_stats st;
	char err[256];
	int rc;

	es_ping_options_init(&opt);
	opt.count = 3;
	opt.interval_ns = 100000000;
	opt.timeout_ns = 1000000000;
	opt.mode = mode;
	opt.interface = getenv("API_IFACE");       /* NULL: the route's */
	/* the callback's thread check: reply_thread must be the caller */
	rc = es_ping(host, &opt, on_reply, &o, &st, err, sizeof(err));
	if (rc != ES_OK) {
		fprintf(stderr, "api_check: es_ping: %s (%s)\n", err, es_err_name(rc));
		return 2;
	}
	if (atomic_load(&o.replies))
		CHECK(pthread_equal(o.reply_thread, o.caller), "es_ping callback not on the caller");
	CHECK((unsigned long)atomic_load(&o.replies) == st.received + st.duplicates + st.errors,
	      "%d callbacks for %lu replies, %lu duplicates, %lu errors", atomic_load(&o.replies),
	      st.received, st.duplicates, st.errors);
	CHECK(mode == ES_MODE_AUTO || st.mode == mode, "ping took %s, asked %s",
	      mode_name(st.mode), mode_name(mode));
	printf("%s %lu/%lu\n", mode_name(st.mode), st.received, st.transmitted);
	return failed;
}

static int cmd_close(const char *prefix)
{
	es_scan *s = open_scan(prefix, ES_MODE_AUTO, 100);

	es_scan_close(&s);                       /* never started */
	es_scan_close(&s);
	s = open_scan(prefix, ES_MODE_AUTO, 100);
	if (es_scan_start(s, NULL, NULL, NULL) != ES_OK)
		return 2;
	es_scan_close(&s);                       /* while sending */
	CHECK(s == NULL, "close left the pointer");
	s = open_scan(prefix, ES_MODE_AUTO, 0);
	es_scan_start(s, NULL, NULL, NULL);
	es_scan_stop(s);
	es_scan_stop(s);
	CHECK(es_scan_wait(s, 30000) == ES_OK, "wait after stop");
	es_scan_close(&s);                       /* after stop and end */
	es_scan_close(&s);
	fprintf(stderr, "close: before start, while sending, after stop, twice: %s\n",
		failed ? "NOT passed" : "passed");
	return failed;
}

static void on_host(const struct es_host_stats *h, void *user)
{
	char a[ES_ADDRSTRLEN];

	(void)user;
	printf("%s %lu %lu %.0f %lld\n", es_addr_format(&h->address, a, sizeof(a)),
	       h->transmitted, h->received, h->loss, (long long)h->rtt_min_ns);
}

static int cmd_multi(unsigned count, const char *prefix)
{
	struct es_ping_options o;
	struct es_multiping_stats st;
	char err[256];
	int rc;

	es_ping_options_init(&o);
	o.count = count;
	o.interval_ns = 50000000;        /* 50 ms between passes */
	o.timeout_ns = 500000000;
	rc = es_multiping(&prefix, 1, &o, NULL, on_host, NULL, &st, err, sizeof(err));
	if (rc != ES_OK) {
		fprintf(stderr, "api_check: es_multiping: %s (%s)\n", err, es_err_name(rc));
		return 2;
	}
	printf("alive %llu\n", (unsigned long long)st.alive);
	return 0;
}

/* Sent events in order (one sender thread), for api_check sweep. */
struct sent_log {
	atomic_int n;
	struct es_addr a[512];
};

static void on_sent_log(const struct es_sent *ev, void *user)
{
	struct sent_log *l = user;
	int i = atomic_load(&l->n);

	if (i < 512)
		l->a[i] = ev->target;
	atomic_store(&l->n, i + 1);
}

/* The order es_order gives for prefix minus exclude (both a.b.c.d/len),
 * shard of 2, seed 11, compared with the order the probes left in. */
static void check_order(const struct sent_log *l, const char *prefix, const char *exclude,
			unsigned shard)
{
	es_targets *t = NULL;
	es_order *o = NULL;
	struct es_addr lo, hi, a;
	uint64_t idx;
	int k = 0;
	char p[32], *slash;

	/* a /len prefix as a range, for es_targets_add_range */
	for (int pass = 0; pass < 2; pass++) {
		const char *text = pass ? exclude : prefix;
		unsigned len;

		snprintf(p, sizeof(p), "%s", text);
		slash = strchr(p, '/');
		*slash = '\0';
		len = (unsigned)atoi(slash + 1);
		es_addr_parse(&lo, p);
		hi = lo;
		for (unsigned b = len; b < 32; b++)
			hi.bytes[3 - (31 - b) / 8] |= (uint8_t)(1u << ((31 - b) % 8));
		if (!t)
			es_targets_new(&t);
		if (pass == 0)
			es_targets_add_range(t, &lo, &hi);
		else
			es_targets_remove_range(t, &lo, &hi);
	}
	CHECK(es_targets_seal(t) == ES_OK, "seal");
	CHECK(es_order_new(&o, es_targets_count(t), 11, 2, shard) == ES_OK, "es_order_new");
	while (o && es_order_next(o, &idx)) {
		es_targets_at(t, idx, &a);
		CHECK(k < atomic_load(&l->n) && !memcmp(&a, &l->a[k], sizeof(a)),
		      "probe %d: the scan's order and es_order's differ", k);
		k++;
	}
	CHECK(k == atomic_load(&l->n), "es_order gives %d targets, %d probes left", k,
	      atomic_load(&l->n));
	es_order_free(&o);
	es_targets_free(&t);
}

/* The sweep's settings (#12): targets minus an exclusion, one shard of
 * two, a host preloaded as reported, a named backend, the automatic
 * cooldown (a fixed one of 30 s would outlast the wait), results from the
 * queue; then the summary, the routes and the state rules. Prints the hosts
 * reported. */
static int cmd_sweep(const char *prefix, const char *exclude, const char *preload,
		     unsigned shard)
{
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	struct es_scan_summary sum, part;
	struct es_addr pre, ex, seen = { 0 };
	struct es_route rt;
	struct es_reply r[64];
	static struct sent_log sl;
	struct es_host_stats hs;
	const es_host_table *ht = NULL;
	es_host_table *rot = NULL;
	uint64_t reasons = 0;
	char err[256], a[ES_ADDRSTRLEN];
	int n, rc;

	if (es_scan_config_new(&c) != ES_OK || es_scan_config_add_target(c, prefix) != ES_OK ||
	    es_scan_config_exclude(c, exclude) != ES_OK ||
	    es_scan_config_set_shard(c, 2, shard) != ES_OK ||
	    es_scan_config_set_seed(c, 11) != ES_OK || es_scan_config_set_rate(c, 5000) != ES_OK ||
	    es_scan_config_set_backend(c, "mmsg") != ES_OK ||
	    es_scan_config_set_cooldown(c, 30000000000ull) != ES_OK ||
	    es_scan_config_set_cooldown_mode(c, ES_COOLDOWN_AUTO) != ES_OK ||
	    es_scan_config_set_sender_threads(c, 1) != ES_OK ||
	    es_scan_config_set_host_stats(c, 1) != ES_OK ||
	    es_scan_config_set_report_all(c, 1) != ES_OK ||
	    es_addr_parse(&pre, preload) != ES_OK || es_addr_parse(&ex, "198.18.0.200") != ES_OK) {
		fprintf(stderr, "api_check: configuring the sweep failed\n");
		return 2;
	}
	if (es_scan_open(&s, c, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "api_check: es_scan_open: %s\n", err);
		return 2;
	}
	es_scan_config_free(&c);
	CHECK(strcmp(es_scan_backend_name(s), "mmsg") == 0, "backend %s, asked mmsg",
	      es_scan_backend_name(s));
	CHECK(strcmp(es_scan_receiver_name(s), "pcap") == 0, "receiver %s", es_scan_receiver_name(s));
	CHECK(es_scan_backend_auto(s) == NULL, "backend_auto %s with mmsg asked", es_scan_backend_auto(s));
	CHECK(es_scan_sender_threads(s) >= 1, "no sender thread");
	rc = es_scan_preload_hosts(s, &pre, 1);
	CHECK(rc == ES_OK, "preload: %s", es_err_name(rc));
	rc = es_scan_route_of(s, &ex, &rt, sizeof(rt));
	CHECK(rc == ES_ENOTFOUND, "route of an excluded target: %s", es_err_name(rc));
	if (es_scan_start(s, NULL, on_sent_log, &sl) != ES_OK)
		return 2;
	rc = es_scan_preload_hosts(s, &pre, 1);
	CHECK(rc == ES_ESTATE, "preload after start: %s", es_err_name(rc));
	/* the automatic cooldown ends the scan long before the fixed 30 s */
	rc = es_scan_wait(s, 20000);
	CHECK(rc == ES_OK, "es_scan_wait: %s (%s)", es_err_name(rc), es_scan_error(s));
	while ((n = es_scan_next_results(s, r, 64)) > 0)
		for (int i = 0; i < n; i++) {
			CHECK(r[i].repeat || !(r[i].target.family == 4 &&
						 !memcmp(r[i].target.bytes, pre.bytes, 4)),
			      "the preloaded host was reported as new");
			if (r[i].success && !r[i].repeat) {
				printf("%s\n", es_addr_format(&r[i].target, a, sizeof(a)));
				seen = r[i].target;
				/* 1 probe each: the host table says 1/1 */
				CHECK(es_scan_host_table(s, &ht) == ES_OK, "es_scan_host_table");
				CHECK(es_host_table_get(ht, &r[i].target, 1, &hs, sizeof(hs)) == ES_OK &&
				      hs.transmitted == 1 && hs.received == 1 && hs.rtt_min_ns > 0 &&
				      hs.loss == 0, "host table of %s: %lu/%lu, rtt %lld", a,
				      hs.transmitted, hs.received, (long long)hs.rtt_min_ns);
			}
		}
	CHECK(es_scan_get_summary(s, &sum, sizeof(sum)) == ES_OK, "summary");
	check_order(&sl, prefix, exclude, shard);
	CHECK(es_scan_rotate_host_stats(s, &rot, 100) == ES_ESTATE && !rot,
	      "rotating after the end: not ES_ESTATE");
	CHECK(sum.stats.sent == sum.stats.targets && sum.stats.sent > 0 && sum.stats.sent < 128,
	      "sent %llu of %llu targets (one shard of 128)", (unsigned long long)sum.stats.sent,
	      (unsigned long long)sum.stats.targets);
	CHECK(sum.position == sum.stats.sent, "position %llu", (unsigned long long)sum.position);
	CHECK(sum.passes_started == 1, "passes %llu", (unsigned long long)sum.passes_started);
	CHECK(sum.send_start_ns > 0 && sum.send_end_ns >= sum.send_start_ns &&
	      sum.listen_end_ns >= sum.send_end_ns && sum.listen_end_ns <= es_now_ns(),
	      "times %llu %llu %llu", (unsigned long long)sum.send_start_ns,
	      (unsigned long long)sum.send_end_ns, (unsigned long long)sum.listen_end_ns);
	CHECK(sum.rtt_max_ns > 0, "no slowest RTT");
	CHECK(sum.by_class[ES_CLASS_ECHOREPLY] > 0 &&
	      sum.by_class[ES_CLASS_ECHOREPLY] <= sum.stats.valid, "echo replies %llu of %llu valid",
	      (unsigned long long)sum.by_class[ES_CLASS_ECHOREPLY],
	      (unsigned long long)sum.stats.valid);
	for (unsigned i = 0; i < ES_INVALID_REASONS; i++)
		reasons += sum.invalid_by_reason[i];
	CHECK(reasons == sum.stats.invalid, "invalid by reason %llu, invalid %llu",
	      (unsigned long long)reasons, (unsigned long long)sum.stats.invalid);
	CHECK(!sum.hosts_oom, "hosts_oom");
	/* an older caller's smaller struct: only its own bytes are written */
	memset(&part, 0xab, sizeof(part));
	CHECK(es_scan_get_summary(s, &part, offsetof(struct es_scan_summary, errors_other)) == ES_OK &&
	      part.stats.sent == sum.stats.sent && part.errors_other == 0xababababababababull,
	      "a short summary wrote past its size");
	rc = es_scan_route_of(s, &pre, &rt, sizeof(rt));
	if (rc == ES_ENOTFOUND)   /* the preloaded host is in the other shard */
		rc = es_scan_route_of(s, &seen, &rt, sizeof(rt));
	CHECK(rc == ES_OK && rt.ifname[0] && rt.source.family == 4, "route of a target: %s",
	      es_err_name(rc));
	fprintf(stderr, "sweep shard %u: %llu sent, route %s via %s, all checks %s\n", shard,
		(unsigned long long)sum.stats.sent, rc == ES_OK ? rt.ifname : es_err_name(rc),
		rc == ES_OK ? es_addr_format(&rt.source, a, sizeof(a)) : "-",
		failed ? "NOT passed" : "passed");
	es_scan_close(&s);
	return failed;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return cmd_threads(mode_of(argv[2]), argv[3]);
	if (argc == 6 && !strcmp(argv[1], "sweep"))
		return cmd_sweep(argv[2], argv[3], argv[4], (unsigned)atoi(argv[5]));
	if (argc == 3 && !strcmp(argv[1], "stop"))
		return cmd_stop(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "scan"))
		return cmd_scan(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "ping"))
		return cmd_ping(mode_of(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "close"))
		return cmd_close(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "multi"))
		return cmd_multi((unsigned)atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: api_check threads|ping MODE TARGET | stop|close PREFIX\n");
	return 2;
}
