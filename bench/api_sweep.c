/*
 * api_sweep.c — `api_sweep cb|fd PREFIX RATE COOLDOWN_S`: the sweep of
 * bench/api.sh through libechoscan's public API, printing each live host's
 * address once, as `echoscan -O text` does. cb: results through the reply
 * callback (receiver thread, written to a buffered stdout there); fd: from
 * the queue, in a poll() loop on es_scan_fd(). RATE: probes/s, 0 = max.
 */
#include <echoscan.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_reply(const struct es_reply *r)
{
	char a[ES_ADDRSTRLEN];

	if (r->classification == ES_CLASS_ECHOREPLY && !r->repeat) {
		fputs(es_addr_format(&r->target, a, sizeof(a)), stdout);
		fputc('\n', stdout);
	}
}

static void on_reply(const struct es_reply *r, void *user)
{
	(void)user;
	print_reply(r);
}

int main(int argc, char **argv)
{
	static char iobuf[1 << 16];
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	struct es_scan_stats st;
	struct es_reply r[256];
	char err[256];
	int cb, n;

	if (argc != 5 || (strcmp(argv[1], "cb") && strcmp(argv[1], "fd"))) {
		fprintf(stderr, "usage: api_sweep cb|fd PREFIX RATE COOLDOWN_S\n");
		return 2;
	}
	cb = !strcmp(argv[1], "cb");
	setvbuf(stdout, iobuf, _IOFBF, sizeof(iobuf));
	if (es_scan_config_new(&c) != ES_OK || es_scan_config_add_target(c, argv[2]) != ES_OK ||
	    es_scan_config_set_rate(c, strtoull(argv[3], NULL, 10)) != ES_OK ||
	    es_scan_config_set_cooldown(c, strtoull(argv[4], NULL, 10) * 1000000000ull) != ES_OK ||
	    es_scan_open(&s, c, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "api_sweep: %s\n", err);
		return 2;
	}
	if (es_scan_start(s, cb ? on_reply : NULL, NULL, NULL) != ES_OK)
		return 2;
	if (cb) {
		es_scan_wait(s, -1);
	} else {
		for (;;) {
			struct pollfd pfd = { es_scan_fd(s), POLLIN, 0 };

			while ((n = es_scan_next_results(s, r, 256)) > 0)
				for (int i = 0; i < n; i++)
					print_reply(&r[i]);
			if (n < 0 || es_scan_state(s) == ES_SCAN_DONE)
				break;
			poll(&pfd, 1, es_scan_timeout_ms(s));
		}
	}
	fflush(stdout);
	es_scan_get_stats(s, &st);
	fprintf(stderr, "sent %llu, up %llu, invalid %llu, dropped %llu\n",
		(unsigned long long)st.sent, (unsigned long long)st.up,
		(unsigned long long)st.invalid, (unsigned long long)st.dropped);
	es_scan_close(&s);
	es_scan_config_free(&c);
	return st.up ? 0 : 1;
}
