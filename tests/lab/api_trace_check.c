/*
 * api_trace_check.c — drives the public trace API for tests/lab/test_api_trace.sh,
 * built against include/echoscan.h and libechoscan.so alone.
 *   hops HOST [MAX_TTL [PROBES]]  es_traceroute (wait 1 s): one line per hop,
 *       "TTL ANSWERED/PROBES RESPONDER,RESPONDER,... MARK reached=R last=L",
 *       after checking that every callback ran on the calling thread, that
 *       every answer has its RTT, that the hop array holds the same hops as
 *       the callbacks and that nhops counts them; exit 0, or 2 with the error code's name.
 *   scan PREFIX MAX_TTL           a level-2 trace scan (queue read on this
 *       thread): one line per result "target,probe_ttl,responder,class,code",
 *       after checking probe == probe_ttl.
 * API_IFACE=NAME sets the interface (es_trace_options.interface),
 * API_MODE=raw|dgram|auto the mode (es_trace_options.mode; default auto).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echoscan.h"

#define MAX_HOPS 256

struct run {
	pthread_t caller;
	struct es_hop seen[MAX_HOPS];
	size_t n;
	int polls, bad;
};

static void on_hop(const struct es_hop *h, void *user)
{
	struct run *r = user;

	if (!pthread_equal(pthread_self(), r->caller)) {
		fprintf(stderr, "hop %u: callback not on the calling thread\n", h->ttl);
		r->bad = 1;
	}
	if (r->n < MAX_HOPS)
		r->seen[r->n++] = *h;
}

static int on_poll(void *user)
{
	struct run *r = user;

	if (!pthread_equal(pthread_self(), r->caller))
		r->bad = 1;
	r->polls++;
	return 0;
}

static int hops(const char *host, unsigned max_ttl, unsigned probes)
{
	static struct run r;
	static struct es_hop arr[MAX_HOPS];
	struct es_trace_options o;
	char err[256], a[ES_ADDRSTRLEN];
	size_t n = 0;
	int rc;

	r.caller = pthread_self();
	es_trace_options_init(&o);
	o.wait_ns = 1000000000ull;      /* a fixed 1 s: no early end for */
	o.wait_here = o.wait_near = 0;  /* a loaded machine to overrun */
	if (max_ttl)
		o.max_ttl = max_ttl;
	if (probes)
		o.probes = probes;
	o.interface = getenv("API_IFACE");
	if (getenv("API_MODE"))
		o.mode = strcmp(getenv("API_MODE"), "raw") == 0 ? ES_MODE_RAW :
			 strcmp(getenv("API_MODE"), "dgram") == 0 ? ES_MODE_DGRAM : ES_MODE_AUTO;
	rc = es_traceroute(host, &o, on_hop, on_poll, &r, arr, MAX_HOPS, sizeof(arr[0]), &n,
			   err, sizeof(err));
	if (rc != ES_OK) {
		printf("%s %s\n", es_err_name(rc), err);
		return 2;
	}
	if (r.bad || r.polls < 1 || n != r.n) {
		fprintf(stderr, "callbacks: off thread %d, polls %d, nhops %zu, callbacks %zu\n",
			r.bad, r.polls, n, r.n);
		return 3;
	}
	for (size_t i = 0; i < n; i++) {
		const struct es_hop *h = &arr[i];

		if (memcmp(h, &r.seen[i], sizeof(*h)) != 0) {
			fprintf(stderr, "hop %zu: the array differs from the callback's\n", i);
			return 3;
		}
		for (unsigned k = 0; k < h->answered; k++)
			if (h->probe[k].rtt_ns < 0) {
				fprintf(stderr, "hop %u: answer %u has no RTT\n", h->ttl, k);
				return 3;
			}
		printf("%u %u/%u ", h->ttl, h->answered, h->probes);
		for (unsigned k = 0; k < h->answered; k++)
			printf("%s%s", k ? "," : "", es_addr_format(&h->probe[k].responder, a,
								   sizeof(a)));
		if (!h->answered)
			printf("*");
		printf(" %s reached=%u last=%u\n", h->mark ? es_trace_mark_name(h->mark) : "-",
		       h->reached, h->last);
	}
	return 0;
}

static int scan(const char *prefix, unsigned max_ttl)
{
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	struct es_reply rep[256];
	char err[256], t[ES_ADDRSTRLEN], w[ES_ADDRSTRLEN];
	int rc, n;

	if (es_scan_config_new(&c) != ES_OK || es_scan_config_add_target(c, prefix) != ES_OK ||
	    es_scan_config_set_trace(c, 1, max_ttl) != ES_OK ||
	    es_scan_config_set_cooldown(c, 1000000000ull) != ES_OK) {
		fprintf(stderr, "configuration refused\n");
		return 2;
	}
	rc = es_scan_open(&s, c, err, sizeof(err));
	es_scan_config_free(&c);
	if (rc != ES_OK) {
		printf("%s %s\n", es_err_name(rc), err);
		return 2;
	}
	if ((rc = es_scan_start(s, NULL, NULL, NULL)) != ES_OK) {
		printf("%s start\n", es_err_name(rc));
		return 2;
	}
	for (;;) {
		while ((n = es_scan_next_results(s, rep, 256)) > 0)
			for (int i = 0; i < n; i++) {
				if (rep[i].probe != rep[i].probe_ttl || !rep[i].probe_ttl) {
					fprintf(stderr, "probe %u, probe_ttl %u\n", rep[i].probe,
						rep[i].probe_ttl);
					return 3;
				}
				printf("%s,%u,%s,%s,%u\n",
				       es_addr_format(&rep[i].target, t, sizeof(t)),
				       rep[i].probe_ttl,
				       es_addr_format(&rep[i].responder, w, sizeof(w)),
				       es_class_name(rep[i].classification), rep[i].code);
			}
		if (es_scan_state(s) == ES_SCAN_DONE && n == 0)
			break;
		es_scan_wait(s, 50);
	}
	es_scan_close(&s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "hops"))
		return hops(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 0,
			    argc > 4 ? (unsigned)atoi(argv[4]) : 0);
	if (argc == 4 && !strcmp(argv[1], "scan"))
		return scan(argv[2], (unsigned)atoi(argv[3]));
	fprintf(stderr, "usage: api_trace_check hops HOST [MAX_TTL [PROBES]] | scan PREFIX MAX_TTL\n");
	return 2;
}
