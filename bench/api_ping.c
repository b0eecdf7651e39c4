/*
 * api_ping.c — `api_ping COUNT INTERVAL_S HOST [auto|raw|dgram]`: es_ping
 * with iputils' statistics on stdout, for bench/api.sh next to `echoscan
 * ping` (the mode: ES_MODE_AUTO unless given).
 */
#include <echoscan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct es_ping_options o;
	struct es_ping_stats st;
	char err[256];

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: api_ping COUNT INTERVAL_S HOST [auto|raw|dgram]\n");
		return 2;
	}
	es_ping_options_init(&o);
	o.count = (unsigned)atoi(argv[1]);
	o.interval_ns = (uint64_t)(atof(argv[2]) * 1e9);
	o.timeout_ns = 2000000000;
	if (argc == 5)
		o.mode = !strcmp(argv[4], "raw") ? ES_MODE_RAW :
			 !strcmp(argv[4], "dgram") ? ES_MODE_DGRAM : ES_MODE_AUTO;
	if (es_ping(argv[3], &o, NULL, NULL, &st, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "api_ping: %s\n", err);
		return 2;
	}
	printf("%lu packets transmitted, %lu received, rtt min/avg/max/mdev = "
	       "%.3f/%.3f/%.3f/%.3f ms\n", st.transmitted, st.received, st.rtt_min_ns / 1e6,
	       st.rtt_avg_ns / 1e6, st.rtt_max_ns / 1e6, st.rtt_mdev_ns / 1e6);
	return st.received ? 0 : 1;
}
