/* evloop.c — `evloop PREFIX...`: a scan driven by an event loop. poll()
 * waits on the scan's readiness descriptor (with the scan's timeout for its
 * cooldown), and each wakeup reads the queued results and prints every host
 * that answers, once, as it answers. The same descriptor fits epoll, libuv
 * (uv_poll_t) or libevent. Exit 0 when some host answered, 1 when none did,
 * 2 on error. cc evloop.c $(pkg-config --cflags --libs echoscan) */
#include <echoscan.h>
#include <poll.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	es_scan_config *c = NULL;
	es_scan *s = NULL;
	struct es_scan_stats st = { 0 };
	struct es_reply r[64];
	char err[256], addr[ES_ADDRSTRLEN];
	int rc = 2, n;

	if (argc < 2) {
		fprintf(stderr, "usage: evloop PREFIX...\n");
		return 2;
	}
	if (es_scan_config_new(&c) != ES_OK)
		return 2;
	for (int i = 1; i < argc; i++)
		if ((rc = es_scan_config_add_target(c, argv[i])) != ES_OK) {
			fprintf(stderr, "evloop: %s: %s\n", argv[i], es_strerror(rc));
			es_scan_config_free(&c);
			return 2;
		}
	if (es_scan_open(&s, c, err, sizeof(err)) != ES_OK ||
	    es_scan_start(s, NULL, NULL, NULL) != ES_OK) {
		fprintf(stderr, "evloop: %s\n", s ? es_scan_error(s) : err);
		rc = 2;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { es_scan_fd(s), POLLIN, 0 };

		while ((n = es_scan_next_results(s, r, 64)) > 0)
			for (int i = 0; i < n; i++)
				if (r[i].classification == ES_CLASS_ECHOREPLY && !r[i].repeat)
					printf("%s\n", es_addr_format(&r[i].target, addr, sizeof(addr)));
		fflush(stdout);
		if (n < 0 || es_scan_state(s) == ES_SCAN_DONE)
			break;
		poll(&pfd, 1, es_scan_timeout_ms(s));
	}
	es_scan_get_stats(s, &st);
	rc = es_scan_process(s) < 0 ? 2 : st.up ? 0 : 1;
out:
	es_scan_close(&s);
	es_scan_config_free(&c);
	return rc;
}
