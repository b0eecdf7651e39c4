/* ping.c — `ping HOST`: three echo requests; exit 0 when HOST answers,
 * 1 when it does not, 2 on error. Build against the installed library:
 *     cc ping.c $(pkg-config --cflags --libs echoscan) -o ping */
#include <echoscan.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct es_ping_options o;
	struct es_ping_stats st;
	char err[256], addr[ES_ADDRSTRLEN];

	if (argc != 2) {
		fprintf(stderr, "usage: ping HOST\n");
		return 2;
	}
	es_ping_options_init(&o);
	o.count = 3;
	o.interval_ns = 200000000;      /* 0.2 s */
	o.timeout_ns = 1000000000;      /* wait 1 s after the last request */
	if (es_ping(argv[1], &o, NULL, NULL, &st, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "ping: %s\n", err);
		return 2;
	}
	printf("%s: %lu/%lu answered", es_addr_format(&st.address, addr, sizeof(addr)),
	       st.received, st.transmitted);
	if (st.received)
		printf(", rtt avg %.3f ms", st.rtt_avg_ns / 1e6);
	printf("\n");
	return st.received ? 0 : 1;
}
