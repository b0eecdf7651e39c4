/*
 * api_ping_check.c — es_ping's results, option by option, for
 * tests/lab/test_api_ping.sh (built against include/ and
 * build/libechoscan.so only):
 *
 *   api_ping_check MODE HOST [count=N] [interval_ms=N] [timeout_ms=N]
 *                  [size=N] [ttl=N] [source=ADDR] [iface=NAME]
 *
 * MODE is auto, raw or dgram. Defaults: count 3, interval 100 ms, timeout
 * 1000 ms, the rest es_ping_options_init's. Checks every reply as it comes
 * (on the calling thread, for HOST, probe numbers below count, an RTT on
 * every echo reply, a duplicate only for a probe answered before) and
 * prints one line:
 *   mode=M tx=N rx=N dup=N err=N loss=P rtt=yes|no cb=N dupcb=N unreach=N
 *   size=N ttl=N ms=N
 * (size and ttl: of the last echo reply, 0 without one; ms: the call's
 * wall time). Exit 0 when every check held, 1 when one failed, 2 and the
 * error's name (ES_...) on stderr when es_ping returned an error.
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include <echoscan.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failed;

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL: " __VA_ARGS__); \
	fputc('\n', stderr); failed = 1; } } while (0)

struct obs {
	pthread_t caller;
	struct es_addr host;
	unsigned count;
	unsigned long cb, dupcb, unreach;
	unsigned last_size, last_ttl;
	unsigned char answered[65536 / 8];
};

static void on_reply(const struct es_reply *r, void *user)
{
	struct obs *o = user;
	bool before = o->answered[r->probe >> 3] >> (r->probe & 7) & 1;

	o->cb++;
	CHECK(pthread_equal(pthread_self(), o->caller), "callback not on the calling thread");
	CHECK(!memcmp(&r->target, &o->host, sizeof(o->host)), "a reply for another target");
	CHECK(r->probe < o->count, "probe %u of %u", r->probe, o->count);
	if (r->classification == ES_CLASS_ECHOREPLY) {
		CHECK(r->success && r->rtt_ns >= 0, "echo reply without success or RTT");
		CHECK(r->duplicate == before, "probe %u: duplicate %u, answered before %d",
		      r->probe, r->duplicate, before);
		o->answered[r->probe >> 3] |= (unsigned char)(1u << (r->probe & 7));
		o->dupcb += r->duplicate;
		o->last_size = r->size;
		o->last_ttl = r->ttl;
	} else {
		CHECK(!r->success && !r->duplicate, "an error marked success or duplicate");
		o->unreach += r->classification == ES_CLASS_UNREACH;
	}
}

static const char *mode_name(enum es_mode m)
{
	return m == ES_MODE_RAW ? "raw" : m == ES_MODE_DGRAM ? "dgram" : "auto";
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static struct obs o;
	struct es_ping_options opt;
	struct es_ping_stats st;
	char err[256];
	uint64_t t0;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: api_ping_check auto|raw|dgram HOST [key=value...]\n");
		return 2;
	}
	es_ping_options_init(&opt);
	opt.count = 3;
	opt.interval_ns = 100000000;
	opt.timeout_ns = 1000000000;
	opt.mode = !strcmp(argv[1], "raw") ? ES_MODE_RAW :
		   !strcmp(argv[1], "dgram") ? ES_MODE_DGRAM : ES_MODE_AUTO;
	for (int i = 3; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		if (!v) {
			fprintf(stderr, "api_ping_check: %s: want key=value\n", argv[i]);
			return 2;
		}
		*v++ = '\0';
		if (!strcmp(argv[i], "count"))
			opt.count = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "interval_ms"))
			opt.interval_ns = strtoull(v, NULL, 10) * 1000000;
		else if (!strcmp(argv[i], "timeout_ms"))
			opt.timeout_ns = strtoull(v, NULL, 10) * 1000000;
		else if (!strcmp(argv[i], "size"))
			opt.size = strtoul(v, NULL, 10);
		else if (!strcmp(argv[i], "ttl"))
			opt.ttl = atoi(v);
		else if (!strcmp(argv[i], "source"))
			opt.source = v;
		else if (!strcmp(argv[i], "iface"))
			opt.interface = v;
		else {
			fprintf(stderr, "api_ping_check: unknown key %s\n", argv[i]);
			return 2;
		}
	}
	o.caller = pthread_self();
	o.count = opt.count;
	if (es_addr_parse(&o.host, argv[2]) != ES_OK) {
		fprintf(stderr, "api_ping_check: %s: not an address\n", argv[2]);
		return 2;
	}
	t0 = mono_ms();
	rc = es_ping(argv[2], &opt, on_reply, &o, &st, err, sizeof(err));
	if (rc != ES_OK) {
		fprintf(stderr, "api_ping_check: es_ping: %s (%s)\n", err, es_err_name(rc));
		return 2;
	}
	CHECK(o.cb == st.received + st.duplicates + st.errors,
	      "%lu callbacks for %lu replies, %lu duplicates, %lu errors", o.cb, st.received,
	      st.duplicates, st.errors);
	CHECK(o.dupcb == st.duplicates, "%lu duplicate callbacks, %lu duplicates", o.dupcb,
	      st.duplicates);
	CHECK(opt.mode == ES_MODE_AUTO || st.mode == opt.mode, "took %s, asked %s",
	      mode_name(st.mode), mode_name(opt.mode));
	CHECK(!memcmp(&st.address, &o.host, sizeof(o.host)), "stats for another address");
	CHECK((st.received > 0) == (st.rtt_min_ns >= 0) && st.rtt_min_ns <= st.rtt_avg_ns &&
	      st.rtt_avg_ns <= st.rtt_max_ns, "RTTs %lld/%lld/%lld with %lu received",
	      (long long)st.rtt_min_ns, (long long)st.rtt_avg_ns, (long long)st.rtt_max_ns,
	      st.received);
	printf("mode=%s tx=%lu rx=%lu dup=%lu err=%lu loss=%.0f rtt=%s cb=%lu dupcb=%lu "
	       "unreach=%lu size=%u ttl=%u ms=%llu\n", mode_name(st.mode), st.transmitted,
	       st.received, st.duplicates, st.errors, st.loss, st.rtt_min_ns >= 0 ? "yes" : "no",
	       o.cb, o.dupcb, o.unreach, o.last_size, o.last_ttl,
	       (unsigned long long)(mono_ms() - t0));
	return failed;
}
