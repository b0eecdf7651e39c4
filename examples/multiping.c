/* multiping.c — `multiping PREFIX...`: prints the address of each host
 * that answers, on its own line, as it answers. Exit 0 when some host
 * answered, 1 when none did, 2 on error. Build against the installed
 * library: cc multiping.c $(pkg-config --cflags --libs echoscan) */
#include <echoscan.h>
#include <stdio.h>

static void on_reply(const struct es_reply *r, void *user)
{
	char addr[ES_ADDRSTRLEN];

	(void)user;
	if (r->classification == ES_CLASS_ECHOREPLY && !r->repeat) {
		printf("%s\n", es_addr_format(&r->target, addr, sizeof(addr)));
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct es_ping_options o;
	struct es_multiping_stats st;
	char err[256];

	if (argc < 2) {
		fprintf(stderr, "usage: multiping PREFIX...\n");
		return 2;
	}
	es_ping_options_init(&o);
	o.count = 1;
	o.timeout_ns = 1000000000;      /* 1 s for the last replies */
	if (es_multiping((const char *const *)argv + 1, (size_t)argc - 1, &o, on_reply,
			 NULL, NULL, &st, err, sizeof(err)) != ES_OK) {
		fprintf(stderr, "multiping: %s\n", err);
		return 2;
	}
	return st.alive ? 0 : 1;
}
