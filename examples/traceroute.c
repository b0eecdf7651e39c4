/* traceroute.c — `traceroute HOST`: one line per hop as `traceroute -I -n
 * -w 1` prints them (a probe's responder, its time, an !H-style mark, or *
 * for silence); exit 0 when HOST answered, 1 when not, 2 on error. Needs
 * CAP_NET_RAW. Build: cc traceroute.c $(pkg-config --cflags --libs echoscan) */
#include <echoscan.h>
#include <stdio.h>
#include <string.h>

static void on_hop(const struct es_hop *h, void *user)
{
	struct es_addr prev = { 0 };
	char addr[ES_ADDRSTRLEN];

	printf("%2u ", h->ttl);
	for (unsigned i = 0; i < h->probes; i++) {
		const struct es_hop_probe *p = &h->probe[i];

		if (i >= h->answered) {
			printf(" *");
			continue;
		}
		if (memcmp(&p->responder, &prev, sizeof(prev)) != 0)
			printf(" %s", es_addr_format(&p->responder, addr, sizeof(addr)));
		prev = p->responder;
		printf("  %.3f ms%s%s", p->rtt_ns / 1e6, p->mark ? " " : "",
		       es_trace_mark_name(p->mark));
	}
	printf("\n");
	fflush(stdout);
	*(int *)user |= h->reached;
}

int main(int argc, char **argv)
{
	struct es_trace_options o;
	char err[256];
	int reached = 0, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: traceroute HOST\n");
		return 2;
	}
	es_trace_options_init(&o);      /* 30 hops, 3 probes each */
	o.wait_ns = 1000000000;         /* wait 1 s for every probe, */
	o.wait_here = o.wait_near = 0;  /* not less when others answered */
	rc = es_traceroute(argv[1], &o, on_hop, NULL, &reached, NULL, 0, 0, NULL,
			   err, sizeof(err));
	if (rc != ES_OK) {
		fprintf(stderr, "traceroute: %s (%s)\n", err, es_err_name(rc));
		return 2;
	}
	return reached ? 0 : 1;
}
